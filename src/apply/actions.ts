// Each plan step as the exact operation that applies it, and the operations that undo it. Shared
// by the executor and `prepare-root plan`, so a dry run shows precisely what a boot does. Mounts
// are described as the equivalent mount(8) command line; they are made by system call.
import { PrepareRootError } from '../base/errors.js';
import { shellQuote } from '../base/text.js';
import type { LabelledUpper, Step } from '../plan/types.js';

/** A mount of a new filesystem: the layers of an overlay stay apart (the mounter passes them one by one). */
export interface FsMount {
  /** overlay and erofs have kernel variants (apply/compat.ts); tmpfs and a device's fstype have one. */
  readonly fstype: string;
  readonly source: string;
  readonly target: string;
  readonly readonly: boolean;
  readonly overlay?: {
    readonly lower: readonly string[];
    readonly data: readonly string[];
    readonly upper: string | null;
    readonly work: string | null;
  };
  /** Further options (`key=value` or a flag), in order. */
  readonly options: readonly string[];
  /** Directory the mount is made in, for relative layer paths (ostree passes the hotfix ones relative). */
  readonly cwd?: string;
}

export type Action =
  | { readonly op: 'mount'; readonly mount: FsMount }
  | { readonly op: 'bind'; readonly source: string; readonly target: string }
  | { readonly op: 'move'; readonly source: string; readonly target: string }
  | {
      readonly op: 'set-attrs';
      readonly target: string;
      readonly readonly?: boolean;
      readonly propagation?: 'private' | 'slave' | 'shared';
      readonly recursive?: boolean;
    }
  | { readonly op: 'unmount'; readonly target: string; readonly detach: boolean }
  | { readonly op: 'set-fs-readonly'; readonly target: string; readonly readonly: boolean }
  | { readonly op: 'mkdir'; readonly path: string; readonly mode: number; readonly existOk: boolean }
  | { readonly op: 'rmdir'; readonly path: string }
  | { readonly op: 'write-file'; readonly path: string; readonly mode: number; readonly content: Uint8Array }
  | { readonly op: 'remove-file'; readonly path: string }
  | { readonly op: 'symlink'; readonly path: string; readonly target: string }
  | { readonly op: 'mkdirp'; readonly path: string; readonly mode: number }
  | { readonly op: 'remove-tree'; readonly path: string }
  | { readonly op: 'prune-upper'; readonly upper: string; readonly lower: readonly string[] }
  | { readonly op: 'rename'; readonly from: string; readonly to: string }
  | { readonly op: 'copy-tree'; readonly from: string; readonly to: string }
  | { readonly op: 'copy-label'; readonly from: string; readonly to: string }
  | { readonly op: 'record-labels'; readonly path: string; readonly uppers: readonly LabelledUpper[] };

/** The operations that undo a step: the only ones a journal may name (apply/journal.ts). */
export const UNDO_OPS = [
  'remove-tree',
  'rmdir',
  'unmount',
  'remove-file',
  'rename',
  'set-fs-readonly',
  'bind',
  'set-attrs',
  'move',
  'mkdir',
  'write-file',
] as const;
export type UndoAction = Extract<Action, { readonly op: (typeof UNDO_OPS)[number] }>;

// overlayfs splits layers on `:` and options on `,` in its option string, and the kernel shows
// them that way in mountinfo; rather than escape them, refuse such paths (ostree's own layout
// never produces them).
function layer(step: Step, path: string): string {
  if (/[,:\\]/.test(path)) {
    throw new PrepareRootError(
      `step ${step.id}`,
      `overlay layer path ${path} contains ',', ':' or '\\', which overlayfs cannot take`,
    );
  }
  return path;
}

function overlayMount(step: Extract<Step, { kind: 'overlay' }>): FsMount {
  return {
    fstype: 'overlay',
    source: step.source ?? 'overlay',
    target: step.target,
    readonly: step.readonly,
    overlay: {
      lower: step.lower.map((l) => layer(step, l)),
      data: (step.dataLower ?? []).map((l) => layer(step, l)),
      upper: step.upper === null ? null : layer(step, step.upper),
      work: step.work === null ? null : layer(step, step.work),
    },
    options: step.options ?? [],
    ...(step.cwd === undefined ? {} : { cwd: step.cwd }),
  };
}

