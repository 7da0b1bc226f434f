// The man pages (man/): clean for mandoc's linter, and in step with the program: every command,
// every option `--help` lists, every exit status, and every configuration key prepare-root knows.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/args.js';
import { KNOWN_KEYS } from '../../src/config/config.js';
import { OVERLAY_KEYS } from '../../src/config/overlay-config.js';
import { ours } from './harness.js';

const MAN = path.resolve(import.meta.dirname, '../../man');
const page = (name: string) => readFileSync(path.join(MAN, name), 'utf8');
/** A page as a reader sees it: roff's escapes and font changes gone. */
const rendered = (name: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the overstrike (char, backspace) of bold and underline is what is removed
  execFileSync('mandoc', ['-T', 'utf8', path.join(MAN, name)], { encoding: 'utf8' }).replace(/.\x08/g, '');

describe('man pages', () => {
  it.each(['prepare-root.8', 'prepare-root.conf.5'])('%s: mandoc -T lint finds nothing', (name) => {
    const r = spawnSync('mandoc', ['-T', 'lint', '-W', 'warning', path.join(MAN, name)], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('prepare-root(8) has every command, every option of --help, every exit status', () => {
    const text = rendered('prepare-root.8');
    const help = execFileSync(ours().prep, ['--help'], { encoding: 'utf8' });
    const options = [...new Set(help.match(/--[a-z][a-z-]*/g))];
    expect(options.length).toBeGreaterThan(10);
    for (const c of COMMANDS) expect(text, c).toMatch(new RegExp(`^ {7}${c}\\b`, 'm'));
    for (const o of options) expect(text, o).toContain(o);
    for (const status of ['0', '1', '2', '3']) expect(text).toMatch(new RegExp(`^ {7}${status}\\s`, 'm'));
    for (const karg of ['ostree=', 'rd.prepare-root=', 'rd.prepare-root.reset', 'ostree.prepare-root.composefs='])
      expect(text, karg).toContain(karg);
  });

  it('prepare-root.conf(5) has every key of both kinds of configuration', () => {
    const text = rendered('prepare-root.conf.5');
    for (const [group, keys] of Object.entries(KNOWN_KEYS))
      for (const key of keys) expect(text, `${group}.${key}`).toContain(`[${group}] ${key}=`);
    for (const key of OVERLAY_KEYS) expect(text, `overlay ${key}`).toContain(`${key}=`);
  });

  it('both pages are installed with the rest', () => {
    const install = readFileSync(path.resolve(MAN, '../dracut/install.sh'), 'utf8');
    expect(install).toContain('man/prepare-root.8');
    expect(install).toContain('man/prepare-root.conf.5');
    expect(page('prepare-root.8')).toContain('.BR prepare-root.conf (5)');
  });
});
