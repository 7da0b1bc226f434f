// One prepare-root at a time: an O_EXCL lock file under /run holding the owner's pid. A lock
// whose owner is gone (crash, kill) is taken over rather than blocking the boot forever.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PrepareRootError } from './errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Lock {
  release(): void;
}

export function acquireLock(file: string): Lock {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return { release: () => { try { unlinkSync(file); } catch { /* already gone */ } } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new PrepareRootError(`lock ${file}`, (e as Error).message, { cause: e });
    }
    let owner = NaN;
    try { owner = Number.parseInt(readFileSync(file, 'utf8'), 10); } catch { /* vanished meanwhile: retry */ }
    if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
      throw new PrepareRootError(`lock ${file}`, `another prepare-root (pid ${owner}) is running`);
    }
    try { unlinkSync(file); } catch { /* raced with its owner's release: retry */ }
  }
  throw new PrepareRootError(`lock ${file}`, 'could not take the lock (stale lock kept reappearing)');
}
