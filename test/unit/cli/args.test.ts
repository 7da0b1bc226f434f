// cli/args.ts: the command line as a request, and every way it is refused (exit 2 in main).
import { describe, expect, it } from 'vitest';
import { parse, sysrootAndCmdline } from '../../../src/cli/args.js';

describe('parse', () => {
  it.each([
    [['/sysroot'], { command: 'run', positionals: ['/sysroot'], values: {} }],
    [['run', '/sysroot', 'ostree=/x'], { command: 'run', positionals: ['/sysroot', 'ostree=/x'], values: {} }],
    [
      ['--pivot', '/sysroot', '--init=/sbin/init'],
      { command: 'run', positionals: ['/sysroot'], values: { pivot: true, init: '/sbin/init' } },
    ],
    [
      ['plan', '/s', '--config', 'a', '--config=b', '--json'],
      { command: 'plan', positionals: ['/s'], values: { config: ['a', 'b'], json: true } },
    ],
    [['status', '--', '--json'], { command: 'status', positionals: ['--json'], values: {} }],
    [['check-config', '-'], { command: 'check-config', positionals: ['-'], values: {} }],
    [['--help'], { help: null }],
    [['status', '-h'], { help: 'status' }],
    [['-V'], 'version'],
    [['diff', '--version'], 'version'],
  ])('%j', (argv, request) => {
    expect(parse(argv)).toEqual(request);
  });

  it.each([
    [['--bogus'], 'unknown option --bogus (see prepare-root --help)'],
    [['-x'], 'unknown option -x (see prepare-root --help)'],
    [['--json=yes'], '--json takes no value (see prepare-root --help)'],
    [['plan', '/s', '--config'], '--config needs a value (see prepare-root --help)'],
    [['stauts'], 'unknown command "stauts" (did you mean status?) (see prepare-root --help)'],
    [['sysroot'], 'unknown command "sysroot" (see prepare-root --help)'],
  ])('refuses %j', (argv, why) => {
    expect(() => parse(argv)).toThrow(why);
    try {
      parse(argv);
    } catch (e) {
      expect(e).toMatchObject({ kind: 'usage' });
    }
  });
});

describe('sysrootAndCmdline', () => {
  it('SYSROOT and the command line that stands in for /proc/cmdline', () => {
    expect(sysrootAndCmdline(['/sysroot', 'ostree=/x'], 'plan')).toEqual(['/sysroot', 'ostree=/x']);
    expect(sysrootAndCmdline(['/sysroot'], 'run')).toEqual(['/sysroot', undefined]);
  });

  it.each([
    [[], 'missing SYSROOT'],
    [['/a', 'b', 'c'], 'unexpected argument "c"'],
    [['sysroot'], 'SYSROOT must be an absolute path, not "sysroot"'],
  ])('refuses %j', (positionals, why) => {
    expect(() => sysrootAndCmdline(positionals, 'run')).toThrow(`${why} (see prepare-root run --help)`);
  });
});
