// Command-line interface: parse, dispatch. Each command returns an exit code; errors propagate
// to main, which prints them once.
import { QUICKJS_VERSION, VERSION } from '../base/version.js';
import type { System } from '../platform/system.js';
import { COMMANDS, type Output, parse, usageError } from './args.js';
import { commandPlan, commandRun } from './boot.js';
import { HELP, commandHelp } from './help.js';
import { commandCheckpoint, commandDiff, commandRelabel, commandStatus } from './inspect.js';
import { commandCheckConfig } from './lint.js';

/** The boot path (as opposed to the tools): `run`, explicit or implied. */
export function isBootRun(argv: readonly string[]): boolean {
  const first = argv.find((a) => !a.startsWith('-'));
  return first === undefined || !(COMMANDS as readonly string[]).includes(first) || first === 'run';
}

export function runCli(sys: System, argv: readonly string[], io: Output): number {
  const parsed = parse(argv);
  if (typeof parsed === 'object' && 'help' in parsed) {
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
  if (!['plan', 'status', 'diff'].includes(command) && values.json)
    throw only('--json only applies to plan, status and diff');
  if (!['status', 'diff', 'checkpoint', 'relabel', 'check-config'].includes(command) && values.root !== undefined)
    throw only('--root only applies to status, diff, checkpoint, relabel and check-config');
  if (command !== 'check-config' && values.plain === true) throw only('--plain only applies to check-config');
  if (command !== 'check-config' && (values.boot !== undefined || values.get !== undefined))
    throw only('--boot and --get only apply to check-config');
  if (command !== 'diff' && (values.upper !== undefined || values.lower !== undefined))
    throw only('--upper and --lower only apply to diff');
  switch (command) {
    case 'run':
      return commandRun(sys, positionals, values, io);
    case 'plan':
      return commandPlan(sys, positionals, values, io);
    case 'check-config':
      return commandCheckConfig(sys, positionals, values, io);
    case 'status':
      return commandStatus(sys, positionals, values, io);
    case 'diff':
      return commandDiff(sys, positionals, values, io);
    case 'checkpoint':
      return commandCheckpoint(sys, positionals, values, io);
    case 'relabel':
      return commandRelabel(sys, positionals, values, io);
  }
}
