// `prepare-root SYSROOT [KERNEL_CMDLINE]`: the boot path. Read inputs, decide the plan (pure),
// apply it with rollback, record the outcome. The thin imperative shell around the planner.
import { PrepareRootError, reasonOf } from '../base/errors.js';
import { CONFIG_MAX, PROC_FILE_MAX, STATE_FILE_MAX } from '../base/limits.js';
import { JOURNAL_FILE, LOCK_FILE } from '../base/paths.js';
import { toHex, utf8Decode } from '../base/text.js';
import { deviceWaitOf } from '../config/cmdline.js';
import type { ConfigSource, Warning } from '../config/config.js';
import { type StepRecord, ExecutionError, applyPlan } from '../apply/executor.js';
import { type Journal, encodeLine } from '../apply/journal.js';
import { recoverInterrupted } from '../apply/recovery.js';
import type { Mounter } from '../apply/mounter.js';
import { isMissing } from '../fs/files.js';
import type { Plan } from '../plan/types.js';
import type { AppendableFile, System } from '../platform/system.js';
import type { BootContext } from '../probe/facts.js';
import { canonicalSysroot } from '../probe/probe.js';
import { resolveInside } from '../probe/resolve-inside.js';
import { currentBootId } from '../probe/volatile-state.js';
import type { Decision } from './decision.js';
import { acquireLock } from './lock.js';
import { type RunOutcome, recordStatus, statusOf } from './status-record.js';
import { BOOT_TARGETS, bootTarget, configPathsFor, describePlan } from './targets/index.js';

export function readKernelCmdline(sys: System, arg: string | undefined): string {
  if (arg !== undefined) return arg;
  try {
    return utf8Decode(sys.readFile('/proc/cmdline', PROC_FILE_MAX)).replace(/\n$/, '');
  } catch (e) {
    throw new PrepareRootError('/proc/cmdline', `cannot read the kernel command line: ${reasonOf(e)}`, { cause: e });
  }
}

/** Config files as ostree reads them: from the initramfs root, missing is fine, anything else fatal. */
export function readConfigSources(sys: System, paths: readonly string[], missingOk: boolean): ConfigSource[] {
  const sources: ConfigSource[] = [];
  for (const path of paths) {
    try {
      sources.push({ path, data: sys.readFile(path, CONFIG_MAX) });
    } catch (e) {
      if (isMissing(e) && missingOk) continue;
      throw new PrepareRootError({ path }, `cannot read config: ${reasonOf(e)}`, { cause: e });
    }
  }
  return sources;
}

/** A fresh context for a real boot: random names, this boot's id, the clock. */
function bootContext(sys: System, bootId: string, initramfs: boolean, cmdline: string): BootContext {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const random = () => [...sys.randomBytes(6)].map((b) => chars[b % chars.length]).join('');
  return {
    transientEtcSuffix: random(),
    bootToken: toHex(sys.randomBytes(8)),
    bootId,
    now: new Date().toISOString().replace(/[:.]/g, '-'),
    initramfs,
    deviceWaitSeconds: initramfs ? 0 : deviceWaitOf(cmdline),
  };
}

/** The context `prepare-root plan` shows: placeholders, so the same system always gives the same plan. */
export const PLAN_CONTEXT: BootContext = {
  transientEtcSuffix: 'XXXXXX',
  bootToken: 'TOKEN',
  bootId: 'BOOT-ID',
  now: 'TIME',
  initramfs: true,
  deviceWaitSeconds: 0,
};

/**
 * Everything up to the plan (read the config, probe the system, plan), shared by the boot path and
 * `prepare-root plan`, by the kind of root the command line boots (boot/targets/).
 */
export function probeAndPlan(
  sys: System,
  sysrootArg: string,
  cmdline: string,
  readSources: () => readonly ConfigSource[],
  context: BootContext,
): Decision {
  return BOOT_TARGETS[bootTarget(cmdline)].decide(
    sys,
    canonicalSysroot(sys, sysrootArg),
    cmdline,
    readSources,
    context,
  );
}

export interface RunOptions {
  readonly sysrootArg: string;
  readonly cmdlineArg?: string;
  readonly handover: 'systemd' | 'pivot';
  /** Pivot mode: the init to execute, checked in the deployment before anything is mounted. */
  readonly init?: string;
  readonly mounter: Mounter;
  readonly warn: (w: Warning) => void;
  /** What was asked for, announced once (on the console at boot). */
  readonly notice: (n: Warning) => void;
  readonly info: (line: string) => void;
  /** false: no initramfs carries this boot (we are the kernel's init). */
  readonly initramfs?: boolean;
}

export type RunResult =
  | { readonly kind: 'prepared'; readonly plan: Plan }
  | { readonly kind: 'untouched'; readonly sysroot: string }
  | { readonly kind: 'already-prepared'; readonly sysroot: string };

