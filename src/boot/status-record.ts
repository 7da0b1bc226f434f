// /run/prepare-root/status.json (formats/status-file.ts) after a run, successful or not: built
// by a pure function of the run's outcome, then written unless it would hide this boot's success.
import { STATE_FILE_MAX } from '../base/limits.js';
import { STATUS_FILE } from '../base/paths.js';
import { utf8Encode } from '../base/text.js';
import { VERSION } from '../base/version.js';
import { actionOf } from '../apply/actions.js';
import { describeAction } from '../apply/operations.js';
import type { StepRecord } from '../apply/executor.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { Warning } from '../config/config.js';
import { STATUS_SCHEMA, type StatusFile } from '../formats/status-file.js';
import { messageOf } from '../base/errors.js';
import type { Plan } from '../plan/types.js';
import type { System } from '../platform/system.js';
import { readStatusFile } from '../booted/state-files.js';
import type { Decision } from './decision.js';
import { kindStatusFields } from './targets/index.js';

/** How a run ended. */
export type RunOutcome =
  | {
      readonly result: 'prepared';
      readonly decision: Extract<Decision, { readonly plan: Plan }>;
      readonly executed: readonly StepRecord[];
    }
  | { readonly result: 'untouched'; readonly decision: Extract<Decision, { readonly untouched: string }> }
  | {
      readonly result: 'failed';
      /** null: the run failed before it decided anything. */
      readonly decision: Decision | null;
      readonly executed: readonly StepRecord[];
      readonly error: unknown;
    };

/** What every record says of the run, whatever its outcome. */
export interface RunFacts {
  readonly sysroot: string;
  readonly handover: 'systemd' | 'pivot';
  readonly bootId: string;
  readonly time: string;
  /** Said by the run before it decided (a recovery from an interrupted run). */
  readonly notes: readonly Warning[];
}

export function planSummary(plan: Plan | null): StatusFile['plan'] {
  return (plan?.steps ?? []).map((s) => ({
    id: s.id,
    kind: s.kind,
    command: describeAction(actionOf(s)),
    reason: s.reason,
  }));
}

export function statusOf(outcome: RunOutcome, run: RunFacts): StatusFile {
  const { decision } = outcome;
  const plan = decision?.plan ?? null;
  // What a failed run would have set up is not there: only a prepared root has these.
  const prepared = outcome.result === 'prepared' ? outcome.decision.plan : null;
  return {
    schema: STATUS_SCHEMA,
    version: VERSION,
    result: outcome.result,
    ...(outcome.result === 'untouched' ? { untouched: outcome.decision.untouched } : {}),
    time: run.time,
    bootId: run.bootId,
    sysroot: run.sysroot,
    handover: run.handover,
    configFile: decision?.config?.file ?? null,
    mode: plan?.mode ?? null,
    ...kindStatusFields(plan, prepared !== null),
    persisted: prepared?.persisted ?? [],
    overlays: prepared?.overlays ?? [],
    plan: planSummary(plan),
    executed: outcome.result === 'untouched' ? [] : outcome.executed,
    // Where and what only: status.json's shape (a warning's line is for the linter).
    warnings: [...run.notes, ...(decision?.warnings ?? [])].map(({ where, message }) => ({ where, message })),
    notices: decision?.notices ?? [],
    error: outcome.result === 'failed' ? messageOf(outcome.error) : null,
  };
}

/**
 * Whether a failed run may record its failure: not over the record of this boot's own successful
 * run (a later manual run that fails must not make `status` say the boot failed).
 */
function mayReplace(sys: System, status: StatusFile): boolean {
  if (status.result !== 'failed' || status.bootId === 'unknown') return true;
  try {
    const existing = readStatusFile(sys);
    return existing === null || existing.result === 'failed' || existing.bootId !== status.bootId;
  } catch {
    return true; // not a record of ours: nothing to keep
  }
}

/** Writes the record; what keeps it from being written is a warning, never a failed boot. */
export function recordStatus(sys: System, status: StatusFile, warn: (w: Warning) => void): void {
  if (!mayReplace(sys, status)) {
    warn({
      where: STATUS_FILE,
      message: "kept: it records this boot's own successful run, which this failure does not undo",
    });
    return;
  }
  try {
    writeFileAtomic(sys, STATUS_FILE, utf8Encode(`${JSON.stringify(status, null, 2)}\n`), 0o644, STATE_FILE_MAX);
  } catch (e) {
    // The status file is for humans and tests; failing to write it must not fail the boot.
    warn({ where: STATUS_FILE, message: `not written: ${(e as Error).message}` });
  }
}