export function actionOf(step: Step): Action {
  switch (step.kind) {
    case 'make-private':
      return { op: 'set-attrs', target: step.target, propagation: 'private', recursive: true };
    case 'mkdir':
      return { op: 'mkdir', path: step.path, mode: step.mode, existOk: step.existOk };
    case 'bind':
      return { op: 'bind', source: step.source, target: step.target };
    case 'remount-bind':
      return { op: 'set-attrs', target: step.target, readonly: step.readonly };
    case 'remount-fs':
      return { op: 'set-fs-readonly', target: step.target, readonly: step.readonly };
    case 'tmpfs':
      return {
        op: 'mount',
        mount: { fstype: 'tmpfs', source: 'tmpfs', target: step.target, readonly: false, options: step.options },
      };
    case 'overlay':
      return { op: 'mount', mount: overlayMount(step) };
    case 'device-fs':
      return {
        op: 'mount',
        mount: { fstype: step.fstype, source: step.device, target: step.target, readonly: false, options: [] },
      };
    case 'erofs':
      return {
        op: 'mount',
        mount: {
          fstype: 'erofs',
          source: step.image,
          target: step.target,
          readonly: true,
          options: step.noacl ? ['noacl'] : [],
        },
      };
    case 'symlink':
      return { op: 'symlink', path: step.path, target: step.linkTarget };
    case 'mkdirp':
      return { op: 'mkdirp', path: step.path, mode: step.mode };
    case 'prune-upper':
      return { op: 'prune-upper', upper: step.upper, lower: step.lower };
    case 'rename':
      return { op: 'rename', from: step.from, to: step.to };
    case 'remove-tree':
      return { op: 'remove-tree', path: step.path };
    case 'copy':
      return { op: 'copy-tree', from: step.from, to: step.to };
    case 'propagation':
      return { op: 'set-attrs', target: step.target, propagation: step.propagation };
    case 'detach':
      return { op: 'unmount', target: step.target, detach: true };
    case 'move':
      return { op: 'move', source: step.source, target: step.target };
    case 'write-file':
      return { op: 'write-file', path: step.path, mode: step.mode, content: step.content };
    case 'rmdir':
      return { op: 'rmdir', path: step.path };
    case 'copy-label':
      return { op: 'copy-label', from: step.from, to: step.to };
    case 'record-labels':
      return { op: 'record-labels', path: step.path, uppers: step.uppers };
  }
}

/** What a completed step left that the undo must know about. */
export type Outcome =
  | { readonly kind: 'none' }
  /** mkdir, symlink: false when it existed already (then there is nothing to undo). */
  | { readonly kind: 'created'; readonly created: boolean }
  /** write-file: the previous content, null when the file did not exist. */
  | { readonly kind: 'replaced'; readonly previous: Uint8Array | null }
  /** mkdirp: the directories it created, outermost first. */
  | { readonly kind: 'created-dirs'; readonly dirs: readonly string[] };

export const NO_OUTCOME: Outcome = { kind: 'none' };

/**
 * The actions that undo a completed step, in order; none when there is nothing of its own to
 * undo: a remount or propagation change goes away with the mount it was applied to, which is
 * undone separately. (make-private is the exception: it is not reverted, peer groups cannot be
 * recreated.)
 */
