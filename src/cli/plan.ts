// The dry run: the plan a boot would apply, as text or JSON, nothing changed.
import { oneLine, toHex } from '../base/text.js';
import { actionOf } from '../apply/actions.js';
import { commandOf } from '../apply/operations.js';
import { PLAN_CONTEXT, probeAndPlan, readConfigSources, readKernelCmdline } from '../boot/prepare.js';
import { configImage } from '../boot/init-root.js';
import { bootTarget, configPathsFor, describePlan } from '../boot/targets/index.js';
import type { Plan } from '../plan/types.js';
import type { System } from '../platform/system.js';
import { type Output, type Values, noticeLine, sysrootAndCmdline, warningLine } from './args.js';

export function commandPlan(sys: System, positionals: string[], values: Values, io: Output): number {
  const [sysrootArg, cmdlineArg] = sysrootAndCmdline(positionals, 'plan');
  const cmdline = readKernelCmdline(sys, cmdlineArg);
  const initramfs = values['no-initramfs'] !== true;
  // Without an initramfs the config comes from the root being prepared (or its deployment).
  const from = initramfs ? '/' : configImage(sys, sysrootArg, cmdline);
  const sources = () =>
    values.config === undefined
      ? readConfigSources(sys, configPathsFor(bootTarget(cmdline), from), true)
      : readConfigSources(sys, values.config, false);
  const { plan, warnings, notices, config, untouched } = probeAndPlan(sys, sysrootArg, cmdline, sources, {
    ...PLAN_CONTEXT,
    initramfs,
  });
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
  const { source, details } = describePlan(plan);
  const line = ([label, value]: readonly [string, string]) => out(`  ${`${label}:`.padEnd(17)} ${value}`);
  out(`Plan for ${plan.sysroot}`);
  line(source);
  line(['mode', plan.mode]);
  line(['selinux', plan.selinux ? "enabled: tmpfs uppers get their lowers' labels" : 'not enabled']);
  line(['config', configFile ?? '(none: built-in defaults)']);
  for (const d of details) line(d);
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
