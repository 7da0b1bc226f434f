// /run/prepare-root/status.json: what was decided and done at boot, for `prepare-root status`,
// VM boot tests and humans. Schema versioned; additive changes only within a version.
import type { Warning } from './config.js';
import type { StepRecord } from './plan/executor.js';
import type { Plan } from './plan/types.js';
import { actionOf, describeAction } from './plan/commands.js';

export const STATUS_SCHEMA = 1;

export interface StatusFile {
  readonly schema: typeof STATUS_SCHEMA;
  readonly version: string;
  readonly result: 'prepared' | 'failed';
  readonly time: string;
  readonly sysroot: string;
  readonly handover: 'systemd' | 'pivot';
  readonly configFile: string | null;
  readonly mode: Plan['mode'] | null;
  readonly deployment: string | null;
  readonly sysrootReadonly: boolean | null;
  readonly ostreeBooted: Plan['metadata'] | null;
  readonly persisted: Plan['persisted'];
  readonly overlays: Plan['overlays'];
  readonly plan: ReadonlyArray<{ id: string; kind: string; command: string; reason: string }>;
  readonly executed: readonly StepRecord[];
  readonly warnings: readonly Warning[];
  readonly error: string | null;
}

export function planSummary(plan: Plan | null): StatusFile['plan'] {
  return (plan?.steps ?? []).map((s) => ({ id: s.id, kind: s.kind, command: describeAction(actionOf(s)), reason: s.reason }));
}
