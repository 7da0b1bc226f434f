// cli/help.ts: the overview and each command's help come from one table. Every command has its
// own help, listed in the overview with its usage; every option a help names is one the parser
// takes; the config keys the overview lists are the keys the config reader knows.
import { describe, expect, it } from 'vitest';
import { COMMANDS, parse } from '../../../src/cli/args.js';
import { COMMAND_HELP, HELP, commandHelp } from '../../../src/cli/help.js';
import { KNOWN_KEYS } from '../../../src/config/config.js';

const optionsOf = (text: string) => [...new Set(text.match(/(?<=^|\s|,)--[a-z][a-z-]*/g) ?? [])];

describe('commandHelp', () => {
  it.each(COMMANDS)('%s: usage, what it does, options, exit status', (command) => {
    const help = commandHelp(command);
    for (const usage of COMMAND_HELP[command].usage) expect(help).toContain(`  ${usage}\n`);
    expect(help).toMatch(/\nOptions:\n/);
    expect(help).toContain('  -h, --help     this text.');
    expect(help.endsWith("3 (status) the\nboot's record says it failed.")).toBe(true);
  });

  it.each(COMMANDS)('%s: every option it names is one the parser takes', (command) => {
    const options = optionsOf(commandHelp(command)).filter((o) => o !== '--help');
    expect(options.length).toBeGreaterThan(0);
    for (const option of options) {
      const value = ['--pivot', '--plain', '--chain', '--json', '--verbose', '--no-initramfs'].includes(option)
        ? []
        : ['x'];
      // Unknown options are a usage error; a known one parses (what the command then makes of it is its own).
      expect(() => parse([command === 'run' ? '/sysroot' : command, option, ...value]), option).not.toThrow();
    }
  });
});

describe('HELP', () => {
  it('lists every command with its usage and the first line of its text', () => {
    for (const command of COMMANDS) {
      const h = COMMAND_HELP[command];
      for (const usage of h.usage) expect(HELP).toContain(`  ${usage}\n`);
      expect(HELP).toContain(`  ${command.padEnd(13)} ${h.text.split('\n')[0]}`);
    }
  });

  it('names every option, and every config key the reader knows', () => {
    for (const command of COMMANDS)
      for (const option of optionsOf(COMMAND_HELP[command].options.join('\n'))) expect(HELP).toContain(option);
    for (const [group, keys] of Object.entries(KNOWN_KEYS))
      for (const key of keys) expect(HELP, `${group}.${key}`).toMatch(new RegExp(`\\[${group}\\][^\\n]*\\b${key}\\b`));
  });

  it('an unknown option is a usage error that names it', () => {
    expect(() => parse(['plan', '--jsn'])).toThrow('usage: unknown option --jsn (see prepare-root --help)');
  });
});
