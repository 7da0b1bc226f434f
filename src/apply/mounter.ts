// The effects of a plan, through a System: each operation the executor performs, with failures
// turned into `what: why` errors that name what was asked and the system's reason.
import { PrepareRootError, SysError, isSysError } from '../base/errors.js';
import { STATE_FILE_MAX } from '../base/limits.js';
import { basename, dirname } from '../base/posix-path.js';
import { atomicTempPath, writeFileAtomic } from '../fs/atomic-write.js';
import { tryLstat } from '../fs/files.js';
import { copyTree, mkdirp, removeTree } from '../fs/tree.js';
import { readLabel, writeLabel } from '../fs/labels.js';
import { LABELS_SCHEMA, serializeLabels } from '../formats/labels-file.js';
import { collectTopLabels, collectUpperLabels } from '../overlayfs/upper-labels.js';
import type { LabelledUpper } from '../plan/types.js';
import { pruneUpper } from '../overlayfs/prune.js';
import type { System } from '../platform/system.js';
import { type Action, type FsMount, NO_OUTCOME, type Outcome, type UndoAction, describeAction } from './actions.js';
import { variantsOf } from './compat.js';
import { refuseSymlinksOf } from './confine.js';

export interface Mounter {
  /**
   * What the action would find (reading only), for the journal: the outcome it would have if it
   * ran to its end, and what a run killed during it may leave besides (a temporary file).
   */
  preview(action: Action): { readonly outcome: Outcome; readonly cleanup: readonly UndoAction[] };
  /** The id of the mount `path` is on, null when there is nothing at `path`. */
  mountIdOf(path: string): number | null;
  /** Returns the name of the variant that made the mount. */
  mount(m: FsMount): string | null;
  bind(source: string, target: string): void;
  move(source: string, target: string): void;
  setAttrs(a: Extract<Action, { op: 'set-attrs' }>): void;
  setFsReadonly(target: string, readonly: boolean): void;
  unmount(target: string, detach: boolean): void;
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
  /** Copy a tree keeping owner, mode, times and xattrs; `to` must not exist. */
  copyTree(from: string, to: string): void;
  /** Give `to` the SELinux label of `from`; returns it, or null when `from` has none (nothing done). */
  copyLabel(from: string, to: string): string | null;
  /** Write the labels of the uppers' entries to `path` (formats/labels-file.ts). */
  recordLabels(path: string, uppers: readonly LabelledUpper[]): void;
}

/** The system's reason, with the kernel's own words where it gave them, or where to find them. */
function reason(e: SysError): string {
  if (e.detail !== '') return `${e.text}: the kernel says: ${e.detail}`;
  if (e.code === 'EINVAL' && (e.syscall?.name === 'fsconfig' || e.syscall?.name === 'fsmount'))
    return `${e.text} (the kernel refused the mount; its log, dmesg, says why)`;
  return e.text;
}

/** Run an operation, turning a system failure into `what: <reason>`. */
function attempt<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isSysError(e)) throw new PrepareRootError(what, reason(e), { cause: e });
    throw e;
  }
}

/** Where a store is copied before it is renamed into place. */
export function seedingDir(store: string): string {
  return `${dirname(store)}/.${basename(store)}.seeding`;
}

export interface SystemMounterOptions {
  /** Called with each operation before it runs (debug output). */
  readonly trace?: (line: string) => void;
}

export class SystemMounter implements Mounter {
  constructor(
    private readonly sys: System,
    private readonly options: SystemMounterOptions = {},
  ) {}

  private run<T>(action: Action, fn: () => T): T {
    const what = describeAction(action);
    this.options.trace?.(`+ ${what}`);
    return attempt(what, () => {
      refuseSymlinksOf(this.sys, action);
      return fn();
    });
  }

  preview(action: Action): { readonly outcome: Outcome; readonly cleanup: readonly UndoAction[] } {
    return attempt(`preview ${describeAction(action)}`, () => {
      switch (action.op) {
        case 'mkdir':
        case 'symlink':
          return { outcome: { kind: 'created', created: tryLstat(this.sys, action.path) === null }, cleanup: [] };
        case 'mkdirp': {
          const missing: string[] = [];
          for (let d = action.path; tryLstat(this.sys, d) === null; d = dirname(d)) missing.unshift(d);
          return { outcome: { kind: 'created-dirs', dirs: missing }, cleanup: [] };
        }
        case 'record-labels':
          return {
            outcome: NO_OUTCOME,
            cleanup: [{ op: 'remove-file', path: atomicTempPath(action.path, this.sys.pid) }],
          };
        case 'write-file': {
          const st = tryLstat(this.sys, action.path);
          const previous = st?.kind === 'file' ? this.sys.readFile(action.path, STATE_FILE_MAX) : null;
          return {
            outcome: { kind: 'replaced', previous },
            cleanup: [{ op: 'remove-file', path: atomicTempPath(action.path, this.sys.pid) }],
          };
        }
        case 'copy-tree':
          return { outcome: NO_OUTCOME, cleanup: [{ op: 'remove-tree', path: seedingDir(action.to) }] };
        default:
          return { outcome: NO_OUTCOME, cleanup: [] };
      }
    });
  }

  mountIdOf(path: string): number | null {
    return tryLstat(this.sys, path)?.mountId ?? null;
  }

