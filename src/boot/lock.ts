// One prepare-root at a time: an exclusive lock on a file under /run, released by the kernel when
// the holder ends however it ends (so a crashed run never blocks the next). The file holds the
// holder's pid, for the message.
import { PrepareRootError, isSysError } from '../base/errors.js';
import { STATE_FILE_MAX } from '../base/limits.js';
import { dirname } from '../base/posix-path.js';
import { utf8Decode, utf8Encode } from '../base/text.js';
import { readOptional } from '../fs/files.js';
import { mkdirp } from '../fs/tree.js';
import type { HeldLock, System } from '../platform/system.js';

export function acquireLock(sys: System, file: string): HeldLock {
  try {
    mkdirp(sys, dirname(file), 0o755);
    const lock = sys.tryLock(file, utf8Encode(`${sys.pid}\n`));
    if (lock === null) {
      const owner = Number.parseInt(utf8Decode(readOptional(sys, file, STATE_FILE_MAX) ?? new Uint8Array()), 10);
      throw new PrepareRootError(
        `lock ${file}`,
        `another prepare-root${Number.isInteger(owner) ? ` (pid ${owner})` : ''} is running`,
      );
    }
    return lock;
  } catch (e) {
    if (isSysError(e)) throw new PrepareRootError(`lock ${file}`, e.text, { cause: e });
    throw e;
  }
}
