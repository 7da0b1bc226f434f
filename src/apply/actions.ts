// Each plan step as the exact util-linux command or file operation that applies it, and the
// operation that undoes it. Shared by the executor and `prepare-root plan`, so a dry run shows
// precisely what a boot runs.
import { PrepareRootError } from '../errors.js';
import type { Step } from './types.js';

// --no-mtab: don't record our mounts in /run/mount/utab. They are made in the initramfs and moved
// or detached later, so entries would only go stale in the booted system (and ostree's raw
// mount(2) calls write none either).
export const MOUNT = ['mount', '--no-mtab'] as const;
export const UMOUNT = ['umount', '--no-mtab'] as const;

export type Action =
  /** `fallback` runs when `argv` fails (e.g. an older kernel refusing an option). */
  | { readonly op: 'exec'; readonly argv: readonly string[]; readonly cwd?: string; readonly fallback?: readonly string[] }
  | { readonly op: 'mkdir'; readonly path: string; readonly mode: number; readonly existOk: boolean }
  | { readonly op: 'rmdir'; readonly path: string }
  | { readonly op: 'write-file'; readonly path: string; readonly mode: number; readonly content: Uint8Array }
  | { readonly op: 'remove-file'; readonly path: string }
  | { readonly op: 'symlink'; readonly path: string; readonly target: string }
  | { readonly op: 'mkdirp'; readonly path: string; readonly mode: number }
  | { readonly op: 'remove-tree'; readonly path: string }
  | { readonly op: 'prune-upper'; readonly upper: string; readonly lower: readonly string[] }
  | { readonly op: 'rename'; readonly from: string; readonly to: string };

// overlayfs splits layers on `:` and options on `,`; rather than escape them through libmount's
// quoting rules, refuse such paths (ostree's own layout never produces them).
function layer(step: Step, path: string): string {
  if (/[,:\\]/.test(path)) {
    throw new PrepareRootError(`step ${step.id}`, `overlay layer path ${path} contains ',', ':' or '\\', which overlayfs cannot take`);
  }
  return path;
}

/**
 * `dataSeparator`: `::` puts the data-only layers after the normal ones; kernels without data-only
 * lowers (< 6.5) refuse it, and then ':' makes them ordinary lowers (libcomposefs' fallback: the
 * image root is opaque and whites out the object dirs, so they stay hidden).
 */
export function overlayOptions(step: Extract<Step, { kind: 'overlay' }>, dataSeparator: '::' | ':' = '::'): string {
  const opts: string[] = [];
  if (step.readonly) opts.push('ro');
  const lower = step.lower.map((l) => layer(step, l)).join(':');
  const data = (step.dataLower ?? []).map((l) => layer(step, l)).join(':');
  opts.push(`lowerdir=${data === '' ? lower : `${lower}${dataSeparator}${data}`}`);
  if (step.upper !== null) opts.push(`upperdir=${layer(step, step.upper)}`);
  if (step.work !== null) opts.push(`workdir=${layer(step, step.work)}`);
  opts.push(...(step.options ?? []));
  return opts.join(',');
}

export function actionOf(step: Step): Action {
  switch (step.kind) {
    case 'make-private': return { op: 'exec', argv: [...MOUNT, '--make-rprivate', step.target] };
    case 'mkdir': return { op: 'mkdir', path: step.path, mode: step.mode, existOk: step.existOk };
    case 'bind': return { op: 'exec', argv: [...MOUNT, '--bind', step.source, step.target] };
    case 'remount-bind': return { op: 'exec', argv: [...MOUNT, '-o', `remount,bind,${step.readonly ? 'ro' : 'rw'}`, step.target] };
    case 'tmpfs': return { op: 'exec', argv: [...MOUNT, '-t', 'tmpfs', '-o', step.options.join(','), 'tmpfs', step.target] };
    case 'proc': return { op: 'exec', argv: [...MOUNT, '-t', 'proc', 'proc', step.target] };
    case 'unmount': return { op: 'exec', argv: [...UMOUNT, step.target] };
    case 'overlay': {
      const argv = (sep: '::' | ':') => [...MOUNT, '-t', 'overlay', '-o', overlayOptions(step, sep), step.source ?? 'overlay', step.target];
      return {
        op: 'exec', argv: argv('::'),
        ...(step.cwd === undefined ? {} : { cwd: step.cwd }),
        ...(step.dataLower?.length ? { fallback: argv(':') } : {}),
      };
    }
    case 'erofs': {
      // File-backed EROFS (kernel >= 6.12, with a libmount that passes a file source) needs no loop
      // device; otherwise a read-only loop device, cleared automatically once unmounted.
      const options = (loop: boolean) => ['ro', ...(loop ? ['loop'] : []), ...(step.noacl ? ['noacl'] : [])].join(',');
      return {
        op: 'exec',
        argv: [...MOUNT, '-t', 'erofs', '-o', options(false), step.image, step.target],
        fallback: [...MOUNT, '-t', 'erofs', '-o', options(true), step.image, step.target],
      };
    }
    case 'symlink': return { op: 'symlink', path: step.path, target: step.linkTarget };
    case 'mkdirp': return { op: 'mkdirp', path: step.path, mode: step.mode };
    case 'prune-upper': return { op: 'prune-upper', upper: step.upper, lower: step.lower };
    case 'rename': return { op: 'rename', from: step.from, to: step.to };
    case 'remove-tree': return { op: 'remove-tree', path: step.path };
    case 'copy': return { op: 'exec', argv: ['cp', '--archive', '--preserve=all', '--no-target-directory', step.from, step.to] };
    case 'propagation': return { op: 'exec', argv: [...MOUNT, `--make-${step.propagation}`, step.target] };
    case 'detach': return { op: 'exec', argv: [...UMOUNT, '--lazy', step.target] };
    case 'move': return { op: 'exec', argv: [...MOUNT, '--move', step.source, step.target] };
    case 'write-file': return { op: 'write-file', path: step.path, mode: step.mode, content: step.content };
    case 'rmdir': return { op: 'rmdir', path: step.path };
  }
}

