// The boot path (run) and its dry run (plan).
import { DEFAULT_INIT } from '../base/paths.js';
import { oneLine, toHex } from '../base/text.js';
import { actionOf, commandOf } from '../apply/actions.js';
import { SystemMounter } from '../apply/mounter.js';
import { handOver } from '../boot/handover.js';
import { neverExit } from '../boot/emergency.js';
import { KMSG_NOTICE, KMSG_WARNING, toKmsg } from '../boot/kmsg.js';
import {
  PLAN_CONTEXT,
  bootTarget,
  configPathsFor,
  probeAndPlan,
  readConfigSources,
  readKernelCmdline,
  runPrepare,
} from '../boot/prepare.js';
import type { Plan } from '../plan/types.js';
import type { System } from '../platform/system.js';
import { type Output, type Values, noticeLine, usageError, warningLine } from './args.js';

function sysrootAndCmdline(positionals: string[], command: 'run' | 'plan'): [string, string | undefined] {
  if (positionals.length === 0) throw usageError('missing SYSROOT', command);
  if (positionals.length > 2) throw usageError(`unexpected argument "${positionals[2]}"`, command);
  if (!positionals[0]!.startsWith('/'))
    throw usageError(`SYSROOT must be an absolute path, not "${positionals[0]}"`, command);
  return [positionals[0]!, positionals[1]];
}

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

export function commandPlan(sys: System, positionals: string[], values: Values, io: Output): number {
  const [sysrootArg, cmdlineArg] = sysrootAndCmdline(positionals, 'plan');
  const cmdline = readKernelCmdline(sys, cmdlineArg);
  const sources = () =>
    values.config === undefined
      ? readConfigSources(sys, configPathsFor(bootTarget(cmdline)), true)
      : readConfigSources(sys, values.config, false);
  const { plan, warnings, notices, config, untouched } = probeAndPlan(sys, sysrootArg, cmdline, sources, PLAN_CONTEXT);
  const configFile = config?.file ?? null;
  if (values.json) {
    io.out(
      JSON.stringify(
        {
          configFile,
          plan:
            plan === null
              ? null
              : {
                  ...plan,
                  steps: plan.steps.map((s) => ({
                    ...s,
                    ...('content' in s ? { content: toHex(s.content) } : {}),
                    ...commandOf(actionOf(s)),
                  })),
                },
          ...(untouched === null ? {} : { untouched }),
          warnings,
          notices,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  // Paths and values come from the system and its config: every line escaped, as at boot.
  const out = (line: string) => io.out(oneLine(line));
  if (plan === null) out(`Plan for ${sysrootArg}: nothing to do (${untouched})`);
  else printPlan(plan, configFile, out);
  for (const n of notices) io.err(noticeLine(n));
  for (const w of warnings) io.err(warningLine(w));
  return 0;
}

function printPlan(plan: Plan, configFile: string | null, out: (line: string) => void): void {
  out(`Plan for ${plan.sysroot}`);
  if (plan.deployment === null) out(`  physical root:    ${plan.physicalRoot} (read-only, plain root)`);
  else out(`  deployment:       ${plan.deployment}`);
  out(`  mode:             ${plan.mode}`);
  if (plan.sysrootReadonly !== null) out(`  sysroot.readonly: ${plan.sysrootReadonly}`);
  out(`  selinux:          ${plan.selinux ? "enabled: tmpfs uppers get their lowers' labels" : 'not enabled'}`);
  out(`  config:           ${configFile ?? '(none: built-in defaults)'}`);
  if (plan.deployment !== null)
    out(
      `  /run/ostree-booted: ${Object.entries(plan.metadata)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' ')}`,
    );
  out('Steps:');
  const width = Math.max(...plan.steps.map((s) => s.id.length));
  plan.steps.forEach((s, i) => {
    const { command, note } = commandOf(actionOf(s));
    out(`  ${String(i + 1).padStart(2)}. ${s.id.padEnd(width)}  ${command}`);
    out(
      `      ${' '.repeat(width)}  # ${s.reason}${note === undefined ? '' : `; ${note}`}${s.kind === 'move' && s.pointOfNoReturn ? ' (from here on the new root is in place)' : ''}`,
    );
  });
}
