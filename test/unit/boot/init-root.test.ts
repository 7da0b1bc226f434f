// boot/init-root.ts, the parts that decide: which init runs next, when PID 1 is the kernel's init
// (not an initramfs'), and when an initramfs has already prepared the root.
import { describe, expect, it } from 'vitest';
import { afterInitramfs, configImage, initOf, isKernelInit } from '../../../src/boot/init-root.js';
import { memorySystem } from '../../helpers/memory-system.js';

const TMPFS = 0x01021994;
const EXT4 = 0xef53;

function system(pid: number, rootFs: number) {
  const sys = memorySystem();
  return Object.assign(sys, {
    pid,
    statfs: () => ({ type: rootFs, blockSize: 4096, blocks: 1000, free: 500, readonly: true }),
  });
}

describe('initOf', () => {
  it.each([
    ['root=/dev/nvme0n1 ro', '/sbin/init'],
    ['prepare-root.init=/lib/systemd/systemd quiet', '/lib/systemd/systemd'],
    ['prepare-root.init=/bin/sh prepare-root.init=/sbin/openrc-init', '/sbin/openrc-init'],
    ['init=/usr/lib/prepare-root/prepare-root', '/sbin/init'],
  ])('%s → %s', (cmdline, init) => {
    expect(initOf(cmdline)).toBe(init);
  });
});

describe('isKernelInit', () => {
  it.each([
    ['PID 1 on a disk’s root', 1, EXT4, true],
    ['PID 1 in an initramfs (tmpfs or ramfs root)', 1, TMPFS, false],
    ['PID 1 on a ramfs root', 1, 0x858458f6, false],
    ['another process on a disk’s root', 4242, EXT4, false],
  ] as const)('%s → %s', (_, pid, fs, kernelInit) => {
    expect(isKernelInit(system(pid, fs))).toBe(kernelInit);
  });
});

describe('afterInitramfs', () => {
  it('/proc already there on the disk’s root: an initramfs ran and executed us', () => {
    const sys = system(1, EXT4);
    expect(afterInitramfs(sys)).toBe(false);
    sys.dir('/proc/self');
    expect(afterInitramfs(sys)).toBe(true);
  });

  it('in our own tmpfs root (a retry), never', () => {
    const sys = system(1, TMPFS);
    sys.dir('/proc/self');
    expect(afterInitramfs(sys)).toBe(false);
  });
});

describe('configImage', () => {
  it('a plain root is its own image', () => {
    expect(configImage(memorySystem(), '/sysroot', 'root=/dev/nvme0n1')).toBe('/sysroot');
  });

  it('an ostree= that does not resolve is the error it is with an initramfs', () => {
    expect(() => configImage(memorySystem(), '/sysroot', 'ostree=/ostree/boot.1/os/x/0')).toThrow(
      /^deployment ostree=\/ostree\/boot\.1\/os\/x\/0: /,
    );
  });
});