  mount(m: FsMount): string {
    const action: Action = { op: 'mount', mount: m };
    return this.run(action, () => {
      const variants = variantsOf(m);
      const refused: string[] = [];
      for (const [i, v] of variants.entries()) {
        try {
          this.mountVariant(m, v);
          return v.name;
        } catch (e) {
          if (!isSysError(e)) throw e;
          if (i < variants.length - 1 && v.unsupported(e)) {
            this.options.trace?.(`  (${v.name}: ${e.message}; trying ${variants[i + 1]!.name})`);
            refused.push(`${v.name}: ${reason(e)}`);
            continue;
          }
          if (refused.length === 0) throw e;
          // What each variant got from the kernel: the last one's error alone would hide why the
          // earlier ones were passed over.
          throw new PrepareRootError(
            describeAction(action),
            `${reason(e)} (${v.name}; before it ${refused.join('; ')})`,
            {
              cause: e,
            },
          );
        }
      }
      throw new Error('unreachable: the last variant throws');
    });
  }

  private mountVariant(m: FsMount, v: ReturnType<typeof variantsOf>[number]): void {
    const loop = v.loop ? this.sys.attachLoop(m.source) : null;
    // Relative layer paths are resolved by the kernel against our working directory.
    if (m.cwd !== undefined) this.sys.chdir(m.cwd);
    try {
      this.sys.mountFs(m.fstype, loop?.device ?? m.source, m.target, v.options, { readonly: m.readonly });
    } finally {
      if (m.cwd !== undefined) this.sys.chdir('/');
      loop?.release();
    }
  }

  bind(source: string, target: string): void {
    this.run({ op: 'bind', source, target }, () => this.sys.bindMount(source, target));
  }

  move(source: string, target: string): void {
    this.run({ op: 'move', source, target }, () => this.sys.moveMount(source, target));
  }

  setAttrs(a: Extract<Action, { op: 'set-attrs' }>): void {
    this.run(a, () => this.sys.setMountAttrs(a.target, a));
  }

  setFsReadonly(target: string, readonly: boolean): void {
    this.run({ op: 'set-fs-readonly', target, readonly }, () => this.sys.setFsReadonly(target, readonly));
  }

  unmount(target: string, detach: boolean): void {
    this.run({ op: 'unmount', target, detach }, () => this.sys.unmount(target, detach));
  }

  mkdir(path: string, mode: number, existOk: boolean): boolean {
    return this.run({ op: 'mkdir', path, mode, existOk }, () => {
      try {
        this.sys.mkdir(path, mode);
        return true;
      } catch (e) {
        if (!isSysError(e, 'EEXIST') || !existOk) throw e;
        const kind = this.sys.lstat(path).kind;
        if (kind === 'symlink') throw new SysError(`mkdir ${path}`, 'ELOOP', `refusing: ${path} is a symbolic link`);
        if (kind !== 'dir') throw new SysError(`mkdir ${path}`, 'EEXIST', 'exists but is not a directory');
        return false;
      }
    });
  }

  rmdir(path: string): void {
    this.run({ op: 'rmdir', path }, () => this.sys.rmdir(path));
  }

  writeFileAtomic(path: string, content: Uint8Array, mode: number): Uint8Array | null {
    return this.run({ op: 'write-file', path, mode, content }, () =>
      writeFileAtomic(this.sys, path, content, mode, STATE_FILE_MAX),
    );
  }

  removeFile(path: string): void {
    this.run({ op: 'remove-file', path }, () => this.sys.unlink(path));
  }

  symlink(path: string, target: string): boolean {
    return this.run({ op: 'symlink', path, target }, () => {
      try {
        this.sys.symlink(target, path);
        return true;
      } catch (e) {
        if (isSysError(e, 'EEXIST')) return false;
        throw e;
      }
    });
  }

  mkdirp(path: string, mode: number): string[] {
    return this.run({ op: 'mkdirp', path, mode }, () => mkdirp(this.sys, path, mode));
  }

  removeTree(path: string): void {
    this.run({ op: 'remove-tree', path }, () => removeTree(this.sys, path));
  }

  pruneUpper(upper: string, lower: readonly string[]): void {
    this.run({ op: 'prune-upper', upper, lower }, () => void pruneUpper(this.sys, upper, lower));
  }

  rename(from: string, to: string): void {
    this.run({ op: 'rename', from, to }, () => this.sys.rename(from, to));
  }

  copyTree(from: string, to: string): void {
    this.run({ op: 'copy-tree', from, to }, () => {
      // Into a temporary sibling, synced, then renamed into place: a store is only ever there
      // complete. What an interrupted or failed copy left is removed first (or on failure).
      const tmp = seedingDir(to);
      removeTree(this.sys, tmp);
      try {
        copyTree(this.sys, from, tmp);
        this.sys.syncFilesystem(tmp);
        this.sys.rename(tmp, to, true);
      } catch (e) {
        try {
          removeTree(this.sys, tmp);
        } catch {
          // The next seeding removes it before copying: nothing depends on it meanwhile.
        }
        throw e;
      }
    });
  }

  copyLabel(from: string, to: string): string | null {
    return this.run({ op: 'copy-label', from, to }, () => {
      const label = readLabel(this.sys, from);
      if (label !== null) writeLabel(this.sys, to, label);
      return label;
    });
  }

  recordLabels(path: string, uppers: readonly LabelledUpper[]): void {
    this.run({ op: 'record-labels', path, uppers }, () => {
      const overlays = uppers.map((u) => ({
        path: u.path,
        upper: u.upper,
        ...collectUpperLabels(this.sys, u.upper),
        top: collectTopLabels(this.sys, u.target),
      }));
      writeFileAtomic(this.sys, path, serializeLabels({ schema: LABELS_SCHEMA, overlays }), 0o644, STATE_FILE_MAX);
    });
  }
}
