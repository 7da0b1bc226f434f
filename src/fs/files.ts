// Small file operations on top of a System that the layers above share: existence, optional
// reads, text reads with a size limit.
import { isSysError } from '../base/errors.js';
import { utf8Decode } from '../base/text.js';
import type { FileStat, System } from '../platform/system.js';

/** ENOENT and ENOTDIR both mean "nothing there". */
export function isMissing(e: unknown): boolean {
  return isSysError(e, 'ENOENT') || isSysError(e, 'ENOTDIR');
}

/** lstat, or null when nothing is there. */
export function tryLstat(sys: System, path: string): FileStat | null {
  try {
    return sys.lstat(path);
  } catch (e) {
    if (isMissing(e)) return null;
    throw e;
  }
}

/** Something (even a dangling symlink) is at `path`. */
export function exists(sys: System, path: string): boolean {
  return tryLstat(sys, path) !== null;
}

/** The file's bytes, or null when it does not exist. */
export function readOptional(sys: System, path: string, limit: number): Uint8Array | null {
  try {
    return sys.readFile(path, limit);
  } catch (e) {
    if (isMissing(e)) return null;
    throw e;
  }
}

export function readText(sys: System, path: string, limit: number): string {
  return utf8Decode(sys.readFile(path, limit));
}
