// apply/compat.ts: each mount's kernel variants, newest first, and which kernel refusal lets the
// next one be tried: decided on errno, system call and argument, never on the words of the call.
import { describe, expect, it } from 'vitest';
import type { FsMount } from '../../../src/apply/actions.js';
import { variantsOf } from '../../../src/apply/compat.js';
import { SysError, type Syscall } from '../../../src/base/errors.js';

const overlay = (lower: string[], data: string[]): FsMount => ({
  fstype: 'overlay',
  source: 'composefs',
  target: '/t',
  readonly: true,
  overlay: { lower, data, upper: null, work: null },
  options: ['metacopy=on'],
});
const EROFS: FsMount = { fstype: 'erofs', source: '/i.cfs', target: '/l', readonly: true, options: ['noacl'] };
const error = (code: string, syscall: Syscall | null, call = 'fsconfig lowerdir+=/a') =>
  new SysError(call, code, 'text', '', syscall);

describe('variantsOf', () => {
  it.each([
    ['composefs layers', overlay(['/l'], ['/o']), ['lowerdir+', 'lowerdir', 'lowerdir-no-data-only']],
    ['a plain overlay', overlay(['/a', '/b'], []), ['lowerdir']],
    [
      'a plain overlay too long for one fsconfig string',
      overlay(
        Array.from({ length: 30 }, (_, i) => `/layer-${i}`),
        [],
      ),
      ['lowerdir+'],
    ],
    ['EROFS', EROFS, ['file', 'loop']],
    ['tmpfs', { fstype: 'tmpfs', source: 'tmpfs', target: '/r', readonly: false, options: ['mode=0755'] }, ['tmpfs']],
  ])('%s: %j', (_, m, names) => {
    expect(variantsOf(m).map((v) => v.name)).toEqual(names);
  });

  it('the options of each composefs variant', () => {
    expect(variantsOf(overlay(['/l'], ['/o'])).map((v) => v.options.map((o) => o.join('=')).join(','))).toEqual([
      'lowerdir+=/l,datadir+=/o,metacopy=on,ro',
      'lowerdir=/l::/o,metacopy=on,ro',
      'lowerdir=/l:/o,metacopy=on,ro',
    ]);
  });

  it.each([
    ['EINVAL from fsconfig on lowerdir+', error('EINVAL', { name: 'fsconfig', arg: 'lowerdir+' }), true],
    ['EINVAL from fsconfig create', error('EINVAL', { name: 'fsconfig', arg: 'create' }), true],
    ['EINVAL from fsconfig on another key', error('EINVAL', { name: 'fsconfig', arg: 'metacopy' }), false],
    ['EINVAL from fsmount', error('EINVAL', { name: 'fsmount' }), false],
    ['ENOENT from fsconfig on lowerdir+', error('ENOENT', { name: 'fsconfig', arg: 'lowerdir+' }), false],
    ['the words of the call alone', error('EINVAL', null), false],
  ])('composefs lowerdir+ gives way to the next on %s: %s', (_, e, next) => {
    expect(variantsOf(overlay(['/l'], ['/o']))[0]!.unsupported(e)).toBe(next);
  });

  it.each([
    ['ENOTBLK from fsconfig create', error('ENOTBLK', { name: 'fsconfig', arg: 'create' }), true],
    ['EINVAL from fsconfig create (a corrupt image)', error('EINVAL', { name: 'fsconfig', arg: 'create' }), false],
  ])('EROFS from the file gives way to a loop device on %s: %s', (_, e, next) => {
    expect(variantsOf(EROFS)[0]!.unsupported(e)).toBe(next);
  });

  it('the last variant never gives way', () => {
    for (const m of [overlay(['/l'], ['/o']), EROFS]) {
      expect(
        variantsOf(m)
          .at(-1)!
          .unsupported(error('EINVAL', { name: 'fsconfig', arg: 'create' })),
      ).toBe(false);
    }
  });
});
