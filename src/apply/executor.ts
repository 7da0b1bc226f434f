// Apply a plan step by step through a Mounter, recording each step; when a step fails, undo the
// completed ones in reverse order (continuing past undo failures, which are reported) so the
// mount table is as it was before.
import { PrepareRootError, isPrepareRootError, messageOf } from '../base/errors.js';
import { shortList } from '../base/text.js';
import type { Plan, Step } from '../plan/types.js';
import { type Action, type UndoAction, actionOf, mountGuardPath, undoOf } from './actions.js';
import { describeAction } from './operations.js';
import type { GuardedAction, Journal } from './journal.js';
import type { Mounter } from './mounter.js';

export type StepStatus = 'done' | 'failed' | 'undone' | 'undo-failed' | 'kept';

export interface StepRecord {
  readonly id: string;
  readonly command: string;
  readonly status: StepStatus;
  /** Which kernel-compatibility variant made the mount (e.g. `file` or `loop` for an EROFS image). */
  readonly variant?: string;
  readonly error?: string;
  readonly undo?: string;
}

export class ExecutionError extends PrepareRootError {
  constructor(
    readonly failedStep: Step,
    readonly records: readonly StepRecord[],
    cause: PrepareRootError,
  ) {
    const undoFailures = records.filter((r) => r.status === 'undo-failed');
    const rolledBack = records.filter((r) => r.status === 'undone').length;
    const rollback =
      undoFailures.length === 0
        ? `rolled back ${rolledBack} completed step${rolledBack === 1 ? '' : 's'}`
        : `rollback incomplete: ${shortList(
            undoFailures.map((r) => `${r.id} (${r.error})`),
            3,
            '; ',
          )}`;
    super({ step: failedStep.id }, `${cause.message}; ${rollback}`, { cause });
  }
}

function asPrepareRootError(e: unknown): PrepareRootError {
  return isPrepareRootError(e) ? e : new PrepareRootError('internal', messageOf(e), { cause: e });
}

interface Completed {
  readonly index: number;
  undo: readonly Action[];
}

/** Undo actions for the journal: the mount-changing ones carry the guard (what the mount id was before). */
function guarded(undo: readonly UndoAction[], guard: GuardedAction['guard']): GuardedAction[] {
  return undo.map((action) =>
    guard !== undefined && (action.op === 'unmount' || action.op === 'move' || action.op === 'bind')
      ? { action, guard }
      : { action },
  );
}

export function applyPlan(plan: Plan, mounter: Mounter, journal?: Journal): StepRecord[] {
  const records: StepRecord[] = [];
  const completed: Completed[] = [];
  for (const [i, step] of plan.steps.entries()) {
    const action = actionOf(step);
    const command = describeAction(action);
    let guard: GuardedAction['guard'];
    try {
      if (journal !== undefined) {
        // Written before the step: should the run be killed during it, what would undo it.
        const guardPath = mountGuardPath(step);
        const before = guardPath === null ? null : mounter.mountIdOf(guardPath);
        guard = guardPath === null || before === null ? undefined : { path: guardPath, mountIdBefore: before };
        const preview = mounter.preview(action);
        journal.record({
          start: i,
          id: step.id,
          undo: [...preview.cleanup.map((a) => ({ action: a })), ...guarded(undoOf(step, preview.outcome), guard)],
        });
      }
      const { outcome, variant } = mounter.perform(action);
      records.push({ id: step.id, command, status: 'done', ...(variant === undefined ? {} : { variant }) });
      const undo = undoOf(step, outcome);
      completed.push({ index: records.length - 1, undo });
      journal?.record({ done: i, undo: guarded(undo, guard) });
      if (step.kind === 'detach' && step.endsUndoOf !== undefined) {
        const ended = completed.find((c) => records[c.index]!.id === step.endsUndoOf);
        if (ended !== undefined) {
          ended.undo = [];
          journal?.record({ done: ended.index, undo: [] });
        }
      }
    } catch (e) {
      const error = asPrepareRootError(e);
      records.push({ id: step.id, command, status: 'failed', error: error.message });
      rollBack(mounter, completed, records, journal);
      throw new ExecutionError(step, records, error);
    }
  }
  return records;
}

function rollBack(mounter: Mounter, completed: readonly Completed[], records: StepRecord[], journal?: Journal): void {
  for (const { index, undo } of [...completed].reverse()) {
    const record = records[index]!;
    if (undo.length === 0) {
      records[index] = { ...record, status: 'kept' };
      continue;
    }
    const described = undo.map(describeAction).join('; ');
    try {
      for (const action of undo) mounter.perform(action);
      records[index] = { ...record, status: 'undone', undo: described };
      journal?.record({ undone: index });
    } catch (e) {
      records[index] = { ...record, status: 'undo-failed', undo: described, error: asPrepareRootError(e).message };
    }
  }
}
