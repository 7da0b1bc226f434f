// Which paths of the new root a config may name for persisted paths and overlays: absolute, in
// normal form, not the whole root, and not where the image has no say (API filesystems,
// boot-time mounts) or where persistence is already handled (/var, unless a plain root's /var is
// transient; /etc for overlays). The same rules hold for where such a path resolves in the image
// once its symlinks are followed.
import { PLAIN_STATE_DIR } from '../base/paths.js';
import { isUnder, normalize } from '../base/posix-path.js';

/** API filesystems and boot-time mounts: not part of the image. */
const NOT_IMAGE = ['/sysroot', '/proc', '/sys', '/dev', '/run', '/tmp', '/boot'];

/**
 * `under /X, which ...` when `p` is in an area that cannot be used, else null. `varPersists`:
 * /var is persistent anyway (always, except on a plain root with var.transient).
 */
function refusedArea(p: string, etcToo: boolean, varPersists: boolean): string | null {
  if (varPersists && isUnder(p, '/var')) return 'under /var, which already persists';
  if (isUnder(p, PLAIN_STATE_DIR)) return `under ${PLAIN_STATE_DIR}, where prepare-root keeps its state`;
  if (etcToo && isUnder(p, '/etc')) return 'under /etc, which has its own handling (etc.transient)';
  const refused = NOT_IMAGE.find((d) => isUnder(p, d));
  return refused === undefined ? null : `under ${refused}, which is not part of the root image`;
}

/** Why `p` cannot be used, or null when it can. `etcToo`: /etc is refused as well (overlays). */
export function refusedPath(p: string, wholeRootHint: string, etcToo: boolean, varPersists = true): string | null {
  if (!p.startsWith('/')) return 'is not an absolute path';
  if (p === '/') return `is the whole root (${wholeRootHint})`;
  if (normalize(p) !== p || p.endsWith('/')) return `is not in normal form (${normalize(p).replace(/(.)\/$/, '$1')})`;
  const area = refusedArea(p, etcToo, varPersists);
  return area === null ? null : `is ${area}`;
}

/** Why a path that resolves to `inRoot` in the image cannot be used, or null. */
export function refusedResolved(inRoot: string, etcToo: boolean, varPersists = true): string | null {
  if (inRoot === '/') return 'the whole root';
  return refusedArea(inRoot, etcToo, varPersists);
}
