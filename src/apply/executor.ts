// Apply a plan step by step through a Mounter, recording each step; when a step fails, undo the
// completed ones in reverse order (continuing past undo failures, which are reported) so the
// mount table is as it was before.
import { PrepareRootError } from '../errors.js';
import type { Mounter } from '../mounter.js';
import { type Action, type Outcome, actionOf, describeAction, undoOf } from './commands.js';
import type { Plan, Step } from './types.js';

export type StepStatus = 'done' | 'failed' | 'undone' | 'undo-failed' | 'kept';

export interface StepRecord {
  readonly id: string;
  readonly command: string;
  status: StepStatus;
  error?: string;
  undo?: string;
}

export class ExecutionError extends PrepareRootError {
  constructor(
    readonly failedStep: Step,
    readonly records: readonly StepRecord[],
    cause: PrepareRootError,
  ) {
    const undoFailures = records.filter((r) => r.status === 'undo-failed');
    const rolledBack = records.filter((r) => r.status === 'undone').length;
    const rollback = undoFailures.length === 0
      ? `rolled back ${rolledBack} completed step${rolledBack === 1 ? '' : 's'}`
      : `rollback incomplete: ${undoFailures.map((r) => `${r.id} (${r.error})`).join('; ')}`;
    super(`step ${failedStep.id}`, `${cause.message}; ${rollback}`, { cause });
  }
}

function perform(mounter: Mounter, action: Action): Outcome {
  switch (action.op) {
    case 'exec':
      try {
        mounter.exec(action.argv, action.cwd);
      } catch (e) {
        if (action.fallback === undefined) throw e;
        mounter.exec(action.fallback, action.cwd);
      }
      return {};
    case 'symlink': return { created: mounter.symlink(action.path, action.target) };
    case 'mkdirp': return { createdDirs: mounter.mkdirp(action.path, action.mode) };
    case 'remove-tree': mounter.removeTree(action.path); return {};
    case 'prune-upper': mounter.pruneUpper(action.upper, action.lower); return {};
    case 'rename': mounter.rename(action.from, action.to); return {};
    case 'mkdir': return { created: mounter.mkdir(action.path, action.mode, action.existOk) };
    case 'rmdir': mounter.rmdir(action.path); return {};
    case 'write-file': return { previous: mounter.writeFileAtomic(action.path, action.content, action.mode) };
    case 'remove-file': mounter.removeFile(action.path); return {};
  }
}

function asPrepareRootError(e: unknown): PrepareRootError {
  return e instanceof PrepareRootError ? e : new PrepareRootError('internal', String(e), { cause: e });
}

export function applyPlan(plan: Plan, mounter: Mounter): StepRecord[] {
  const records: StepRecord[] = [];
  const undoStack: Array<{ record: StepRecord; undo: readonly Action[] }> = [];
  for (const step of plan.steps) {
    const action = actionOf(step);
    const record: StepRecord = { id: step.id, command: describeAction(action), status: 'done' };
    records.push(record);
    try {
      const outcome = perform(mounter, action);
      undoStack.push({ record, undo: undoOf(step, outcome) });
      if (step.kind === 'detach' && step.endsUndoOf !== undefined) {
        const ended = undoStack.find((u) => u.record.id === step.endsUndoOf);
        if (ended !== undefined) ended.undo = [];
      }
    } catch (e) {
      const error = asPrepareRootError(e);
      record.status = 'failed';
      record.error = error.message;
      rollBack(mounter, undoStack);
      throw new ExecutionError(step, records, error);
    }
  }
  return records;
}

function rollBack(mounter: Mounter, undoStack: Array<{ record: StepRecord; undo: readonly Action[] }>): void {
  for (const { record, undo } of undoStack.reverse()) {
    if (undo.length === 0) {
      record.status = 'kept';
      continue;
    }
    record.undo = undo.map(describeAction).join('; ');
    try {
      undo.forEach((action) => perform(mounter, action));
      record.status = 'undone';
    } catch (e) {
      record.status = 'undo-failed';
      record.error = asPrepareRootError(e).message;
    }
  }
}
