// The imperative edge: the only module that changes the system. Mounts go through util-linux
// (`mount`, `umount`) as child processes; spawnSync is used rather than execa because it is
// measurably cheaper on the boot path (see single-binary.md §4: ~3 ms vs 5-8 ms a call, and no
// ~20 ms module load).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, rmSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, statSync, symlinkSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { PrepareRootError } from './errors.js';
import { parseMountInfo } from './mountinfo.js';
import { pruneUpper } from './prune.js';

export interface Mounter {
  /** Run a util-linux command; throws PrepareRootError with its exit status and stderr. */
  exec(argv: readonly string[], cwd?: string): void;
  /** Returns false when the directory existed and existOk allowed it. */
  mkdir(path: string, mode: number, existOk: boolean): boolean;
  rmdir(path: string): void;
  /** Atomically replace `path`; returns the previous content (null when there was none). */
  writeFileAtomic(path: string, content: Uint8Array, mode: number): Uint8Array | null;
  removeFile(path: string): void;
  /** Returns false when something already exists at `path` (it is left alone). */
  symlink(path: string, target: string): boolean;
  /** mkdir -p; returns the directories it created, outermost first. */
  mkdirp(path: string, mode: number): string[];
  /** rm -r of a tree this run created; refuses when anything is mounted inside it. */
  removeTree(path: string): void;
  /** Apply ostree's state-overlay rebase rule to an (unmounted) upper dir. */
  pruneUpper(upper: string, lower: readonly string[]): void;
  /** rename(2); the parent of `to` must exist. */
  rename(from: string, to: string): void;
}

/** Last lines of a command's stderr: enough to say why, short enough for one console line. */
function tail(text: string): string {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '').slice(-3).join(' ').slice(-1024);
}

/** Run a file operation, turning its failure into `what: <system message>` (ours pass through). */
function attempt<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw e instanceof PrepareRootError ? e : new PrepareRootError(what, (e as Error).message, { cause: e });
  }
}

export interface SystemMounterOptions {
  /** Called with each command before it runs (debug output). */
  readonly trace?: (line: string) => void;
}

export class SystemMounter implements Mounter {
  constructor(private readonly options: SystemMounterOptions = {}) {}

  exec(argv: readonly string[], cwd?: string): void {
    const [file, ...args] = argv as [string, ...string[]];
    this.options.trace?.(`+ ${argv.join(' ')}${cwd === undefined ? '' : ` (in ${cwd})`}`);
    // Pipes, not 'ignore': that opens /dev/null, which is gone once pivot mode moved /dev away.
    const r = spawnSync(file, args, { cwd, encoding: 'utf8', stdio: 'pipe', input: '' });
    if (r.error !== undefined) {
      const why = (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${file} not found (util-linux is required)` : r.error.message;
      throw new PrepareRootError(argv.join(' '), why, { cause: r.error });
    }
    if (r.status !== 0) {
      const status = r.status === null ? `killed by ${r.signal}` : `exited ${r.status}`;
      throw new PrepareRootError(argv.join(' '), `${file} ${status}${r.stderr.trim() ? `: ${tail(r.stderr)}` : ''}`);
    }
  }

  mkdir(dir: string, mode: number, existOk: boolean): boolean {
    this.options.trace?.(`+ mkdir -m ${mode.toString(8)} ${dir}`);
    try {
      mkdirSync(dir, { mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && existOk) {
        if (statSync(dir).isDirectory()) return false;
        throw new PrepareRootError(`mkdir ${dir}`, 'exists but is not a directory', { cause: e });
      }
      throw new PrepareRootError(`mkdir ${dir}`, (e as Error).message, { cause: e });
    }
    // mkdir(2) applies the umask; the mode is part of the contract (.private must be 0000).
    chmodSync(dir, mode);
    return true;
  }

  rmdir(dir: string): void {
    this.options.trace?.(`+ rmdir ${dir}`);
    attempt(`rmdir ${dir}`, () => rmdirSync(dir));
  }

  writeFileAtomic(file: string, content: Uint8Array, mode: number): Uint8Array | null {
    this.options.trace?.(`+ write ${file} (${content.length} bytes)`);
    let previous: Uint8Array | null = null;
    try {
      previous = readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new PrepareRootError(`write ${file}`, (e as Error).message, { cause: e });
    }
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    try {
      const fd = openSync(tmp, 'w', mode);
      try {
        writeSync(fd, content);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      chmodSync(tmp, mode);
      renameSync(tmp, file);
    } catch (e) {
      try { unlinkSync(tmp); } catch { /* it may never have been created */ }
      throw new PrepareRootError(`write ${file}`, (e as Error).message, { cause: e });
    }
    return previous;
  }

  symlink(link: string, target: string): boolean {
    this.options.trace?.(`+ ln -s ${target} ${link}`);
    try {
      symlinkSync(target, link);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new PrepareRootError(`ln -s ${target} ${link}`, (e as Error).message, { cause: e });
    }
  }

  mkdirp(dir: string, mode: number): string[] {
    this.options.trace?.(`+ mkdir -p ${dir}`);
    const missing: string[] = [];
    for (let d = dir; !existsSync(d); d = path.dirname(d)) missing.unshift(d);
    for (const d of missing) this.mkdir(d, mode, false);
    return missing;
  }

  removeTree(tree: string): void {
    this.options.trace?.(`+ rm -r ${tree}`);
    const mounted = parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8')).find((m) => m.target === tree || m.target.startsWith(`${tree}/`));
    if (mounted !== undefined) throw new PrepareRootError(`rm -r ${tree}`, `refusing: ${mounted.target} is mounted inside it`);
    attempt(`rm -r ${tree}`, () => rmSync(tree, { recursive: true, force: true }));
  }

  pruneUpper(upper: string, lower: readonly string[]): void {
    this.options.trace?.(`+ prune ${upper} against ${lower.join(':')}`);
    attempt(`prune ${upper}`, () => pruneUpper(upper, lower));
  }

  rename(from: string, to: string): void {
    this.options.trace?.(`+ mv ${from} ${to}`);
    attempt(`mv ${from} ${to}`, () => renameSync(from, to));
  }

  removeFile(file: string): void {
    this.options.trace?.(`+ rm ${file}`);
    attempt(`rm ${file}`, () => unlinkSync(file));
  }
}
