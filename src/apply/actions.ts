// Each plan step as the exact operation that applies it, and the operations that undo it. Shared
// by the executor and `prepare-root plan`, so a dry run shows precisely what a boot does. What
// each operation is and does lives in apply/operations.ts.
import { PrepareRootError } from '../base/errors.js';
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
      { step: step.id },
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
 * What the executor knows of one kind of plan step: the action that applies it; the actions that
 * undo it once completed, in order (none when there is nothing of its own to undo: a remount or
 * propagation change goes away with the mount it was applied to, which is undone separately;
 * make-private is not reverted, peer groups cannot be recreated); and, for a step whose undo
 * unmounts, moves or rebinds a mount, the path whose mount id tells a recovery whether the step
 * happened. Adding a kind of step is an entry here.
 */
interface StepKind<S extends Step> {
  readonly action: (step: S) => Action;
  readonly undo: (step: S, outcome: Outcome) => readonly UndoAction[];
  readonly guarded?: true;
}

const NOTHING_TO_UNDO = () => [];
const unmountIt = (step: { readonly target: string }): UndoAction[] => [
  { op: 'unmount', target: step.target, detach: false },
];
const mountOf = (mount: FsMount): Action => ({ op: 'mount', mount });
const madeHere = (outcome: Outcome) => !(outcome.kind === 'created' && !outcome.created);

const STEP_KINDS: { readonly [K in Step['kind']]: StepKind<Extract<Step, { readonly kind: K }>> } = {
  'make-private': {
    action: (s) => ({ op: 'set-attrs', target: s.target, propagation: 'private', recursive: true }),
    undo: NOTHING_TO_UNDO,
  },
  mkdir: {
    action: (s) => ({ op: 'mkdir', path: s.path, mode: s.mode, existOk: s.existOk }),
    undo: (s, outcome) => {
      if (!madeHere(outcome)) return [];
      // An upper or workdir made by this run holds only what the overlay put there since:
      // copy-ups, or work/, index/ (and the incompat/volatile marker of a volatile mount).
      if (s.overlayDir === 'upper') return [{ op: 'remove-tree', path: s.path }];
      return s.overlayDir === 'work'
        ? [
            { op: 'remove-tree', path: `${s.path}/work` },
            { op: 'remove-tree', path: `${s.path}/index` },
            { op: 'rmdir', path: s.path },
          ]
        : [{ op: 'rmdir', path: s.path }];
    },
  },
  bind: { action: (s) => ({ op: 'bind', source: s.source, target: s.target }), undo: unmountIt, guarded: true },
  'remount-bind': {
    action: (s) => ({ op: 'set-attrs', target: s.target, readonly: s.readonly }),
    undo: NOTHING_TO_UNDO,
  },
  'remount-fs': {
    action: (s) => ({ op: 'set-fs-readonly', target: s.target, readonly: s.readonly }),
    undo: (s) => [{ op: 'set-fs-readonly', target: s.target, readonly: !s.readonly }],
  },
  tmpfs: {
    action: (s) => mountOf({ fstype: 'tmpfs', source: 'tmpfs', target: s.target, readonly: false, options: s.options }),
    undo: unmountIt,
    guarded: true,
  },
  overlay: { action: (s) => mountOf(overlayMount(s)), undo: unmountIt, guarded: true },
  'device-fs': {
    action: (s) => mountOf({ fstype: s.fstype, source: s.device, target: s.target, readonly: false, options: [] }),
    undo: unmountIt,
    guarded: true,
  },
  erofs: {
    action: (s) =>
      mountOf({
        fstype: 'erofs',
        source: s.image,
        target: s.target,
        readonly: true,
        options: s.noacl ? ['noacl'] : [],
      }),
    undo: unmountIt,
    guarded: true,
  },
  symlink: {
    action: (s) => ({ op: 'symlink', path: s.path, target: s.linkTarget }),
    undo: (s, outcome) => (madeHere(outcome) ? [{ op: 'remove-file', path: s.path }] : []),
  },
  mkdirp: {
    action: (s) => ({ op: 'mkdirp', path: s.path, mode: s.mode }),
    undo: (_, outcome) =>
      outcome.kind === 'created-dirs' ? [...outcome.dirs].reverse().map((path) => ({ op: 'rmdir', path })) : [],
  },
  // Pruning is what the update demands anyway: nothing to restore, and a retry finds it done.
  'prune-upper': { action: (s) => ({ op: 'prune-upper', upper: s.upper, lower: s.lower }), undo: NOTHING_TO_UNDO },
  rename: {
    action: (s) => ({ op: 'rename', from: s.from, to: s.to }),
    undo: (s) => [{ op: 'rename', from: s.to, to: s.from }],
  },
  // The upper stays as clean as the checkpoint left it: nothing needs the marker back.
  'remove-tree': { action: (s) => ({ op: 'remove-tree', path: s.path }), undo: NOTHING_TO_UNDO },
  copy: {
    action: (s) => ({ op: 'copy-tree', from: s.from, to: s.to }),
    undo: (s) => [{ op: 'remove-tree', path: s.to }],
  },
  propagation: {
    action: (s) => ({ op: 'set-attrs', target: s.target, propagation: s.propagation }),
    undo: NOTHING_TO_UNDO,
  },
  detach: {
    action: (s) => ({ op: 'unmount', target: s.target, detach: true }),
    undo: (s) =>
      s.restoreFrom === null
        ? []
        : [
            { op: 'bind', source: s.restoreFrom, target: s.target },
            ...(s.restoreReadonly ? [{ op: 'set-attrs', target: s.target, readonly: true } as const] : []),
          ],
    guarded: true,
  },
  move: {
    action: (s) => ({ op: 'move', source: s.source, target: s.target }),
    undo: (s) => [{ op: 'move', source: s.target, target: s.source }],
    guarded: true,
  },
  'write-file': {
    action: (s) => ({ op: 'write-file', path: s.path, mode: s.mode, content: s.content }),
    undo: (s, outcome) => [
      outcome.kind === 'replaced' && outcome.previous !== null
        ? { op: 'write-file', path: s.path, mode: s.mode, content: outcome.previous }
        : { op: 'remove-file', path: s.path },
    ],
  },
  rmdir: {
    action: (s) => ({ op: 'rmdir', path: s.path }),
    undo: (s) => [{ op: 'mkdir', path: s.path, mode: 0o755, existOk: false }],
  },
  // The dir labelled is one this run made (removed by its own undo) or a state upper that keeps
  // the image's label, which it should have anyway.
  'copy-label': { action: (s) => ({ op: 'copy-label', from: s.from, to: s.to }), undo: NOTHING_TO_UNDO },
  'record-labels': {
    action: (s) => ({ op: 'record-labels', path: s.path, uppers: s.uppers }),
    undo: (s) => [{ op: 'remove-file', path: s.path }],
  },
};

/** The record of `step`'s kind (TypeScript cannot tie a table lookup to the step's own type). */
function kindOf<S extends Step>(step: S): StepKind<S> {
  return STEP_KINDS[step.kind] as unknown as StepKind<S>;
}

export const actionOf = (step: Step): Action => kindOf(step).action(step);

export const undoOf = (step: Step, outcome: Outcome): readonly UndoAction[] => kindOf(step).undo(step, outcome);

/** The path whose mount a step's undo unmounts, moves or rebinds (its target); null for other steps. */
export function mountGuardPath(step: Step): string | null {
  return kindOf(step).guarded && 'target' in step ? step.target : null;
}
