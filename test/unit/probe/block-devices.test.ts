// probe/block-devices.ts: finding a device by LABEL=, UUID=, PARTUUID=, PARTLABEL= in a sysfs laid
// out as the kernel lays it out (/sys/class/block links into the device tree, a partition inside
// its disk), over device nodes holding what mkfs and sfdisk wrote.
import { afterAll, describe, expect, it } from 'vitest';
import { SUPERBLOCK_SPAN } from '../../../src/formats/block-ids.js';
import { findTaggedDevices } from '../../../src/probe/block-devices.js';
import { imageMaker } from '../../helpers/block-images.js';
import { type MemorySystem, memorySystem } from '../../helpers/memory-system.js';

const { imageHead, cleanup } = imageMaker();
afterAll(cleanup);

const GPT = `printf 'label: gpt\\nsize=1M, name="system", uuid=AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE\\nsize=1M, name="prep upper", uuid=12345678-9abc-def0-1234-56789abcdef0\\n' | sfdisk -q "$1"`;
const MBR = `printf 'label: dos\\nlabel-id: 0x0BADBEEF\\nsize=1M\\n' | sfdisk -q "$1"`;
const UPPER_UUID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const heads = {
  gpt: imageHead('gpt.img', '8M', GPT, 34 * 512),
  mbr: imageHead('mbr.img', '8M', MBR, 512),
  root: imageHead('root.img', '64M', 'mkfs.ext4 -q -L root "$1"', SUPERBLOCK_SPAN),
  upper: imageHead('upper.img', '64M', `mkfs.ext4 -q -L prep-upper -U ${UPPER_UUID} "$1"`, SUPERBLOCK_SPAN),
  data: imageHead('data.img', '300M', 'mkfs.xfs -q -L data "$1"', SUPERBLOCK_SPAN),
};

interface Dev {
  readonly name: string;
  readonly head?: Uint8Array;
  readonly devname?: string;
  readonly size?: string;
  /** The disk it is a partition of, and its number there. */
  readonly of?: readonly [string, number];
}

/** /sys/class/block/NAME links to the device's directory (a partition's inside its disk's), /dev/NAME holds HEAD. */
function machine(devices: readonly Dev[]): MemorySystem {
  const sys = memorySystem();
  const dirs = new Map<string, string>();
  for (const d of devices) {
    const dir = d.of === undefined ? `/sys/devices/pci0000:00/${d.name}` : `${dirs.get(d.of[0])}/${d.name}`;
    dirs.set(d.name, dir);
    sys.file(`${dir}/size`, `${d.size ?? '16384'}\n`);
    sys.file(
      `${dir}/uevent`,
      `MAJOR=259\nMINOR=0\nDEVNAME=${d.devname ?? d.name}\nDEVTYPE=${d.of ? 'partition' : 'disk'}\n`,
    );
    if (d.of !== undefined) sys.file(`${dir}/partition`, `${d.of[1]}\n`);
    else sys.file(`${dir}/queue/logical_block_size`, '512\n');
    sys.symlinkTo(`/sys/class/block/${d.name}`, dir);
    if (d.head !== undefined) sys.file(`/dev/${d.devname ?? d.name}`, '', { kind: 'block', data: d.head });
  }
  return sys;
}

const DEVICES: readonly Dev[] = [
  { name: 'loop0', size: '0' }, // unbound: no node to read, and not read
  { name: 'nvme0n1', head: heads.gpt },
  { name: 'nvme0n1p1', head: heads.root, of: ['nvme0n1', 1] },
  { name: 'nvme0n1p2', head: heads.upper, of: ['nvme0n1', 2] },
  { name: 'cciss!c0d0', devname: 'cciss/c0d0', head: heads.mbr },
  { name: 'cciss!c0d0p1', devname: 'cciss/c0d0p1', head: heads.data, of: ['cciss!c0d0', 1] },
];

describe('findTaggedDevices', () => {
  it.each([
    ['LABEL', 'prep-upper', '/dev/nvme0n1p2'],
    ['UUID', UPPER_UUID.toUpperCase(), '/dev/nvme0n1p2'],
    ['PARTUUID', '12345678-9ABC-def0-1234-56789abcdef0', '/dev/nvme0n1p2'],
    ['PARTLABEL', 'prep upper', '/dev/nvme0n1p2'],
    ['PARTUUID', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', '/dev/nvme0n1p1'],
    ['PARTUUID', '0badbeef-01', '/dev/cciss/c0d0p1'],
    ['LABEL', 'data', '/dev/cciss/c0d0p1'],
  ] as const)('%s=%s: %s (its DEVNAME under /dev)', (tag, value, node) => {
    expect(findTaggedDevices(machine(DEVICES), tag, value)).toEqual({ matches: [node], unreadable: [] });
  });

  it('a label is matched exactly (case and all), and a name no device has is no match', () => {
    const sys = machine(DEVICES);
    expect(findTaggedDevices(sys, 'LABEL', 'PREP-UPPER').matches).toEqual([]);
    expect(findTaggedDevices(sys, 'PARTLABEL', 'prep').matches).toEqual([]);
    expect(findTaggedDevices(sys, 'PARTUUID', '0badbeef-02').matches).toEqual([]);
  });

  it('every device that carries the name (the caller refuses more than one)', () => {
    const sys = machine([...DEVICES, { name: 'sdb', head: heads.upper }]);
    expect(findTaggedDevices(sys, 'LABEL', 'prep-upper').matches).toEqual(['/dev/nvme0n1p2', '/dev/sdb']);
  });

  it('a device that cannot be read is named, and the search goes on past it', () => {
    const sys = machine([{ name: 'sr0', head: new Uint8Array(4096) }, ...DEVICES]);
    sys.failNext('read', '/dev/sr0', 'ENOMEDIUM');
    const found = findTaggedDevices(sys, 'LABEL', 'prep-upper');
    expect(found.matches).toEqual(['/dev/nvme0n1p2']);
    expect(found.unreadable).toEqual([expect.stringMatching(/^\/dev\/sr0 \(.*ENOMEDIUM/)]);
  });

  it('no /sys/class/block (sysfs not mounted): nothing found, and why', () => {
    expect(findTaggedDevices(memorySystem(), 'LABEL', 'prep-upper')).toEqual({
      matches: [],
      unreadable: ['/sys/class/block (No such file or directory)'],
    });
  });

  it('a node under /dev that is not a block device is not read as one', () => {
    const sys = machine(DEVICES);
    sys.unlink('/dev/nvme0n1p2');
    sys.file('/dev/nvme0n1p2', '', { data: heads.upper });
    expect(findTaggedDevices(sys, 'LABEL', 'prep-upper')).toEqual({
      matches: [],
      unreadable: ['/dev/nvme0n1p2 (is a regular file, not a block device)'],
    });
  });

  it('a disk whose table cannot be read is named once, not for each of its partitions', () => {
    const sys = machine(DEVICES);
    sys.failNext('read', '/dev/nvme0n1', 'EIO');
    expect(findTaggedDevices(sys, 'PARTLABEL', 'prep upper')).toEqual({
      matches: [],
      unreadable: [expect.stringMatching(/^\/dev\/nvme0n1 \(.*EIO/)],
    });
  });
});
