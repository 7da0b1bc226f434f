// Every operation a plan can apply, one record each: the command line it is shown as, the paths
// that must resolve without a symbolic link, what it will find before it runs (for the journal),
// and how it is done through a System. Adding an operation is an Action variant (actions.ts) and
// an entry here; the executor, the mounter, `plan` and the recovery all go through this table.
import { PrepareRootError, SysError, isSysError } from '../base/errors.js';
import { STATE_FILE_MAX } from '../base/limits.js';
import { basename, dirname, join } from '../base/posix-path.js';
import { shellQuote } from '../base/text.js';
import { atomicTempPath, writeFileAtomic } from '../fs/atomic-write.js';
import { tryLstat } from '../fs/files.js';
import { readLabel, writeLabel } from '../fs/labels.js';
import { copyTree, mkdirp, removeTree } from '../fs/tree.js';
import { LABELS_SCHEMA, serializeLabels } from '../formats/labels-file.js';
import { pruneUpper } from '../overlayfs/prune.js';
import { collectTopLabels, collectUpperLabels } from '../overlayfs/upper-labels.js';
import type { System } from '../platform/system.js';
import { type Action, type FsMount, NO_OUTCOME, type Outcome, type UndoAction } from './actions.js';
import { variantsOf } from './compat.js';

/** A command line that can be pasted into a shell, and what the command alone does not say. */
export interface Command {
  readonly command: string;
  readonly note?: string;
}

/** `[path, whole]`: whole = every component is resolved (opened, mounted); else only the parents. */
export type Confined = ReadonlyArray<readonly [string, boolean]>;

/** What an action would find (reading only): its outcome if it ran to its end, and what a run killed during it may leave besides. */
export interface Preview {
  readonly outcome: Outcome;
  readonly cleanup: readonly UndoAction[];
}

export interface Performed {
  readonly outcome: Outcome;
  /** Which kernel-compatibility variant made a mount (apply/compat.ts). */
  readonly variant?: string;
}

export interface Operation<A extends Action> {
  readonly command: (a: A) => Command;
  readonly confined: (a: A) => Confined;
  /** Absent: it finds nothing the undo needs and leaves nothing but its result. */
  readonly preview?: (sys: System, a: A) => Preview;
  readonly perform: (sys: System, a: A, trace?: (line: string) => void) => Performed;
}

const DONE: Performed = { outcome: NO_OUTCOME };
const done = (effect: () => unknown): Performed => {
  effect();
  return DONE;
};

/** Words as a shell command line, each quoted where it has to be. */
const sh = (...words: string[]): string => words.map(shellQuote).join(' ');
const octal = (mode: number) => mode.toString(8).padStart(4, '0');
const parentOnly = (path: string): Confined => [[path, false]];
const whole = (...paths: string[]): Confined => paths.map((p) => [p, true] as const);

/** Where a store is copied before it is renamed into place. */
export function seedingDir(store: string): string {
  return `${dirname(store)}/.${basename(store)}.seeding`;
}

/** The system's reason, with the kernel's own words where it gave them, or where to find them. */
export function reason(e: SysError): string {
  if (e.detail !== '') return `${e.text}: the kernel says: ${e.detail}`;
  if (e.code === 'EINVAL' && (e.syscall?.name === 'fsconfig' || e.syscall?.name === 'fsmount'))
    return `${e.text} (the kernel refused the mount; its log, dmesg, says why)`;
  return e.text;
}

/** The overlay option string as mount(8) and mountinfo show it (data-only layers after `::`). */
export function overlayOptionString(m: FsMount): string {
  const o = m.overlay!;
  const opts: string[] = [];
  if (m.readonly) opts.push('ro');
  opts.push(`lowerdir=${o.lower.join(':')}${o.data.length === 0 ? '' : `::${o.data.join(':')}`}`);
  if (o.upper !== null) opts.push(`upperdir=${o.upper}`);
  if (o.work !== null) opts.push(`workdir=${o.work}`);
  return [...opts, ...m.options].join(',');
}

