// Shared by the commands: output sink, argument shapes, usage errors.
import { parseArgs } from 'node:util';
import type { Warning } from '../config.js';
import { PrepareRootError } from '../errors.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export function warningLine(w: Warning): string {
  return `prepare-root: warning: ${w.where}: ${w.message}`;
}

export const COMMANDS = ['run', 'plan', 'check-config', 'status', 'diff', 'checkpoint'] as const;
export type Command = (typeof COMMANDS)[number];

export interface Parsed {
  readonly command: Command;
  readonly positionals: string[];
  readonly values: { pivot?: boolean; init?: string; json?: boolean; verbose?: boolean; config?: string[]; root?: string; upper?: string; lower?: string };
}

export function parse(argv: readonly string[]): Parsed | 'help' | 'version' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
      pivot: { type: 'boolean' },
      init: { type: 'string' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
      config: { type: 'string', multiple: true },
      root: { type: 'string' },
      upper: { type: 'string' },
      lower: { type: 'string' },
    },
  });
  if (values.help) return 'help';
  if (values.version) return 'version';
  const [first, ...rest] = positionals;
  const command: Command = (COMMANDS as readonly string[]).includes(first ?? '') ? first as Command : 'run';
  return { command, positionals: command === first ? rest : positionals, values };
}

export function usageError(why: string): PrepareRootError {
  return new PrepareRootError('usage', `${why} (see prepare-root --help)`);
}
