// Paths prepare-root writes, removes or mounts are never followed through a symbolic link: the
// physical root's writable parts (the stateroot var, deployment dirs) and /run may hold links an
// attacker planted to point us outside the sysroot. A legitimate system has none in those paths:
// the image's own links (/root -> var/roothome, /usr/local -> ../var/usrlocal) are resolved inside
// the deployment before planning (probe/resolve-inside.ts) and never appear in a step.
import { SysError } from '../base/errors.js';
import { dirname } from '../base/posix-path.js';
import type { System } from '../platform/system.js';
import { tryLstat } from './files.js';

/** The first component of `path` (from the root down) that is a symbolic link, or null. */
export function firstSymlink(sys: System, path: string): string | null {
  const parts = path.split('/').filter((p) => p !== '');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = `/${parts.slice(0, i).join('/')}`;
    const st = tryLstat(sys, prefix);
    if (st === null) return null;
    if (st.kind === 'symlink') return prefix;
  }
  return null;
}

/**
 * Refuse `path` when a symbolic link is on its way: all of it (`whole`) for paths that are opened
 * or mounted, only its parents for calls that act on the last component itself (unlink, rename,
 * mkdir, umount without following).
 */
export function refuseSymlinks(sys: System, path: string, whole: boolean): void {
  const checked = whole ? path : dirname(path);
  if (sys.lookupNoSymlinks(checked) !== 'symlink') return;
  const link = firstSymlink(sys, checked) ?? checked;
  throw new SysError(
    `resolve ${path}`,
    'ELOOP',
    `refusing: ${link} is a symbolic link (prepare-root never follows links in the paths it writes, removes or mounts)`,
  );
}
