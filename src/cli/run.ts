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

export function commandRun(sys: System, positionals: string[], values: Values, io: Output): number {
  const [sysrootArg, cmdlineArg] = sysrootAndCmdline(positionals, 'run');
  const pivot = values.pivot === true || sys.pid === 1;
  const mounter = new SystemMounter(sys, values.verbose ? { trace: io.err } : {});
  const init = values.init ?? DEFAULT_INIT;
  // At boot the console is the kernel log: warnings and notices go there as well as to stderr.
  const toConsole = (level: number, line: string) => {
    io.err(line);
    toKmsg(sys, level, line);
  };
  const prepare = () => {
    const result = runPrepare(sys, {
      sysrootArg,
      cmdlineArg,
      // --init without --pivot: a later run hands over in pivot mode (dracut's shell flavour
      // prepares in a child, so that a failure cannot end PID 1), so the record names that.
      handover: pivot || values.init !== undefined ? 'pivot' : 'systemd',
      mounter,
      // Checked before anything is mounted, also for that later hand-over.
      ...(pivot || values.init !== undefined ? { init } : {}),
      warn: (w) => toConsole(KMSG_WARNING, warningLine(w)),
      notice: (n) => toConsole(KMSG_NOTICE, noticeLine(n)),
      info: (line) => io.out(oneLine(`prepare-root: ${line}`)),
    });
    if (pivot) {
      const root = result.kind === 'prepared' ? result.plan.sysroot : result.sysroot;
      handOver(sys, root, init, (line) => io.out(`prepare-root: ${line}`));
    }
  };
  if (sys.pid === 1) neverExit(sys, prepare, io.err);
  prepare();
  return 0;
}
