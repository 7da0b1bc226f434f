// boot/status-record.ts: status.json is a pure function of how the run ended. Only a prepared
// root has /run/ostree-booted's metadata, persisted paths and overlays in it; a failure keeps
// the plan it would have applied and the steps it ran.
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/boot/decision.js';
import { type RunFacts, type RunOutcome, statusOf } from '../../../src/boot/status-record.js';
import { loadConfig, resolveConfig } from '../../../src/config/config.js';
import { planPrepareRoot } from '../../../src/plan/plan.js';
import { STATUS_SCHEMA } from '../../../src/formats/status-file.js';
import { CONTEXT, D, facts } from '../../helpers/facts.js';

const config = resolveConfig(
  loadConfig([{ path: '/etc/ostree/prepare-root.conf', data: '[root]\ntransient=true\n' }]),
  'ostree=/ostree/boot.1/os/b/0',
).config;
const { plan } = planPrepareRoot(config, facts(), CONTEXT);
const base = { config, image: { path: D, name: 'the deployment' }, warnings: [], notices: [] };
const planned: Extract<Decision, { untouched: null }> = { ...base, plan, untouched: null };
const run: RunFacts = {
  sysroot: '/sysroot',
  handover: 'systemd',
  bootId: 'b00t',
  time: '2026-12-03T00:00:00.000Z',
  notes: [{ where: '/run/prepare-root/journal', message: 'recovered' }],
};
const step = { id: plan.steps[0]!.id, command: 'mount --make-rprivate /', status: 'done' } as const;

describe('statusOf', () => {
  it.each<[string, RunOutcome, Record<string, unknown>]>([
    [
      'prepared',
      { result: 'prepared', decision: planned, executed: [step] },
      {
        result: 'prepared',
        mode: plan.mode,
        deployment: plan.deployment,
        ostreeBooted: plan.metadata,
        executed: [step],
        error: null,
      },
    ],
    [
      'failed after deciding',
      { result: 'failed', decision: planned, executed: [step], error: new Error('step x: EIO') },
      {
        result: 'failed',
        mode: plan.mode,
        deployment: plan.deployment,
        ostreeBooted: null,
        persisted: [],
        overlays: [],
        executed: [step],
        error: 'step x: EIO',
      },
    ],
    [
      'failed before deciding',
      { result: 'failed', decision: null, executed: [], error: 'no cmdline' },
      { result: 'failed', mode: null, configFile: null, plan: [], executed: [], error: 'no cmdline' },
    ],
    [
      'untouched',
      { result: 'untouched', decision: { ...base, config: null, plan: null, untouched: 'rd.prepare-root=off' } },
      { result: 'untouched', untouched: 'rd.prepare-root=off', mode: null, plan: [], executed: [], error: null },
    ],
  ])('%s', (_, outcome, expected) => {
    const status = statusOf(outcome, run);
    expect(status).toMatchObject({
      schema: STATUS_SCHEMA,
      bootId: 'b00t',
      time: run.time,
      handover: 'systemd',
      ...expected,
    });
    expect(status.warnings).toEqual(run.notes);
    expect(status.plan.length).toBe(outcome.decision?.plan?.steps.length ?? 0);
  });
});
