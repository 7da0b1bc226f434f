// base/errors.ts: where a failure is, as data and as text; a failed call as data for decisions;
// the reason and the whole message of anything thrown; one line per error for the console.
import { describe, expect, it } from 'vitest';
import {
  PrepareRootError,
  SysError,
  type Where,
  failedWith,
  formatError,
  isSysError,
  lineOf,
  messageOf,
  reasonOf,
  whereText,
} from '../../../src/base/errors.js';

const einval = new SysError('mount overlay on /sysroot', 'EINVAL', 'Invalid argument', 'overlay: bad lowerdir', {
  name: 'fsconfig',
  arg: 'lowerdir+',
});

describe('Where', () => {
  it.each<[Where, string, number | null]>([
    [{ file: '/etc/ostree/prepare-root.conf', line: 3 }, '/etc/ostree/prepare-root.conf:3', 3],
    [{ step: 'mount-root' }, 'step mount-root', null],
    [{ path: '/sysroot/etc' }, '/sysroot/etc', null],
    [{ name: 'kernel argument ostree' }, 'kernel argument ostree', null],
  ])('%j → %s', (where, text, line) => {
    expect(whereText(where)).toBe(text);
    expect(lineOf(where)).toBe(line);
    expect(new PrepareRootError(where, 'wrong').message).toBe(`${text}: wrong`);
  });

  it('a string is a name', () => {
    const e = new PrepareRootError('composefs.keypath', 'missing', { kind: 'usage' });
    expect([e.where, e.what, e.kind]).toEqual([{ name: 'composefs.keypath' }, 'composefs.keypath', 'usage']);
  });
});

describe('SysError', () => {
  it('says the call, the errno text and what the kernel logged', () => {
    expect(einval.message).toBe('mount overlay on /sysroot: Invalid argument (overlay: bad lowerdir)');
    expect(new SysError('open /x', 'ENOENT', 'No such file or directory').message).toBe(
      'open /x: No such file or directory',
    );
  });

  it.each<[string, string, string, readonly string[] | undefined, boolean]>([
    ['the errno and call', 'EINVAL', 'fsconfig', undefined, true],
    ['and one of the arguments', 'EINVAL', 'fsconfig', ['lowerdir+', 'datadir+'], true],
    ['another argument', 'EINVAL', 'fsconfig', ['create'], false],
    ['another errno', 'EPERM', 'fsconfig', undefined, false],
    ['another call', 'EINVAL', 'fsmount', undefined, false],
  ])('failedWith: %s → %s', (_, code, name, args, matches) => {
    expect(failedWith(einval, code, name, args)).toBe(matches);
  });

  it('isSysError, with and without an errno', () => {
    expect([isSysError(einval), isSysError(einval, 'EINVAL'), isSysError(einval, 'ENOENT')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(isSysError(new Error('x'))).toBe(false);
  });
});

describe('reasonOf, messageOf, formatError', () => {
  it.each<[string, unknown, string, string, string]>([
    [
      'a failed call',
      einval,
      'Invalid argument',
      'mount overlay on /sysroot: Invalid argument (overlay: bad lowerdir)',
      'prepare-root: internal error: mount overlay on /sysroot: Invalid argument (overlay: bad lowerdir)',
    ],
    [
      'ours',
      new PrepareRootError({ step: 'bind-etc' }, 'failed'),
      'step bind-etc: failed',
      'step bind-etc: failed',
      'prepare-root: step bind-etc: failed',
    ],
    ['a bug', new TypeError('x is null'), 'x is null', 'x is null', 'prepare-root: internal error: x is null'],
    ['not an Error', 5, '5', '5', 'prepare-root: internal error: 5'],
    [
      'control characters',
      new PrepareRootError({ path: '/a\nb' }, 'bad\x1b[2J'),
      '/a\nb: bad\x1b[2J',
      '/a\nb: bad\x1b[2J',
      'prepare-root: /a\\nb: bad\\x1b[2J',
    ],
  ])('%s', (_, e, reason, message, line) => {
    expect(reasonOf(e)).toBe(reason);
    expect(messageOf(e)).toBe(message);
    expect(formatError(e)).toBe(line);
  });
});
