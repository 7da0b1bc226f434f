// Limits on what a config may ask for, and the one-line form of every message.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandOf } from '../../src/apply/operations.js';
import { PrepareRootError, formatError } from '../../src/base/errors.js';
import { oneLine, shellQuote, shortList, utf8Encode } from '../../src/base/text.js';
import { loadConfig, resolveConfig } from '../../src/config/config.js';
import { planPrepareRoot } from '../../src/plan/plan.js';
import { CONTEXT, D, facts } from '../helpers/facts.js';

const F = '/etc/ostree/prepare-root.conf';
const resolve = (text: string) => resolveConfig(loadConfig([{ path: F, data: text }]), '').config;

describe('limits', () => {
  it.each([
    ['18446744073709551616', '“18446744073709551616” is more than tmpfs can take (at most 8E, 2^63 bytes)'],
    ['9223372036854775808', '“9223372036854775808” is more than tmpfs can take (at most 8E, 2^63 bytes)'],
    ['8E', '“8E” is more than tmpfs can take (at most 8E, 2^63 bytes)'],
    ['17179869184G', '“17179869184G” is more than tmpfs can take (at most 8E, 2^63 bytes)'],
  ])('transient-size=%s is refused', (size, why) => {
    expect(() => resolve(`[root]\ntransient=true\ntransient-size=${size}\n`)).toThrow(
      new PrepareRootError({ file: F, line: 3 }, `root.transient-size: ${why}`),
    );
  });

  it('the largest sizes tmpfs takes are accepted', () => {
    expect(resolve('[root]\ntransient=true\ntransient-size=7E\n').transientSize).toBe('7E');
    expect(resolve('[root]\ntransient=true\ntransient-size=9223372036854775807\n').transientSize).toBe(
      '9223372036854775807',
    );
  });

  it('more than 64 [overlay] groups, even a chain of 5000, are refused at once', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `[overlay /srv/o${i}]\nlower=/srv/o${i + 1}\n`).join('');
    expect(() => resolve(text)).toThrow(
      new PrepareRootError(
        { file: F, line: 129 },
        '[overlay /srv/o64]: more than 64 [overlay] groups (a limit of prepare-root)',
      ),
    );
  });

  it('more lower layers than overlayfs stacks are refused', () => {
    const lower = Array.from({ length: 501 }, (_, i) => `/usr/l${i}`).join(':');
    expect(() => resolve(`[overlay /opt]\nlower=${lower}\n`)).toThrow(
      new PrepareRootError({ file: F, line: 2 }, '[overlay /opt] lower: 501 layers, more than overlayfs stacks (500)'),
    );
  });

  it('100 000 persisted paths are refused at once', () => {
    const paths = Array.from({ length: 100_000 }, (_, i) => `/srv/p${i}`).join(';');
    expect(() => resolve(`[persist]\npaths=${paths}\n`)).toThrow(
      new PrepareRootError(
        { file: F, line: 2 },
        'persist.paths: 100000 paths, more than 1024 (a limit of prepare-root)',
      ),
    );
  });

  it('1024 persisted paths are checked for overlaps quickly', () => {
    const paths = Array.from({ length: 1024 }, (_, i) => `/srv/p${i}`);
    expect(resolve(`[persist]\npaths=${paths.join(';')}\n`).persistPaths).toHaveLength(1024);
    expect(() => resolve(`[persist]\npaths=${[...paths.slice(0, 1000), '/srv/p7/x'].join(';')}\n`)).toThrow(
      '“/srv/p7” and “/srv/p7/x” overlap',
    );
  });
});

describe('one line', () => {
  it('control characters are escaped, so an input cannot break the line or drive a terminal', () => {
    expect(oneLine('a\nb\tc\x1b[31mred\x7f\x00')).toBe('a\\nb\\tc\\x1b[31mred\\x7f\\x00');
    expect(formatError(new PrepareRootError({ file: '/etc/x.conf', line: 2 }, 'value “\x1b[2J” is bad'))).toBe(
      'prepare-root: /etc/x.conf:2: value “\\x1b[2J” is bad',
    );
  });

  it('a line is at most 1000 bytes of UTF-8, cut on a character boundary, with how much was left out', () => {
    const line = oneLine(`${'é'.repeat(600)}`);
    expect(utf8Encode(line).length).toBeLessThanOrEqual(1000);
    expect(line).toMatch(/^é+… \(\d+ more bytes\)$/);
    expect(oneLine('short')).toBe('short');
  });

  it('long lists are shortened', () => {
    expect(shortList(['a', 'b', 'c', 'd', 'e'], 3)).toBe('a, b, c, … and 2 more');
    expect(shortList(['a', 'b'], 3)).toBe('a, b');
  });
});

describe('warnings say what is true', () => {
  it('a read-only composefs root is not announced as discarded at reboot', () => {
    const config = resolveConfig(loadConfig([{ path: F, data: '[composefs]\nenabled=yes\n' }]), '').config;
    const r = planPrepareRoot(
      config,
      facts({ composefsImage: { state: 'valid', path: `${D}/.ostree.cfs`, hasAcl: true } }),
      CONTEXT,
    );
    expect(r.plan.mode).toBe('composefs');
    expect([...r.warnings, ...r.notices].filter((w) => /discarded at reboot/.test(w.message))).toEqual([]);
  });
});

describe('plan commands can be pasted into a shell', () => {
  const words = [
    '/plain/path',
    '/with space',
    "/it's",
    '/$HOME `x` "q"',
    '/semi;colon&',
    '',
    'a\tb',
    'lowerdir=/a:/b,upperdir=/c',
  ];

  it.each(words)('%j is read back by bash as the same word', (word) => {
    const r = spawnSync('bash', ['-c', `printf '%s\\0' ${shellQuote(word)}`], { encoding: 'utf8' });
    expect(r.stdout).toBe(`${word}\0`);
  });

  it('plain words stay as they are', () => {
    expect(shellQuote('/sysroot/ostree/deploy/os/deploy/abc.0')).toBe('/sysroot/ostree/deploy/os/deploy/abc.0');
  });

  it('a path with a space is quoted in the command, and a note stays out of it', () => {
    expect(commandOf({ op: 'mkdir', path: '/run/my dir', mode: 0o755, existOk: true })).toEqual({
      command: "mkdir -m 0755 '/run/my dir'",
      note: 'may exist',
    });
    expect(commandOf({ op: 'bind', source: '/a b', target: '/c' })).toEqual({ command: "mount --bind '/a b' /c" });
  });
});
