// Write /run/prepare-root/status.json (formats/status-file.ts) after a run, successful or not.
import { STATE_FILE_MAX } from '../base/limits.js';
import { STATUS_FILE } from '../base/paths.js';
import { utf8Encode } from '../base/text.js';
import { VERSION } from '../base/version.js';
import { actionOf, describeAction } from '../apply/actions.js';
import type { StepRecord } from '../apply/executor.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { Warning } from '../config/config.js';
import { STATUS_SCHEMA, type StatusFile } from '../formats/status-file.js';
import type { Plan } from '../plan/types.js';
import type { System } from '../platform/system.js';
import { readStatusFile } from '../booted/state-files.js';
import { currentBootId } from '../probe/volatile-state.js';
import type { Decision, RunOptions } from './prepare.js';

export function planSummary(plan: Plan | null): StatusFile['plan'] {
  return (plan?.steps ?? []).map((s) => ({
    id: s.id,
    kind: s.kind,
    command: describeAction(actionOf(s)),
    reason: s.reason,
  }));
}

/**
 * Whether a failed run may record its failure: not over the record of this boot's own successful
 * run (a later manual run that fails must not make `status` say the boot failed).
 */
function mayReplace(sys: System, bootId: string, failed: boolean): boolean {
  if (!failed || bootId === 'unknown') return true;
  try {
    const existing = readStatusFile(sys);
    return existing === null || existing.result === 'failed' || existing.bootId !== bootId;
  } catch {
    return true; // not a record of ours: nothing to keep
  }
}

export function writeStatus(
  sys: System,
  opts: RunOptions,
  sysroot: string,
  decision: Decision | null,
  executed: readonly StepRecord[],
  error: unknown,
  notes: readonly Warning[] = [],
): void {
  const plan = decision?.plan ?? null;
  const bootId = currentBootId(sys);
  if (!mayReplace(sys, bootId, error !== null)) {
    opts.warn({
      where: STATUS_FILE,
      message: "kept: it records this boot's own successful run, which this failure does not undo",
    });
    return;
  }
  const status: StatusFile = {
    schema: STATUS_SCHEMA,
    version: VERSION,
    result: error !== null ? 'failed' : decision?.untouched ? 'untouched' : 'prepared',
    ...(decision?.untouched ? { untouched: decision.untouched } : {}),
    time: new Date().toISOString(),
    bootId,
    sysroot,
    handover: opts.handover,
    configFile: decision?.config?.file ?? null,
    mode: plan?.mode ?? null,
    deployment: plan?.deployment ?? null,
    sysrootReadonly: plan?.sysrootReadonly ?? null,
    physicalRoot: plan?.physicalRoot ?? null,
    ostreeBooted: error === null && plan?.deployment != null ? plan.metadata : null,
    persisted: error === null ? (plan?.persisted ?? []) : [],
    overlays: error === null ? (plan?.overlays ?? []) : [],
    plan: planSummary(plan),
    executed,
    warnings: [...notes, ...(decision?.warnings ?? [])],
    notices: decision?.notices ?? [],
    error: error === null ? null : error instanceof Error ? error.message : String(error),
  };
  try {
    writeFileAtomic(sys, STATUS_FILE, utf8Encode(`${JSON.stringify(status, null, 2)}\n`), 0o644, STATE_FILE_MAX);
  } catch (e) {
    // The status file is for humans and tests; failing to write it must not fail the boot.
    opts.warn({ where: STATUS_FILE, message: `not written: ${(e as Error).message}` });
  }
}
