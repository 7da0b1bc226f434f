// The boot path: prepare the root, and in pivot mode (or as PID 1) hand over to the real init.
import { DEFAULT_INIT } from '../base/paths.js';
import { oneLine } from '../base/text.js';
import { SystemMounter } from '../apply/mounter.js';
import { handOver } from '../boot/handover.js';
import { neverExit } from '../boot/emergency.js';
import { KMSG_NOTICE, KMSG_WARNING, toKmsg } from '../boot/kmsg.js';
import { runPrepare } from '../boot/prepare.js';
import type { System } from '../platform/system.js';
import { type Output, type Values, noticeLine, sysrootAndCmdline, warningLine } from './args.js';

/** One boot run: what to prepare, and whether and how to hand over afterwards. */
export interface BootRun {
  readonly sysrootArg: string;
  /** Replaces /proc/cmdline. */
  readonly cmdlineArg?: string;
  readonly verbose: boolean;
  /** Hand over to `init` after preparing (pivot mode). */
  readonly pivot: boolean;
  /** Checked in the new root before anything is mounted, for a hand-over now or by a later run; null: no check. */
  readonly init: string | null;
  /** The real init's arguments after its name. */
  readonly initArgs: readonly string[];
  /** false: we are the kernel's init, no initramfs carries this boot. */
  readonly initramfs: boolean;
}

export function prepareAndHandOver(sys: System, io: Output, run: BootRun): void {
  const mounter = new SystemMounter(sys, run.verbose ? { trace: io.err } : {});
  // At boot the console is the kernel log: warnings and notices go there as well as to stderr.
  const toConsole = (level: number, line: string) => {
    io.err(line);
    toKmsg(sys, level, line);
  };
  const result = runPrepare(sys, {
    sysrootArg: run.sysrootArg,
    cmdlineArg: run.cmdlineArg,
    // --init without --pivot: a later run hands over in pivot mode (dracut's shell flavour
    // prepares in a child, so that a failure cannot end PID 1), so the record names that.
    handover: run.pivot || run.init !== null ? 'pivot' : 'systemd',
    mounter,
    ...(run.init === null ? {} : { init: run.init }),
    warn: (w) => toConsole(KMSG_WARNING, warningLine(w)),
    notice: (n) => toConsole(KMSG_NOTICE, noticeLine(n)),
    info: (line) => io.out(oneLine(`prepare-root: ${line}`)),
    initramfs: run.initramfs,
  });
  if (run.pivot && run.init !== null) {
    const root = result.kind === 'prepared' ? result.plan.sysroot : result.sysroot;
    handOver(sys, root, run.init, run.initArgs, (line) => io.out(`prepare-root: ${line}`));
  }
}

export function commandRun(sys: System, positionals: string[], values: Values, io: Output): number {
  const [sysrootArg, cmdlineArg] = sysrootAndCmdline(positionals, 'run');
  const pivot = values.pivot === true || sys.pid === 1;
  const run: BootRun = {
    sysrootArg,
    cmdlineArg,
    verbose: values.verbose === true,
    pivot,
    init: pivot || values.init !== undefined ? (values.init ?? DEFAULT_INIT) : null,
    initArgs: [],
    initramfs: true,
  };
  if (sys.pid === 1) neverExit(sys, () => prepareAndHandOver(sys, io, run), io.err);
  prepareAndHandOver(sys, io, run);
  return 0;
}
