// Replace a file atomically: write a temporary file next to it, fsync it, rename it over the
// target, fsync the directory. A crash leaves the old content or the new, never a mix.
import { basename, dirname } from '../base/posix-path.js';
import type { System } from '../platform/system.js';
import { isMissing } from './files.js';

/** Returns the previous content, or null when there was none (so that an undo can restore it). */
export function writeFileAtomic(
  sys: System,
  path: string,
  content: Uint8Array,
  mode: number,
  previousLimit: number,
): Uint8Array | null {
  let previous: Uint8Array | null = null;
  try {
    previous = sys.readFile(path, previousLimit);
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
  const dir = dirname(path);
  replace(sys, path, content, mode);
  try {
    sys.syncDir(dir);
  } catch (e) {
    // All or nothing: put back what was there, so that a failed write changed nothing.
    try {
      if (previous === null) sys.unlink(path);
      else replace(sys, path, previous, mode);
    } catch {
      /* the original error says more */
    }
    throw e;
  }
  return previous;
}

/** The temporary file a process writes before renaming it over `path`. */
export function atomicTempPath(path: string, pid: number): string {
  return `${dirname(path)}/.${basename(path)}.${pid}.tmp`;
}

/** Write a temporary file next to `path`, fsync it and rename it over `path`. */
function replace(sys: System, path: string, content: Uint8Array, mode: number): void {
  const tmp = atomicTempPath(path, sys.pid);
  try {
    sys.writeFile(tmp, content, { mode, exclusive: true, sync: true });
    sys.rename(tmp, path);
  } catch (e) {
    try {
      sys.unlink(tmp);
    } catch {
      /* never created, or already renamed: nothing to clean */
    }
    throw e;
  }
}