/**
 * The journal of this run (apply/journal.ts), appended step by step through the one file this
 * run created (kept open: a line is a write, not an open of a path in /run); removed once
 * nothing is left to undo.
 */
function openJournal(sys: System, sysroot: string): Journal & { close(): void } {
  const journalError = (e: unknown) => new PrepareRootError(`journal ${JOURNAL_FILE}`, reasonOf(e), { cause: e });
  let file: AppendableFile;
  try {
    file = sys.createAppendable(JOURNAL_FILE, 0o600, encodeLine({ run: { pid: sys.pid, sysroot } }));
  } catch (e) {
    throw journalError(e);
  }
  return {
    record: (event) => {
      try {
        file.append(encodeLine(event));
      } catch (e) {
        // Without the journal a kill could not be recovered from: the step does not start.
        throw journalError(e);
      }
    },
    close: () => file.close(),
  };
}

export function runPrepare(sys: System, opts: RunOptions): RunResult {
  const lock = acquireLock(sys, LOCK_FILE);
  // Read once: the plan's volatile-mount records and status.json name the same boot.
  const bootId = currentBootId(sys);
  let decision: Decision | null = null;
  let executed: readonly StepRecord[] = [];
  let sysroot = opts.sysrootArg;
  const notes: Warning[] = [];
  let journal: ReturnType<typeof openJournal> | null = null;
  const record = (outcome: RunOutcome) =>
    recordStatus(
      sys,
      statusOf(outcome, { sysroot, handover: opts.handover, bootId, time: new Date().toISOString(), notes }),
      opts.warn,
    );
  try {
    const cmdline = readKernelCmdline(sys, opts.cmdlineArg);
    const target = bootTarget(cmdline);
    sysroot = canonicalSysroot(sys, opts.sysrootArg);
    const recovered = recoverInterrupted(sys, opts.mounter, JOURNAL_FILE, sysroot, STATE_FILE_MAX);
    if (recovered !== null) {
      const note = {
        where: JOURNAL_FILE,
        message: `an earlier run (pid ${recovered.pid}) was interrupted after starting ${recovered.steps} steps: undid what it had done (${recovered.undone} operations) before preparing again`,
      };
      notes.push(note);
      opts.warn(note);
    }
    // A second run after success must not mount anything twice.
    const prepared = BOOT_TARGETS[target].alreadyPrepared(sys, sysroot);
    if (prepared !== null) {
      opts.info(`${sysroot} is already prepared (${prepared}); nothing to do`);
      return { kind: 'already-prepared', sysroot };
    }
    decision = probeAndPlan(
      sys,
      sysroot,
      cmdline,
      () => readConfigSources(sys, configPathsFor(target), true),
      bootContext(sys, bootId, opts.initramfs !== false, cmdline),
    );
    if (opts.init !== undefined) checkInit(sys, decision.image, opts.init);
    for (const w of decision.warnings) opts.warn(w);
    if (decision.plan === null) {
      opts.info(`plain root ${sysroot} left as it is: ${decision.untouched}`);
      record({ result: 'untouched', decision });
      return { kind: 'untouched', sysroot };
    }
    const { plan } = decision;
    opts.info(describePlan(plan).preparing);
    journal = openJournal(sys, sysroot);
    executed = applyPlan(plan, opts.mounter, journal);
    journal.close();
    sys.unlink(JOURNAL_FILE);
    // Announced once it is true: a failed boot has no transient root to lose.
    for (const n of decision.notices) opts.notice(n);
    record({ result: 'prepared', decision, executed });
    return { kind: 'prepared', plan };
  } catch (e) {
    if (e instanceof ExecutionError) {
      executed = e.records;
      // Rolled back completely: nothing for a later run to undo. Otherwise the journal stays for it.
      if (!e.records.some((r) => r.status === 'undo-failed')) removeJournal(sys, opts.warn);
    }
    record({ result: 'failed', decision, executed, error: e });
    throw e;
  } finally {
    journal?.close();
    lock.release();
  }
}

/** After a complete rollback; failing to remove it must not replace the run's own error. */
function removeJournal(sys: System, warn: (w: Warning) => void): void {
  try {
    sys.unlink(JOURNAL_FILE);
  } catch (e) {
    warn({
      where: JOURNAL_FILE,
      message: `not removed after the rollback (the next run will find nothing to undo): ${reasonOf(e)}`,
    });
  }
}

function checkInit(sys: System, image: Decision['image'], init: string): void {
  const found = resolveInside(sys, image.path, init);
  if (found === null || sys.stat(found).kind !== 'file') {
    throw new PrepareRootError(
      `init ${init}`,
      `not found in ${image.name} (pivot mode executes it after switching root)`,
    );
  }
}
