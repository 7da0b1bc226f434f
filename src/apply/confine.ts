// Which paths of an action must resolve without symbolic links (fs/no-symlinks.ts): every path it
// opens, creates, renames, removes or mounts (each operation says which, apply/operations.ts), so
// that nothing planted in the stateroot var, a deployment or /run can redirect a step outside the
// sysroot.
import { refuseSymlinks } from '../fs/no-symlinks.js';
import type { System } from '../platform/system.js';
import type { Action } from './actions.js';
import { confinedPaths } from './operations.js';

export function refuseSymlinksOf(sys: System, action: Action): void {
  for (const [path, whole] of confinedPaths(action)) refuseSymlinks(sys, path, whole);
}
