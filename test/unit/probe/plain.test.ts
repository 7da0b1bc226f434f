// probe/plain.ts, root.upper-device: udev's link where there is one, else the device found by its
// name in sysfs (a boot without udev), waited for as long as asked, and never a guess between two.
import { describe, expect, it } from 'vitest';
import { PrepareRootError } from '../../../src/base/errors.js';
import { probeUpperDevice } from '../../../src/probe/plain.js';
import { type MemorySystem, memorySystem } from '../../helpers/memory-system.js';

/** The bytes of an ext4 superblock region carrying LABEL (magic and label at their offsets). */
function ext4Head(label: string): Uint8Array {
  const head = new Uint8Array(4096);
  head[1024 + 0x38] = 0x53;
  head[1024 + 0x39] = 0xef;
  head.set(new TextEncoder().encode(label), 1024 + 0x78);
  return head;
}

function addDisk(sys: MemorySystem, name: string, label: string): void {
  sys.file(`/sys/devices/virtual/${name}/size`, '8192\n');
  sys.file(`/sys/devices/virtual/${name}/uevent`, `DEVNAME=${name}\n`);
  sys.symlinkTo(`/sys/class/block/${name}`, `/sys/devices/virtual/${name}`);
  sys.file(`/dev/${name}`, '', { kind: 'block', data: ext4Head(label) });
}

function machine(): MemorySystem {
  const sys = memorySystem();
  sys.dir('/sys/class/block');
  addDisk(sys, 'vda', 'root');
  return sys;
}

const NOT_FOUND =
  'neither /dev/disk/by-label/prep-upper nor any block device the kernel lists in /sys/class/block has that name (the device is not attached, or not found yet)';

describe('probeUpperDevice', () => {
  it("udev's link when it is a block device: nothing is scanned", () => {
    const sys = machine();
    sys.dir('/dev/disk/by-label');
    sys.mknod('/dev/disk/by-label/prep-upper', 'block', 0o600, { major: 8, minor: 1 });
    sys.failNext('read', '/dev/vda', 'EIO'); // would show in the result if it were read
    expect(probeUpperDevice(sys, 'LABEL=prep-upper', 0)).toEqual({
      spec: 'LABEL=prep-upper',
      present: true,
      path: '/dev/disk/by-label/prep-upper',
    });
  });

  it('without udev: the device whose filesystem has the label, by its own node', () => {
    const sys = machine();
    addDisk(sys, 'vdb', 'prep-upper');
    expect(probeUpperDevice(sys, 'LABEL=prep-upper', 0)).toEqual({
      spec: 'LABEL=prep-upper',
      present: true,
      path: '/dev/vdb',
    });
  });

  it("udev's link written as the spec is looked for the same way", () => {
    const sys = machine();
    addDisk(sys, 'vdb', 'prep-upper');
    expect(probeUpperDevice(sys, '/dev/disk/by-label/prep-upper', 0)).toMatchObject({
      present: true,
      path: '/dev/vdb',
    });
  });

  it('not there: why, and after a wait, how long it was waited for (10 looks a second)', () => {
    const sys = machine();
    let sleeps = 0;
    sys.sleep = () => {
      sleeps++;
    };
    expect(probeUpperDevice(sys, 'LABEL=prep-upper', 0)).toEqual({
      spec: 'LABEL=prep-upper',
      present: false,
      missing: NOT_FOUND,
    });
    expect(sleeps).toBe(0);
    expect(probeUpperDevice(sys, 'LABEL=prep-upper', 2)).toEqual({
      spec: 'LABEL=prep-upper',
      present: false,
      missing: `${NOT_FOUND}, waited 2 s`,
    });
    expect(sleeps).toBe(20);
  });

  it('a device that appears while waited for is taken at once', () => {
    const sys = machine();
    let sleeps = 0;
    sys.sleep = (seconds) => {
      expect(seconds).toBe(0.1);
      if (++sleeps === 3) addDisk(sys, 'sda', 'prep-upper');
    };
    expect(probeUpperDevice(sys, 'LABEL=prep-upper', 30)).toMatchObject({ present: true, path: '/dev/sda' });
    expect(sleeps).toBe(3);
  });

  it('two devices with the name: refused, naming both, rather than a guess', () => {
    const sys = machine();
    addDisk(sys, 'vdb', 'prep-upper');
    addDisk(sys, 'sda', 'prep-upper');
    expect(() => probeUpperDevice(sys, 'LABEL=prep-upper', 30)).toThrow(
      new PrepareRootError(
        'root.upper-device LABEL=prep-upper',
        "/dev/sda and /dev/vdb all carry that name: which one holds the root's changes cannot be told; give the device a name of its own, or name it by PARTUUID= or its /dev path",
      ),
    );
  });

  it('a /dev path that is not a block device, or not there', () => {
    const sys = machine();
    sys.file('/dev/vdz');
    for (const spec of ['/dev/vdz', '/dev/vdy']) {
      expect(probeUpperDevice(sys, spec, 0)).toEqual({
        spec,
        present: false,
        missing: `${spec} is not a block device (the device is not attached, or not found yet)`,
      });
    }
  });
});