export function undoOf(step: Step, outcome: Outcome): readonly UndoAction[] {
  switch (step.kind) {
    case 'mkdir':
      if (outcome.kind === 'created' && !outcome.created) return [];
      // An upper or workdir made by this run holds only what the overlay put there since: copy-ups,
      // or work/, index/ (and the incompat/volatile marker of a volatile mount).
      if (step.overlayDir === 'upper') return [{ op: 'remove-tree', path: step.path }];
      return step.overlayDir === 'work'
        ? [
            { op: 'remove-tree', path: `${step.path}/work` },
            { op: 'remove-tree', path: `${step.path}/index` },
            { op: 'rmdir', path: step.path },
          ]
        : [{ op: 'rmdir', path: step.path }];
    case 'bind':
    case 'tmpfs':
    case 'device-fs':
    case 'overlay':
    case 'erofs':
      return [{ op: 'unmount', target: step.target, detach: false }];
    case 'symlink':
      return outcome.kind === 'created' && !outcome.created ? [] : [{ op: 'remove-file', path: step.path }];
    case 'mkdirp':
      return outcome.kind === 'created-dirs' ? [...outcome.dirs].reverse().map((path) => ({ op: 'rmdir', path })) : [];
    case 'copy':
      return [{ op: 'remove-tree', path: step.to }];
    // Pruning is what the update demands anyway: nothing to restore, and a retry finds it done.
    case 'prune-upper':
      return [];
    // The upper stays as clean as the checkpoint left it: nothing needs the marker back.
    case 'remove-tree':
      return [];
    case 'rename':
      return [{ op: 'rename', from: step.to, to: step.from }];
    case 'remount-fs':
      return [{ op: 'set-fs-readonly', target: step.target, readonly: !step.readonly }];
    case 'detach':
      if (step.restoreFrom === null) return [];
      return [
        { op: 'bind', source: step.restoreFrom, target: step.target },
        ...(step.restoreReadonly ? [{ op: 'set-attrs', target: step.target, readonly: true } as const] : []),
      ];
    case 'move':
      return [{ op: 'move', source: step.target, target: step.source }];
    case 'rmdir':
      return [{ op: 'mkdir', path: step.path, mode: 0o755, existOk: false }];
    case 'record-labels':
      return [{ op: 'remove-file', path: step.path }];
    case 'write-file':
      return [
        outcome.kind === 'replaced' && outcome.previous !== null
          ? { op: 'write-file', path: step.path, mode: step.mode, content: outcome.previous }
          : { op: 'remove-file', path: step.path },
      ];
    case 'make-private':
    case 'remount-bind':
    case 'propagation':
      return [];
    // The dir labelled is one this run made (removed by its own undo) or a state upper that
    // keeps the image's label, which it should have anyway.
    case 'copy-label':
      return [];
  }
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

function describeMount(m: FsMount): string {
  const options =
    m.fstype === 'overlay' ? overlayOptionString(m) : [...(m.readonly ? ['ro'] : []), ...m.options].join(',');
  const command = sh('mount', '-t', m.fstype, ...(options === '' ? [] : ['-o', options]), m.source, m.target);
  return m.cwd === undefined ? command : `(cd ${shellQuote(m.cwd)} && ${command})`;
}

/** Words as a shell command line, each quoted where it has to be. */
function sh(...words: string[]): string {
  return words.map(shellQuote).join(' ');
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0');

/**
 * An action as a command line that can be pasted into a shell, and what the command alone does
 * not say (a note): for the operations with no exact shell equivalent, what prepare-root does
 * beyond it.
 */
export function commandOf(action: Action): { readonly command: string; readonly note?: string } {
  switch (action.op) {
    case 'mount':
      return { command: describeMount(action.mount) };
    case 'bind':
      return { command: sh('mount', '--bind', action.source, action.target) };
    case 'move':
      return { command: sh('mount', '--move', action.source, action.target) };
    case 'set-attrs':
      if (action.propagation !== undefined)
        return {
          command: sh('mount', `--make-${action.recursive ? 'r' : ''}${action.propagation}`, action.target),
        };
      return { command: sh('mount', '-o', `remount,bind,${action.readonly ? 'ro' : 'rw'}`, action.target) };
    case 'unmount':
      return { command: sh('umount', ...(action.detach ? ['--lazy'] : []), action.target) };
    case 'set-fs-readonly':
      return { command: sh('mount', '-o', `remount,${action.readonly ? 'ro' : 'rw'}`, action.target) };
    case 'mkdir':
      return {
        command: sh('mkdir', '-m', octal(action.mode), action.path),
        ...(action.existOk ? { note: 'may exist' } : {}),
      };
    case 'rmdir':
      return { command: sh('rmdir', action.path) };
    case 'write-file':
      return {
        command: `write ${shellQuote(action.path)}`,
        note: `${action.content.length} bytes, mode ${octal(action.mode)}, atomically`,
      };
    case 'remove-file':
      return { command: sh('rm', action.path) };
    case 'symlink':
      return { command: sh('ln', '-s', action.target, action.path), note: 'may exist' };
    case 'mkdirp':
      return { command: sh('mkdir', '-p', '-m', octal(action.mode), action.path) };
    case 'remove-tree':
      return { command: sh('rm', '-r', action.path), note: 'no mount inside' };
    case 'prune-upper':
      return {
        command: `prune ${shellQuote(action.upper)} against ${shellQuote(action.lower.join(':'))}`,
        note: 'drop what shadows the new base',
      };
    case 'rename':
      return { command: sh('mv', action.from, action.to) };
    case 'copy-tree':
      return {
        command: sh('cp', '-a', action.from, action.to),
        note: 'owner, mode, times, xattrs; through a temporary copy renamed into place',
      };
    case 'copy-label':
      return {
        command: sh('chcon', `--reference=${action.from}`, action.to),
        note: `only if ${action.from} has an SELinux label`,
      };
    case 'record-labels':
      return {
        command: `record the SELinux labels in ${action.uppers.map((u) => `${shellQuote(u.upper)} (${u.path})`).join(', ')} to ${shellQuote(action.path)}`,
      };
  }
}

/** Human-readable form of an action: its command line, and its note in parentheses. */
export function describeAction(action: Action): string {
  const { command, note } = commandOf(action);
  return note === undefined ? command : `${command} (${note})`;
}