/** What a completed step left that the undo must know about. */
export interface Outcome {
  /** mkdir: false when the directory already existed (then there is nothing to undo). */
  readonly created?: boolean;
  /** write-file: the previous content, null when the file did not exist. */
  readonly previous?: Uint8Array | null;
  /** mkdirp: the directories it created, outermost first. */
  readonly createdDirs?: readonly string[];
}

/**
 * The actions that undo a completed step, in order; none when there is nothing of its own to
 * undo: a remount or propagation change goes away with the mount it was applied to, which is
 * undone separately. (make-private is the exception: it is not reverted, peer groups cannot be
 * recreated.)
 */
export function undoOf(step: Step, outcome: Outcome): readonly Action[] {
  switch (step.kind) {
    case 'mkdir':
      if (outcome.created === false) return [];
      // A workdir made by this run holds only what overlayfs put there (work/, index/, and the
      // incompat/volatile marker of a volatile mount): remove that, then the dir.
      return step.overlayWork
        ? [{ op: 'remove-tree', path: `${step.path}/work` }, { op: 'remove-tree', path: `${step.path}/index` }, { op: 'rmdir', path: step.path }]
        : [{ op: 'rmdir', path: step.path }];
    case 'bind': case 'tmpfs': case 'overlay': case 'proc': case 'erofs': return [{ op: 'exec', argv: [...UMOUNT, step.target] }];
    case 'symlink': return outcome.created === false ? [] : [{ op: 'remove-file', path: step.path }];
    case 'mkdirp': return [...(outcome.createdDirs ?? [])].reverse().map((path) => ({ op: 'rmdir', path }));
    case 'copy': return [{ op: 'remove-tree', path: step.to }];
    // Pruning is what the update demands anyway: nothing to restore, and a retry finds it done.
    case 'prune-upper': return [];
    // The upper stays as clean as the checkpoint left it: nothing needs the marker back.
    case 'remove-tree': return [];
    case 'rename': return [{ op: 'rename', from: step.to, to: step.from }];
    case 'unmount': return [{ op: 'exec', argv: [...MOUNT, '-t', step.fstype, step.fstype, step.target] }];
    case 'detach': return step.restoreFrom === null ? [] : [{ op: 'exec', argv: [...MOUNT, '--bind', step.restoreFrom, step.target] }];
    case 'move': return [{ op: 'exec', argv: [...MOUNT, '--move', step.target, step.source] }];
    case 'rmdir': return [{ op: 'mkdir', path: step.path, mode: 0o755, existOk: false }];
    case 'write-file':
      return [outcome.previous == null
        ? { op: 'remove-file', path: step.path }
        : { op: 'write-file', path: step.path, mode: step.mode, content: outcome.previous }];
    case 'make-private': case 'remount-bind': case 'propagation': return [];
  }
}

/** Human-readable form of an action, as a shell command line. */
export function describeAction(action: Action): string {
  switch (action.op) {
    case 'exec': {
      const command = `${action.argv.join(' ')}${action.fallback === undefined ? '' : ` || ${action.fallback.join(' ')}`}`;
      return action.cwd === undefined ? command : `(cd ${action.cwd} && ${command})`;
    }
    case 'mkdir': return `mkdir -m ${action.mode.toString(8).padStart(4, '0')} ${action.path}${action.existOk ? ' (may exist)' : ''}`;
    case 'rmdir': return `rmdir ${action.path}`;
    case 'write-file': return `write ${action.path} (${action.content.length} bytes, mode ${action.mode.toString(8).padStart(4, '0')}, atomically)`;
    case 'remove-file': return `rm ${action.path}`;
    case 'symlink': return `ln -s ${action.target} ${action.path} (may exist)`;
    case 'mkdirp': return `mkdir -p -m ${action.mode.toString(8).padStart(4, '0')} ${action.path}`;
    case 'remove-tree': return `rm -r ${action.path} (no mount inside)`;
    case 'prune-upper': return `prune ${action.upper} against ${action.lower.join(':')} (drop what shadows the new base)`;
    case 'rename': return `mv ${action.from} ${action.to}`;
  }
}
