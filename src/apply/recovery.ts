// Recovery from a run that was killed half-way: undo, in reverse, what its journal says it did
// (apply/journal.ts) so that this run starts from the state before it. The journal lies in /run,
// which prepare-root does not trust: every path it names must be one a plan of ours touches
// (SYSROOT, the staging point, /run/ostree, /run/prepare-root, /run/systemd/volatile-root), and
// every undo of a mount is made only if that mount did change.
import { PrepareRootError, SysError, isSysError, messageOf } from '../base/errors.js';
import {
  LOGIN_NOTICE,
  RUN_OSTREE,
  RUN_OSTREE_BOOTED,
  RUN_PREPARE_ROOT,
  STAGING_ROOT,
  VOLATILE_ROOT_LINK,
} from '../base/paths.js';
import { dirname, isUnder } from '../base/posix-path.js';
import { tryLstat } from '../fs/files.js';
import type { System } from '../platform/system.js';
import type { Action } from './actions.js';
import { confinedPaths } from './operations.js';
import { type GuardedAction, type ReadJournal, parseJournal } from './journal.js';
import type { Mounter } from './mounter.js';

export interface Recovered {
  /** The killed run's pid. */
  readonly pid: number;
  /** Steps it had started (done or not). */
  readonly steps: number;
  /** Undo actions performed (the others found nothing to undo). */
  readonly undone: number;
}

const ROOTS = [STAGING_ROOT, RUN_OSTREE, RUN_PREPARE_ROOT, RUN_OSTREE_BOOTED, VOLATILE_ROOT_LINK];

/** The file an atomic write of which `path` is the temporary file, or `path` itself. */
function writtenPath(path: string): string {
  const temp = /^(.*)\/\.([^/]+)\.\d+\.tmp$/.exec(path);
  return temp === null ? path : `${temp[1]}/${temp[2]}`;
}

/** Where a path named by a journal may lie: where our steps act, or an atomic write's temporary file there. */
function allowed(sysroot: string, path: string): boolean {
  const p = writtenPath(path);
  return p === '/run/systemd' || [sysroot, ...ROOTS].some((root) => isUnder(p, root));
}

/**
 * The login notice lies in a directory others write to too (/run/motd.d): there a journal may
 * name only what our steps do, removing the notice (or its temporary file) and the directory if
 * we made it, nothing else of it.
 */
function allowedNotice(action: Action): boolean {
  if (action.op === 'remove-file') return writtenPath(action.path) === LOGIN_NOTICE;
  return action.op === 'rmdir' && action.path === dirname(LOGIN_NOTICE);
}

/** What an undo may find already undone (or never done): nothing there, not a mount, not empty. */
function nothingToUndo(e: unknown, action: Action): boolean {
  const cause = e instanceof PrepareRootError && e.cause instanceof SysError ? e.cause : isSysError(e) ? e : null;
  if (cause === null) return false;
  if (cause.code === 'ENOENT' || cause.code === 'ENOTDIR') return true;
  if (cause.code === 'EINVAL') return action.op === 'unmount' || action.op === 'move';
  if (cause.code === 'ENOTEMPTY' || cause.code === 'EEXIST') return action.op === 'rmdir' || action.op === 'mkdir';
  return false;
}

function check(journal: ReadJournal, sysroot: string, file: string): void {
  if (journal.sysroot !== sysroot) {
    throw new PrepareRootError(
      file,
      `an interrupted run (pid ${journal.pid}) prepared ${journal.sysroot}, not ${sysroot}: refusing to undo it from here`,
    );
  }
  for (const { undo } of journal.steps) {
    for (const { action, guard } of undo) {
      if (allowedNotice(action)) continue;
      const outside = [...confinedPaths(action).map(([p]) => p), ...(guard === undefined ? [] : [guard.path])].find(
        (p) => !allowed(sysroot, p),
      );
      if (outside !== undefined)
        throw new PrepareRootError(
          file,
          `names ${outside}, which no step of prepare-root touches: refusing to act on it`,
        );
    }
  }
}

/** The undo is due when the step changed the mount its guard names (or when it has no guard). */
function due(sys: System, g: GuardedAction): boolean {
  if (g.guard === undefined) return true;
  const now = tryLstat(sys, g.guard.path);
  return now !== null && now.mountId !== g.guard.mountIdBefore;
}

/** Undo what the journal at `file` names, then remove it; null when there is none. */
export function recoverInterrupted(
  sys: System,
  mounter: Mounter,
  file: string,
  sysroot: string,
  limit: number,
): Recovered | null {
  const st = tryLstat(sys, file);
  if (st === null) return null;
  const parsed = parseJournal(sys.readFile(file, limit));
  if (typeof parsed === 'string')
    throw new PrepareRootError({ path: file }, `not a journal prepare-root can recover from: ${parsed}`);
  check(parsed, sysroot, file);
  let undone = 0;
  for (const step of [...parsed.steps].reverse()) {
    for (const g of step.undo) {
      if (!due(sys, g)) continue;
      try {
        mounter.perform(g.action);
        undone++;
      } catch (e) {
        if (nothingToUndo(e, g.action)) continue;
        const why = messageOf(e);
        throw new PrepareRootError(
          `recovering from the interrupted run (pid ${parsed.pid})`,
          `undoing step ${step.id}: ${why}`,
          { cause: e },
        );
      }
    }
  }
  sys.unlink(file);
  return { pid: parsed.pid, steps: parsed.steps.length, undone };
}