function mountCommand(m: FsMount): string {
  const options =
    m.fstype === 'overlay' ? overlayOptionString(m) : [...(m.readonly ? ['ro'] : []), ...m.options].join(',');
  const command = sh('mount', '-t', m.fstype, ...(options === '' ? [] : ['-o', options]), m.source, m.target);
  return m.cwd === undefined ? command : `(cd ${shellQuote(m.cwd)} && ${command})`;
}

function mountVariant(sys: System, m: FsMount, v: ReturnType<typeof variantsOf>[number]): void {
  const loop = v.loop ? sys.attachLoop(m.source) : null;
  // Relative layer paths are resolved by the kernel against our working directory.
  if (m.cwd !== undefined) sys.chdir(m.cwd);
  try {
    sys.mountFs(m.fstype, loop?.device ?? m.source, m.target, v.options, { readonly: m.readonly });
  } finally {
    if (m.cwd !== undefined) sys.chdir('/');
    loop?.release();
  }
}

/** The kernel's variants in turn (apply/compat.ts): the next only when the kernel lacks what one used. */
function mount(sys: System, m: FsMount, trace?: (line: string) => void): Performed {
  const variants = variantsOf(m);
  const refused: string[] = [];
  for (const [i, v] of variants.entries()) {
    try {
      mountVariant(sys, m, v);
      return { outcome: NO_OUTCOME, variant: v.name };
    } catch (e) {
      if (!isSysError(e)) throw e;
      if (i < variants.length - 1 && v.unsupported(e)) {
        trace?.(`  (${v.name}: ${e.message}; trying ${variants[i + 1]!.name})`);
        refused.push(`${v.name}: ${reason(e)}`);
        continue;
      }
      if (refused.length === 0) throw e;
      // What each variant got from the kernel: the last one's error alone would hide why the
      // earlier ones were passed over.
      throw new PrepareRootError(mountCommand(m), `${reason(e)} (${v.name}; before it ${refused.join('; ')})`, {
        cause: e,
      });
    }
  }
  throw new Error('unreachable: the last variant throws');
}

/** mkdir that, with existOk, accepts a directory already there (and nothing else). */
function mkdir(sys: System, path: string, mode: number, existOk: boolean): boolean {
  try {
    sys.mkdir(path, mode);
    return true;
  } catch (e) {
    if (!isSysError(e, 'EEXIST') || !existOk) throw e;
    const kind = sys.lstat(path).kind;
    if (kind === 'symlink') throw new SysError(`mkdir ${path}`, 'ELOOP', `refusing: ${path} is a symbolic link`);
    if (kind !== 'dir') throw new SysError(`mkdir ${path}`, 'EEXIST', 'exists but is not a directory');
    return false;
  }
}

/** Into a temporary sibling, synced, then renamed into place: a store is only ever there complete. */
function copyTreeAtomically(sys: System, from: string, to: string): void {
  // What an interrupted or failed copy left is removed first (or on failure).
  const tmp = seedingDir(to);
  removeTree(sys, tmp);
  try {
    copyTree(sys, from, tmp);
    sys.syncFilesystem(tmp);
    sys.rename(tmp, to, true);
  } catch (e) {
    try {
      removeTree(sys, tmp);
    } catch {
      // The next seeding removes it before copying: nothing depends on it meanwhile.
    }
    throw e;
  }
}

const created =
  (path: string) =>
  (sys: System): Preview => ({
    outcome: { kind: 'created', created: tryLstat(sys, path) === null },
    cleanup: [],
  });

type Table = { readonly [Op in Action['op']]: Operation<Extract<Action, { readonly op: Op }>> };

