import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deviceWaitOf,
  findKarg,
  findLastKarg,
  findOstreeTarget,
  hasFlag,
  modulesToLoadOf,
} from '../../../src/config/cmdline.js';
import { PrepareRootError } from '../../../src/base/errors.js';

describe('findKarg', () => {
  it.each([
    ['', 'ostree', null],
    ['foo', 'ostree', null],
    ['foo=bar baz  sometest', 'ostree', null],
    ['xostree foo', 'ostree', null],
    ['xostree=blah bar', 'ostree', null],
    ['ostree', 'ostree', null],
    ['ostree=', 'ostree', ''],
    ['root=UUID=x ostree=/foo/bar rw', 'ostree', '/foo/bar'],
    ['  ostree=/a   ostree=/b', 'ostree', '/a'],
    ['ostree=/a=b', 'ostree', '/a=b'],
    ['ostree=/a\tquiet', 'ostree', '/a\tquiet'],
    ['ostree.prepare-root.composefs=0 ostree=/x', 'ostree.prepare-root.composefs', '0'],
  ])('%j → %s=%j', (cmdline, key, expected) => {
    expect(findKarg(cmdline, key)).toBe(expected);
  });
});

describe('our arguments: the last one wins (systemd), so one appended at the boot menu counts', () => {
  it.each([
    ['rd.prepare-root=transient quiet rd.prepare-root=off', 'off'],
    ['rd.prepare-root=off rd.prepare-root=transient', 'transient'],
    ['rd.prepare-root=off rd.prepare-root', 'off'],
    ['rd.prepare-root.reset=1 rd.prepare-root=x', 'x'],
    ['quiet', null],
  ])('%j → %j', (cmdline, expected) => {
    expect(findLastKarg(cmdline, 'rd.prepare-root')).toBe(expected);
  });

  it.each([
    ['rd.prepare-root.reset', true],
    ['rd.prepare-root.reset rd.prepare-root.reset=0', false],
    ['rd.prepare-root.reset=0 rd.prepare-root.reset=1', true],
    ['rd.prepare-root.reset=true quiet', true],
    ['rd.prepare-root.resetx', false],
    ['', false],
  ])('flag %j → %s', (cmdline, expected) => {
    expect(hasFlag(cmdline, 'rd.prepare-root.reset')).toBe(expected);
  });

  it("ostree's keep ostree's rule: the first one wins", () => {
    expect(
      findKarg('ostree.prepare-root.composefs=0 ostree.prepare-root.composefs=1', 'ostree.prepare-root.composefs'),
    ).toBe('0');
  });
});

describe('findOstreeTarget', () => {
  it.each([
    ['ostree=/ostree/boot.1/os/abc/0', { path: '/ostree/boot.1/os/abc/0', from: 'ostree' }],
    ['androidboot.slot_suffix=_a ostree=/x', { path: '/ostree/root.a', from: 'androidboot.slot_suffix' }],
    ['ostree=/x androidboot.slot_suffix=_b', { path: '/ostree/root.b', from: 'androidboot.slot_suffix' }],
    ['androidboot.serialno=123 ostree=/x', { path: '/ostree/root.a', from: 'androidboot' }],
    ['quiet', null],
  ])('%j', (cmdline, expected) => {
    expect(findOstreeTarget(cmdline)).toEqual(expected);
  });

  it('rejects an unknown slot suffix, naming it', () => {
    expect(() => findOstreeTarget('androidboot.slot_suffix=_c')).toThrow(
      new PrepareRootError('kernel argument androidboot.slot_suffix', 'invalid slot "_c" (expected _a or _b)'),
    );
  });

  it('never crashes: any command line gives a target, null, or a PrepareRootError', () => {
    fc.assert(
      fc.property(fc.string(), (cmdline) => {
        try {
          const t = findOstreeTarget(cmdline);
          if (t !== null) expect(typeof t.path).toBe('string');
        } catch (e) {
          expect(e).toBeInstanceOf(PrepareRootError);
        }
      }),
    );
  });

  it('the first ostree= wins whatever follows', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[^ ]+$/), fc.array(fc.stringMatching(/^[^ ]*$/)), (value, rest) => {
        const cmdline = [`ostree=${value}`, ...rest].join(' ');
        fc.pre(!cmdline.split(' ').some((t) => t.startsWith('androidboot.')));
        expect(findOstreeTarget(cmdline)?.path).toBe(value);
      }),
    );
  });
});

describe('deviceWaitOf', () => {
  it.each([
    ['root=/dev/vda1 ro', 30],
    ['rootdelay=5', 5],
    ['rootdelay=5 quiet rootdelay=0', 0],
    ['rootdelay=-1', 30],
    ['rootdelay=1e3', 30],
    ['rootdelay=99999', 30],
    ['rootdelay', 30],
  ])('%s: %d s', (cmdline, seconds) => {
    expect(deviceWaitOf(cmdline)).toBe(seconds);
  });
});

describe('modulesToLoadOf', () => {
  it.each([
    ['root=/dev/vda1', []],
    ['rd.modules-load=virtio_blk', ['virtio_blk']],
    [
      'rd.modules-load=virtio-blk,,usb-storage quiet rd.modules-load=virtio_blk,uas',
      ['virtio_blk', 'usb_storage', 'uas'],
    ],
    ['modules-load=loop rd.modules-load=', []],
  ])('%s: %j', (cmdline, names) => {
    expect(modulesToLoadOf(cmdline)).toEqual(names);
  });
});
