// Command-line interface: parse, dispatch. Each command returns an exit code; errors propagate
// to main, which prints them once. Each command's module is imported when it runs: the
// executable reads a module's bytecode only then, so a boot pays only for the boot's code.
import { QUICKJS_VERSION, VERSION } from '../base/version.js';
import type { System } from '../platform/system.js';
import { COMMANDS, type Output, parse, usageError } from './args.js';

/** The boot path (as opposed to the tools): `run`, explicit or implied. */
export function isBootRun(argv: readonly string[]): boolean {
  const first = argv.find((a) => !a.startsWith('-'));
  return first === undefined || !(COMMANDS as readonly string[]).includes(first) || first === 'run';
}

export async function runCli(sys: System, argv: readonly string[], io: Output): Promise<number> {
  // The kernel's init (no initramfs): the arguments are the real init's, not ours.
  if (sys.pid === 1 && (await import('../boot/init-root.js')).isKernelInit(sys))
    return (await import('./init.js')).commandInit(sys, argv, io);
  const parsed = parse(argv);
  if (typeof parsed === 'object' && 'help' in parsed) {
    const { HELP, commandHelp } = await import('./help.js');
    io.out(parsed.help === null ? HELP : commandHelp(parsed.help));
    return 0;
  }
  if (parsed === 'version') {
    io.out(`prepare-root ${VERSION} (QuickJS ${QUICKJS_VERSION})`);
    return 0;
  }
  const { command, positionals, values } = parsed;
  const only = (why: string) => usageError(why, command);
  if (command !== 'plan' && values.config !== undefined) throw only('--config only applies to plan');
  if (!['plan', 'status', 'diff', 'check-config'].includes(command) && values.json)
    throw only('--json only applies to plan, status, diff and check-config');
  if (!['status', 'diff', 'checkpoint', 'relabel', 'check-config'].includes(command) && values.root !== undefined)
    throw only('--root only applies to status, diff, checkpoint, relabel and check-config');
  if (command !== 'check-config' && (values.plain === true || values.chain === true))
    throw only('--plain and --chain only apply to check-config');
  if (command !== 'check-config' && (values.boot !== undefined || values.get !== undefined))
    throw only('--boot and --get only apply to check-config');
  if (command !== 'plan' && command !== 'check-config' && values['no-initramfs'] === true)
    throw only('--no-initramfs only applies to plan and check-config');
  if (command !== 'diff' && (values.upper !== undefined || values.lower !== undefined))
    throw only('--upper and --lower only apply to diff');
  switch (command) {
    case 'run':
      return (await import('./run.js')).commandRun(sys, positionals, values, io);
    case 'plan':
      return (await import('./plan.js')).commandPlan(sys, positionals, values, io);
    case 'check-config':
      return (await import('./lint.js')).commandCheckConfig(sys, positionals, values, io);
    case 'status':
      return (await import('./inspect.js')).commandStatus(sys, positionals, values, io);
    case 'diff':
      return (await import('./inspect.js')).commandDiff(sys, positionals, values, io);
    case 'checkpoint':
      return (await import('./inspect.js')).commandCheckpoint(sys, positionals, values, io);
    case 'relabel':
      return (await import('./inspect.js')).commandRelabel(sys, positionals, values, io);
  }
}
