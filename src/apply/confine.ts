// Which paths of an action must resolve without symbolic links (fs/no-symlinks.ts): every path it
// opens, creates, renames, removes or mounts, so that nothing planted in the stateroot var, a
// deployment or /run can redirect a step outside the sysroot.
import { join } from '../base/posix-path.js';
import { refuseSymlinks } from '../fs/no-symlinks.js';
import type { System } from '../platform/system.js';
import type { Action } from './actions.js';

/** `[path, whole]`: whole = every component is resolved (opened, mounted); else only the parents. */
export function confinedPaths(action: Action): Array<readonly [string, boolean]> {
  switch (action.op) {
    case 'mount': {
      const m = action.mount;
      const at = (p: string) => (p.startsWith('/') || m.cwd === undefined ? p : join(m.cwd, p));
      const layers =
        m.overlay === undefined
          ? []
          : [
              ...m.overlay.lower,
              ...m.overlay.data,
              ...(m.overlay.upper === null ? [] : [m.overlay.upper]),
              ...(m.overlay.work === null ? [] : [m.overlay.work]),
            ];
      return [
        [m.target, true],
        ...(m.fstype === 'erofs' ? [[m.source, true] as const] : []),
        ...layers.map((l) => [at(l), true] as const),
      ];
    }
    case 'bind':
    case 'move':
      return [
        [action.source, true],
        [action.target, true],
      ];
    case 'set-attrs':
    case 'set-fs-readonly':
      return [[action.target, true]];
    case 'mkdirp':
      return [[action.path, true]];
    case 'prune-upper':
      return [[action.upper, true], ...action.lower.map((l) => [l, true] as const)];
    case 'copy-tree':
      return [
        [action.from, true],
        [action.to, false],
      ];
    case 'rename':
      return [
        [action.from, false],
        [action.to, false],
      ];
    case 'copy-label':
      return [
        [action.from, true],
        [action.to, true],
      ];
    case 'record-labels':
      return [
        [action.path, false],
        ...action.uppers.flatMap((u) => [[u.upper, true] as const, [u.target, true] as const]),
      ];
    case 'unmount':
    case 'mkdir':
    case 'rmdir':
    case 'write-file':
    case 'remove-file':
    case 'symlink':
    case 'remove-tree':
      return [[action.op === 'symlink' ? action.path : 'path' in action ? action.path : action.target, false]];
  }
}

export function refuseSymlinksOf(sys: System, action: Action): void {
  for (const [path, whole] of confinedPaths(action)) refuseSymlinks(sys, path, whole);
}