export const OPERATIONS: Table = {
  mount: {
    command: (a) => ({ command: mountCommand(a.mount) }),
    confined: ({ mount: m }) => {
      const at = (p: string) => (p.startsWith('/') || m.cwd === undefined ? p : join(m.cwd, p));
      const o = m.overlay;
      const layers =
        o === undefined
          ? []
          : [...o.lower, ...o.data, ...(o.upper === null ? [] : [o.upper]), ...(o.work === null ? [] : [o.work])];
      return whole(m.target, ...(m.fstype === 'erofs' ? [m.source] : []), ...layers.map(at));
    },
    perform: (sys, a, trace) => mount(sys, a.mount, trace),
  },
  bind: {
    command: (a) => ({ command: sh('mount', '--bind', a.source, a.target) }),
    confined: (a) => whole(a.source, a.target),
    perform: (sys, a) => done(() => sys.bindMount(a.source, a.target)),
  },
  move: {
    command: (a) => ({ command: sh('mount', '--move', a.source, a.target) }),
    confined: (a) => whole(a.source, a.target),
    perform: (sys, a) => done(() => sys.moveMount(a.source, a.target)),
  },
  'set-attrs': {
    command: (a) => ({
      command:
        a.propagation !== undefined
          ? sh('mount', `--make-${a.recursive ? 'r' : ''}${a.propagation}`, a.target)
          : sh('mount', '-o', `remount,bind,${a.readonly ? 'ro' : 'rw'}`, a.target),
    }),
    confined: (a) => whole(a.target),
    perform: (sys, a) => done(() => sys.setMountAttrs(a.target, a)),
  },
  unmount: {
    command: (a) => ({ command: sh('umount', ...(a.detach ? ['--lazy'] : []), a.target) }),
    confined: (a) => parentOnly(a.target),
    perform: (sys, a) => done(() => sys.unmount(a.target, a.detach)),
  },
  'set-fs-readonly': {
    command: (a) => ({ command: sh('mount', '-o', `remount,${a.readonly ? 'ro' : 'rw'}`, a.target) }),
    confined: (a) => whole(a.target),
    perform: (sys, a) => done(() => sys.setFsReadonly(a.target, a.readonly)),
  },
  mkdir: {
    command: (a) => ({
      command: sh('mkdir', '-m', octal(a.mode), a.path),
      ...(a.existOk ? { note: 'may exist' } : {}),
    }),
    confined: (a) => parentOnly(a.path),
    preview: (sys, a) => created(a.path)(sys),
    perform: (sys, a) => ({ outcome: { kind: 'created', created: mkdir(sys, a.path, a.mode, a.existOk) } }),
  },
  rmdir: {
    command: (a) => ({ command: sh('rmdir', a.path) }),
    confined: (a) => parentOnly(a.path),
    perform: (sys, a) => done(() => sys.rmdir(a.path)),
  },
  'write-file': {
    command: (a) => ({
      command: `write ${shellQuote(a.path)}`,
      note: `${a.content.length} bytes, mode ${octal(a.mode)}, atomically`,
    }),
    confined: (a) => parentOnly(a.path),
    preview: (sys, a) => {
      const st = tryLstat(sys, a.path);
      const previous = st?.kind === 'file' ? sys.readFile(a.path, STATE_FILE_MAX) : null;
      return {
        outcome: { kind: 'replaced', previous },
        cleanup: [{ op: 'remove-file', path: atomicTempPath(a.path, sys.pid) }],
      };
    },
    perform: (sys, a) => ({
      outcome: { kind: 'replaced', previous: writeFileAtomic(sys, a.path, a.content, a.mode, STATE_FILE_MAX) },
    }),
  },
  'remove-file': {
    command: (a) => ({ command: sh('rm', a.path) }),
    confined: (a) => parentOnly(a.path),
    perform: (sys, a) => done(() => sys.unlink(a.path)),
  },
  symlink: {
    command: (a) => ({ command: sh('ln', '-s', a.target, a.path), note: 'may exist' }),
    confined: (a) => parentOnly(a.path),
    preview: (sys, a) => created(a.path)(sys),
    perform: (sys, a) => {
      try {
        sys.symlink(a.target, a.path);
        return { outcome: { kind: 'created', created: true } };
      } catch (e) {
        // Something already there is left alone (and not undone).
        if (isSysError(e, 'EEXIST')) return { outcome: { kind: 'created', created: false } };
        throw e;
      }
    },
  },
  mkdirp: {
    command: (a) => ({ command: sh('mkdir', '-p', '-m', octal(a.mode), a.path) }),
    confined: (a) => whole(a.path),
    preview: (sys, a) => {
      const missing: string[] = [];
      for (let d = a.path; tryLstat(sys, d) === null; d = dirname(d)) missing.unshift(d);
      return { outcome: { kind: 'created-dirs', dirs: missing }, cleanup: [] };
    },
    perform: (sys, a) => ({ outcome: { kind: 'created-dirs', dirs: mkdirp(sys, a.path, a.mode) } }),
  },
  'remove-tree': {
    command: (a) => ({ command: sh('rm', '-r', a.path), note: 'no mount inside' }),
    confined: (a) => parentOnly(a.path),
    perform: (sys, a) => done(() => removeTree(sys, a.path)),
  },
  'prune-upper': {
    command: (a) => ({
      command: `prune ${shellQuote(a.upper)} against ${shellQuote(a.lower.join(':'))}`,
      note: 'drop what shadows the new base',
    }),
    confined: (a) => whole(a.upper, ...a.lower),
    perform: (sys, a) => done(() => pruneUpper(sys, a.upper, a.lower)),
  },
  rename: {
    command: (a) => ({ command: sh('mv', a.from, a.to) }),
    confined: (a) => [
      [a.from, false],
      [a.to, false],
    ],
    perform: (sys, a) => done(() => sys.rename(a.from, a.to)),
  },
  'copy-tree': {
    command: (a) => ({
      command: sh('cp', '-a', a.from, a.to),
      note: 'owner, mode, times, xattrs; through a temporary copy renamed into place',
    }),
    confined: (a) => [
      [a.from, true],
      [a.to, false],
    ],
    preview: (_, a) => ({ outcome: NO_OUTCOME, cleanup: [{ op: 'remove-tree', path: seedingDir(a.to) }] }),
    perform: (sys, a) => done(() => copyTreeAtomically(sys, a.from, a.to)),
  },
  'copy-label': {
    command: (a) => ({
      command: sh('chcon', `--reference=${a.from}`, a.to),
      note: `only if ${a.from} has an SELinux label`,
    }),
    confined: (a) => whole(a.from, a.to),
    perform: (sys, a) =>
      done(() => {
        const label = readLabel(sys, a.from);
        if (label !== null) writeLabel(sys, a.to, label);
      }),
  },
  'record-labels': {
    command: (a) => ({
      command: `record the SELinux labels in ${a.uppers.map((u) => `${shellQuote(u.upper)} (${u.path})`).join(', ')} to ${shellQuote(a.path)}`,
    }),
    confined: (a) => [[a.path, false], ...a.uppers.flatMap((u) => whole(u.upper, u.target))],
    preview: (sys, a) => ({
      outcome: NO_OUTCOME,
      cleanup: [{ op: 'remove-file', path: atomicTempPath(a.path, sys.pid) }],
    }),
    perform: (sys, a) =>
      done(() => {
        const overlays = a.uppers.map((u) => ({
          path: u.path,
          upper: u.upper,
          ...collectUpperLabels(sys, u.upper),
          top: collectTopLabels(sys, u.target),
        }));
        writeFileAtomic(sys, a.path, serializeLabels({ schema: LABELS_SCHEMA, overlays }), 0o644, STATE_FILE_MAX);
      }),
  },
};

/** The record of `a`'s operation (TypeScript cannot tie a table lookup to the action's own type). */
export function operationOf<A extends Action>(a: A): Operation<A> {
  return OPERATIONS[a.op] as unknown as Operation<A>;
}

export const commandOf = (a: Action): Command => operationOf(a).command(a);

/** Human-readable form of an action: its command line, and its note in parentheses. */
export function describeAction(a: Action): string {
  const { command, note } = commandOf(a);
  return note === undefined ? command : `${command} (${note})`;
}

export const confinedPaths = (a: Action): Confined => operationOf(a).confined(a);

export const NOTHING_FOUND: Preview = { outcome: NO_OUTCOME, cleanup: [] };
