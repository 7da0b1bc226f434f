// The boot path (run) and its dry run (plan).
import { DEFAULT_INIT } from '../base/paths.js';
import { oneLine, toHex } from '../base/text.js';
import { actionOf, describeAction } from '../apply/actions.js';
import { SystemMounter } from '../apply/mounter.js';
import { handOver } from '../boot/handover.js';
import { KMSG_WARNING, toKmsg } from '../boot/kmsg.js';
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
import { type Output, type Values, usageError, warningLine } from './args.js';

function sysrootAndCmdline(positionals: string[]): [string, string | undefined] {
  if (positionals.length === 0) throw usageError('missing SYSROOT');
  if (positionals.length > 2) throw usageError(`unexpected argument "${positionals[2]}"`);
  return [positionals[0]!, positionals[1]];
}

export function commandRun(sys: System, positionals: string[], values: Values, io: Output): number {
  const [sysrootArg, cmdlineArg] = sysrootAndCmdline(positionals);
  const pivot = values.pivot === true || sys.pid === 1;
  if (values.init !== undefined && !pivot) throw usageError('--init only applies with --pivot');
  const mounter = new SystemMounter(sys, values.verbose ? { trace: io.err } : {});
  const result = runPrepare(sys, {
    sysrootArg,
    cmdlineArg,
    handover: pivot ? 'pivot' : 'systemd',
    mounter,
    ...(pivot ? { init: values.init ?? DEFAULT_INIT } : {}),
    // At boot the console is the kernel log: warnings go there as well as to stderr.
    warn: (w) => {
      io.err(warningLine(w));
      toKmsg(sys, KMSG_WARNING, warningLine(w));
    },
    info: (line) => io.out(oneLine(`prepare-root: ${line}`)),
  });
  if (pivot) {
    const root = result.kind === 'prepared' ? result.plan.sysroot : result.sysroot;
    handOver(sys, root, values.init ?? DEFAULT_INIT, (line) => io.out(`prepare-root: ${line}`));
  }
  return 0;
}

export function commandPlan(sys: System, positionals: string[], values: Values, io: Output): number {
  const [sysrootArg, cmdlineArg] = sysrootAndCmdline(positionals);
  const cmdline = readKernelCmdline(sys, cmdlineArg);
  const sources =
    values.config === undefined
      ? readConfigSources(sys, configPathsFor(bootTarget(cmdline)), true)
      : readConfigSources(sys, values.config, false);
  const { plan, warnings, config, untouched } = probeAndPlan(sys, sysrootArg, cmdline, sources, PLAN_CONTEXT);
  if (values.json) {
    io.out(
      JSON.stringify(
        {
          configFile: config.file,
          plan:
            plan === null
              ? null
              : {
                  ...plan,
                  steps: plan.steps.map((s) => ({
                    ...s,
                    ...('content' in s ? { content: toHex(s.content) } : {}),
                    command: describeAction(actionOf(s)),
                  })),
                },
          ...(untouched === null ? {} : { untouched }),
          warnings,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  if (plan === null) io.out(`Plan for ${sysrootArg}: nothing to do (${untouched})`);
  else printPlan(plan, config.file, io);
  for (const w of warnings) io.err(warningLine(w));
  return 0;
}

function printPlan(plan: Plan, configFile: string | null, io: Output): void {
  io.out(`Plan for ${plan.sysroot}`);
  if (plan.deployment === null) io.out(`  physical root:    ${plan.physicalRoot} (read-only, plain root)`);
  else io.out(`  deployment:       ${plan.deployment}`);
  io.out(`  mode:             ${plan.mode}`);
  if (plan.sysrootReadonly !== null) io.out(`  sysroot.readonly: ${plan.sysrootReadonly}`);
  io.out(`  selinux:          ${plan.selinux ? "enabled: tmpfs uppers get their lowers' labels" : 'not enabled'}`);
  io.out(`  config:           ${configFile ?? '(none: built-in defaults)'}`);
  if (plan.deployment !== null)
    io.out(
      `  /run/ostree-booted: ${Object.entries(plan.metadata)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(' ')}`,
    );
  io.out('Steps:');
  const width = Math.max(...plan.steps.map((s) => s.id.length));
  plan.steps.forEach((s, i) => {
    io.out(`  ${String(i + 1).padStart(2)}. ${s.id.padEnd(width)}  ${describeAction(actionOf(s))}`);
    io.out(
      `      ${' '.repeat(width)}  # ${s.reason}${s.kind === 'move' && s.pointOfNoReturn ? ' (from here on the new root is in place)' : ''}`,
    );
  });
}
