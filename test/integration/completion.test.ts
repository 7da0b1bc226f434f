// completion/prepare-root.bash: what bash offers after each word, and that it stays in step with
// the program: the commands, each command's options (its --help), and the keys --get takes.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/args.js';
import { COMMAND_HELP } from '../../src/cli/help.js';
import { ours } from './harness.js';

const SCRIPT = path.resolve(import.meta.dirname, '../../completion/prepare-root.bash');

/** What bash offers for the command line `words` (the last one being completed). */
function offers(...words: string[]): string[] {
  const script = `source ${JSON.stringify(SCRIPT)}
COMP_WORDS=(${['prepare-root', ...words].map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}
_prepare_root; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', cwd: '/' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('bash completion', () => {
  it('the commands first, then a directory for SYSROOT', () => {
    expect(offers('')).toEqual([...COMMANDS]);
    expect(offers('ch')).toEqual(['check-config', 'checkpoint']);
    expect(offers('/us')).toEqual(['/usr']);
  });

  it.each(COMMANDS.map((c) => [c]))('%s: exactly the options of its --help', (command) => {
    const documented = [...new Set(COMMAND_HELP[command].options.join('\n').match(/--[a-z][a-z-]*/g) ?? [])];
    expect(offers(command, '--').sort()).toEqual([...documented, '--help'].sort());
  });

  it('option values: the kinds of boot, the keys --get takes', () => {
    expect(offers('check-config', '--boot', '')).toEqual(['ostree', 'plain']);
    const r = spawnSync(ours().prep, ['check-config', '--boot', 'plain', '--get', 'x'], { encoding: 'utf8' });
    const keys = /--get takes (.*), not "x"/.exec(r.stderr)?.[1]?.split(', ');
    expect(keys).toHaveLength(4);
    expect(offers('check-config', '--boot', 'plain', '--get', '')).toEqual(keys);
  });

  it('no command yet: --version too', () => {
    expect(offers('--v')).toEqual(['--verbose', '--version']);
  });
});
