// Shared by the commands: output sink, argument parsing, usage errors.
import { PrepareRootError } from '../base/errors.js';
import { closest } from '../base/suggest.js';
import { oneLine } from '../base/text.js';
import type { Warning } from '../config/config.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export function warningLine(w: Warning): string {
  return oneLine(`prepare-root: warning: ${w.where}: ${w.message}`);
}

/** What was asked for, said once: not a warning, which is for what the user may not have meant. */
export function noticeLine(n: Warning): string {
  return oneLine(`prepare-root: notice: ${n.where}: ${n.message}`);
}

export const COMMANDS = ['run', 'plan', 'check-config', 'status', 'diff', 'checkpoint', 'relabel'] as const;
export type Command = (typeof COMMANDS)[number];

export interface Values {
  readonly pivot?: boolean;
  readonly plain?: boolean;
  readonly chain?: boolean;
  readonly init?: string;
  readonly json?: boolean;
  readonly verbose?: boolean;
  readonly config?: readonly string[];
  readonly root?: string;
  readonly upper?: string;
  readonly lower?: string;
  readonly boot?: string;
  readonly get?: string;
  /** plan, check-config: as the kernel's init would, without an initramfs. */
  readonly 'no-initramfs'?: boolean;
}

export interface Parsed {
  readonly command: Command;
  readonly positionals: string[];
  readonly values: Values;
}

export function usageError(why: string, command?: Command): PrepareRootError {
  return new PrepareRootError(
    'usage',
    `${why} (see prepare-root${command === undefined ? '' : ` ${command}`} --help)`,
    {
      kind: 'usage',
    },
  );
}

const FLAGS = new Set(['pivot', 'plain', 'chain', 'json', 'verbose', 'help', 'version', 'no-initramfs']);
const WITH_VALUE = new Set(['init', 'config', 'root', 'upper', 'lower', 'boot', 'get']);
const SHORT: Record<string, string> = { h: 'help', V: 'version' };

/** What the command line asks for: a command, its help (null: the overview), or the version. */
export type Request = Parsed | { readonly help: Command | null } | 'version';

/**
 * `--name`, `--name value`, `--name=value`, `-h`, `-V`; `--` ends the options. A first word that
 * is neither a command nor an absolute path is a mistyped command, not a SYSROOT to prepare.
 */
export function parse(argv: readonly string[]): Request {
  const positionals: string[] = [];
  const values: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : SHORT[arg.slice(1)];
    if (name === undefined || (!FLAGS.has(name) && !WITH_VALUE.has(name))) throw usageError(`unknown option ${arg}`);
    if (FLAGS.has(name)) {
      if (eq >= 0) throw usageError(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i]!;
    else throw usageError(`--${name} needs a value`);
    if (name === 'config') values.config = [...((values.config as string[] | undefined) ?? []), value];
    else values[name] = value;
  }
  const [first, ...rest] = positionals;
  const named = (COMMANDS as readonly string[]).includes(first ?? '');
  if (!named && first !== undefined && !first.startsWith('/')) {
    const hint = closest(first, COMMANDS);
    throw usageError(`unknown command "${first}"${hint === null ? '' : ` (did you mean ${hint}?)`}`);
  }
  const command: Command = named ? (first as Command) : 'run';
  if (values.help === true) return { help: named ? command : null };
  if (values.version === true) return 'version';
  return { command, positionals: named ? rest : positionals, values: values as Values };
}

/** SYSROOT (absolute) and the optional command line that stands in for /proc/cmdline. */
export function sysrootAndCmdline(positionals: string[], command: 'run' | 'plan'): [string, string | undefined] {
  if (positionals.length === 0) throw usageError('missing SYSROOT', command);
  if (positionals.length > 2) throw usageError(`unexpected argument "${positionals[2]}"`, command);
  if (!positionals[0]!.startsWith('/'))
    throw usageError(`SYSROOT must be an absolute path, not "${positionals[0]}"`, command);
  return [positionals[0]!, positionals[1]];
}
