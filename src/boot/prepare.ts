// `prepare-root SYSROOT [KERNEL_CMDLINE]`: the boot path. Read inputs, decide the plan (pure),
// apply it with rollback, record the outcome. The thin imperative shell around the planner.
import { readFileSync, statSync } from 'node:fs';
import { findOstreeTarget } from './cmdline.js';
import { type ConfigSource, type RootConfig, type Warning, loadConfig, resolveConfig } from './config.js';
import { PrepareRootError } from './errors.js';
import type { Facts } from './facts.js';
import { acquireLock } from './lock.js';
import type { Mounter } from './mounter.js';
import { mountAt } from './mountinfo.js';
import { type StepRecord, ExecutionError, applyPlan } from './plan/executor.js';
import { planPrepareRoot } from './plan/plan.js';
import type { Plan } from './plan/types.js';
import { CONFIG_PATHS, LOCK_FILE, RUN_OSTREE_BOOTED, STATUS_FILE } from './paths.js';
import { resolveInside } from './resolve-inside.js';
import { canonicalSysroot, exists, probeFacts, readMountInfo } from './probe.js';
import { type StatusFile, STATUS_SCHEMA, planSummary } from './status-file.js';
import { VERSION } from './version.js';

export function readKernelCmdline(arg: string | undefined): string {
  if (arg !== undefined) return arg;
  try {
    return readFileSync('/proc/cmdline', 'utf8').replace(/\n$/, '');
  } catch (e) {
    throw new PrepareRootError('/proc/cmdline', `cannot read the kernel command line: ${(e as Error).message}`, { cause: e });
  }
}

/** Config files as ostree reads them: from the initramfs root, missing is fine, anything else fatal. */
export function readConfigSources(paths: readonly string[], missingOk: boolean): ConfigSource[] {
  const sources: ConfigSource[] = [];
  for (const path of paths) {
    try {
      sources.push({ path, data: readFileSync(path) });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && missingOk) continue;
      throw new PrepareRootError(path, `cannot read config: ${(e as Error).message}`, { cause: e });
    }
  }
  return sources;
}

export interface Decision {
  readonly config: RootConfig;
  readonly facts: Facts;
  readonly plan: Plan;
  readonly warnings: readonly Warning[];
}

/** Everything up to the plan, shared by the boot path and `prepare-root plan`. */
export function decide(sysrootArg: string, cmdline: string, configSources: readonly ConfigSource[], transientEtcSuffix?: string): Decision {
  const config = resolveConfig(loadConfig(configSources), cmdline);
  const target = findOstreeTarget(cmdline);
  if (target === null) {
    throw new PrepareRootError('kernel command line', 'no ostree= argument (expected ostree=/ostree/boot.N/<stateroot>/<checksum>/<serial>)');
  }
  const sysroot = canonicalSysroot(sysrootArg);
  const probeWarnings: Warning[] = [];
  const probed = probeFacts(sysroot, target, config, probeWarnings);
  const facts = transientEtcSuffix === undefined ? probed : { ...probed, transientEtcSuffix };
  const { plan, warnings } = planPrepareRoot(config, facts);
  return { config, facts, plan, warnings: [...warnings, ...probeWarnings] };
}

export interface RunOptions {
  readonly sysrootArg: string;
  readonly cmdlineArg?: string;
  readonly handover: 'systemd' | 'pivot';
  /** Pivot mode: the init to execute, checked in the deployment before anything is mounted. */
  readonly init?: string;
  readonly mounter: Mounter;
  readonly warn: (w: Warning) => void;
  readonly info: (line: string) => void;
}

export type RunResult = { readonly kind: 'prepared'; readonly plan: Plan } | { readonly kind: 'already-prepared'; readonly sysroot: string };

/** A second run after success must not mount anything twice. */
function alreadyPrepared(sysroot: string): boolean {
  return exists(RUN_OSTREE_BOOTED) && mountAt(readMountInfo(), `${sysroot === '/' ? '' : sysroot}/sysroot`) !== undefined;
}

export function runPrepare(opts: RunOptions): RunResult {
  const lock = acquireLock(LOCK_FILE);
  let decision: Decision | null = null;
  let executed: readonly StepRecord[] = [];
  let sysroot = opts.sysrootArg;
  try {
    const cmdline = readKernelCmdline(opts.cmdlineArg);
    const sources = readConfigSources(CONFIG_PATHS, true);
    sysroot = canonicalSysroot(opts.sysrootArg);
    if (alreadyPrepared(sysroot)) {
      opts.info(`${sysroot} is already prepared (${RUN_OSTREE_BOOTED} exists and ${sysroot}/sysroot is mounted); nothing to do`);
      return { kind: 'already-prepared', sysroot };
    }
    decision = decide(sysroot, cmdline, sources);
    if (opts.init !== undefined) checkInit(decision.facts, opts.init);
    decision.warnings.forEach(opts.warn);
    const { plan } = decision;
    opts.info(`preparing ${plan.sysroot}: ${plan.mode} root from ${plan.deployment}, sysroot.readonly=${plan.sysrootReadonly}`);
    executed = applyPlan(plan, opts.mounter);
    writeStatus(opts, sysroot, decision, executed, null);
    return { kind: 'prepared', plan };
  } catch (e) {
    if (e instanceof ExecutionError) executed = e.records;
    writeStatus(opts, sysroot, decision, executed, e);
    throw e;
  } finally {
    lock.release();
  }
}

function checkInit(facts: Facts, init: string): void {
  const found = resolveInside(facts.deployment.path, init);
  if (found === null || !statSync(found).isFile()) {
    throw new PrepareRootError(`init ${init}`, `not found in the deployment ${facts.deployment.relPath} (pivot mode executes it after switching root)`);
  }
}

function writeStatus(opts: RunOptions, sysroot: string, decision: Decision | null, executed: readonly StepRecord[], error: unknown): void {
  const plan = decision?.plan ?? null;
  const status: StatusFile = {
    schema: STATUS_SCHEMA,
    version: VERSION,
    result: error === null ? 'prepared' : 'failed',
    time: new Date().toISOString(),
    sysroot,
    handover: opts.handover,
    configFile: decision?.config.file ?? null,
    mode: plan?.mode ?? null,
    deployment: plan?.deployment ?? null,
    sysrootReadonly: plan?.sysrootReadonly ?? null,
    ostreeBooted: error === null ? plan?.metadata ?? null : null,
    persisted: error === null ? plan?.persisted ?? [] : [],
    overlays: error === null ? plan?.overlays ?? [] : [],
    plan: planSummary(plan),
    executed,
    warnings: decision?.warnings ?? [],
    error: error === null ? null : error instanceof Error ? error.message : String(error),
  };
  try {
    opts.mounter.writeFileAtomic(STATUS_FILE, new TextEncoder().encode(`${JSON.stringify(status, null, 2)}\n`), 0o644);
  } catch (e) {
    // The status file is for humans and tests; failing to write it must not fail the boot.
    opts.warn({ where: STATUS_FILE, message: `not written: ${(e as Error).message}` });
  }
}
