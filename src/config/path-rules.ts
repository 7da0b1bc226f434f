// Which paths of the new root a config may name for persisted paths and overlays: absolute, in
// normal form, not the whole root, and not where the image has no say (API filesystems,
// boot-time mounts) or where persistence is already handled (/var; /etc for overlays).
import { isUnder, normalize } from '../base/posix-path.js';

/** Already persistent, or API filesystems and boot-time mounts that are not part of the image. */
const NOT_IMAGE = ['/sysroot', '/proc', '/sys', '/dev', '/run', '/tmp', '/boot'];

/** Why `p` cannot be used, or null when it can. `etcToo`: /etc is refused as well (overlays). */
export function refusedPath(p: string, wholeRootHint: string, etcToo: boolean): string | null {
  if (!p.startsWith('/')) return 'is not an absolute path';
  if (p === '/') return `is the whole root (${wholeRootHint})`;
  if (normalize(p) !== p || p.endsWith('/')) return `is not in normal form (${normalize(p).replace(/(.)\/$/, '$1')})`;
  if (isUnder(p, '/var')) return 'is under /var, which already persists';
  if (etcToo && isUnder(p, '/etc')) return 'is under /etc, which has its own handling (etc.transient)';
  const refused = NOT_IMAGE.find((d) => isUnder(p, d));
  return refused === undefined ? null : `is under ${refused}, which is not part of the root image`;
}
