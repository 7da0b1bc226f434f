// The block device a LABEL=, UUID=, PARTUUID= or PARTLABEL= names, found without udev: without an
// initramfs nothing has made /dev/disk/by-*. The kernel lists its block devices in
// /sys/class/block (a partition with its number, under its disk) and devtmpfs has their nodes;
// the superblocks and partition tables are read here, from the devices themselves.
import { PROC_FILE_MAX } from '../base/limits.js';
import { reasonOf } from '../base/errors.js';
import { utf8Decode } from '../base/text.js';
import { readOptional } from '../fs/files.js';
import {
  SUPERBLOCK_SPAN,
  filesystemIds,
  gptEntriesAt,
  gptPartitions,
  mbrPartuuid,
  mbrSignature,
} from '../formats/block-ids.js';
import type { System } from '../platform/system.js';

export type DeviceTag = 'LABEL' | 'UUID' | 'PARTUUID' | 'PARTLABEL';

const CLASS = '/sys/class/block';
/** At most this much of a disk is read for its partition table (128 entries take 16 KiB). */
const TABLE_SPAN_MAX = 1 << 20;

/** What a search found: the device nodes that carry the name, and the devices that could not be read. */
export interface TagSearch {
  readonly matches: readonly string[];
  readonly unreadable: readonly string[];
}

interface BlockDevice {
  readonly name: string;
  /** Its node under /dev (DEVNAME= of its uevent: dm-0 for a mapper device, for one). */
  readonly node: string;
  /** Its number on its disk when a partition, and that disk's name. */
  readonly partition: { readonly number: number; readonly disk: string } | null;
}

function sysText(sys: System, path: string): string | null {
  const bytes = readOptional(sys, path, PROC_FILE_MAX);
  return bytes === null ? null : utf8Decode(bytes).trim();
}

function blockDevice(sys: System, name: string): BlockDevice | null {
  const dir = `${CLASS}/${name}`;
  if (sysText(sys, `${dir}/size`) === '0') return null; // an unbound loop device, an empty drive
  const devname = /^DEVNAME=(.+)$/m.exec(sysText(sys, `${dir}/uevent`) ?? '')?.[1] ?? name;
  const number = sysText(sys, `${dir}/partition`);
  if (number === null) return { name, node: `/dev/${devname}`, partition: null };
  // A partition's directory is inside its disk's: .../nvme0n1/nvme0n1p2.
  const disk = sys.readlink(dir).split('/').slice(-2, -1)[0] ?? '';
  return { name, node: `/dev/${devname}`, partition: { number: Number(number), disk } };
}

/** A partition's names by its number on the disk (an MBR has no PARTLABEL). */
type Table = (number: number) => { readonly partuuid?: string; readonly partlabel?: string };
const NO_TABLE: Table = () => ({});

/** A disk's partition table: its GPT's entries, or what its MBR's signature names. */
function partitionTable(sys: System, disk: BlockDevice): Table {
  const sectorSize = Number(sysText(sys, `${CLASS}/${disk.name}/queue/logical_block_size`) ?? '512') || 512;
  const head = sys.readDeviceHead(disk.node, sectorSize * 2);
  const entries = gptEntriesAt(head, sectorSize);
  if (entries !== null) {
    const end = entries.offset + entries.count * entries.size;
    if (end > TABLE_SPAN_MAX) return NO_TABLE;
    const bytes = sys.readDeviceHead(disk.node, end).subarray(entries.offset);
    const gpt = new Map(gptPartitions(bytes, entries.size).map((p) => [p.number, p]));
    return (number) => gpt.get(number) ?? {};
  }
  const signature = mbrSignature(head.subarray(0, 512));
  return signature === null ? NO_TABLE : (number) => ({ partuuid: mbrPartuuid(signature, number) });
}

/** The devices (their /dev nodes) whose filesystem or partition carries TAG=VALUE. */
export function findTaggedDevices(sys: System, tag: DeviceTag, value: string): TagSearch {
  let names: string[];
  try {
    names = sys.readdir(CLASS);
  } catch (e) {
    return { matches: [], unreadable: [`${CLASS} (${reasonOf(e)})`] }; // no sysfs: nothing to look in
  }
  const devices = names
    .sort()
    .map((name) => blockDevice(sys, name))
    .filter((d) => d !== null);
  const byName = new Map(devices.map((d) => [d.name, d]));
  const tables = new Map<string, Table>();
  const matches: string[] = [];
  const unreadable: string[] = [];
  const wanted = tag === 'UUID' || tag === 'PARTUUID' ? value.toLowerCase() : value;
  for (const device of devices) {
    try {
      if (tag === 'LABEL' || tag === 'UUID') {
        const ids = filesystemIds(sys.readDeviceHead(device.node, SUPERBLOCK_SPAN));
        if (ids !== null && (tag === 'LABEL' ? ids.label : ids.uuid) === wanted) matches.push(device.node);
        continue;
      }
      if (device.partition === null) continue;
      const disk = byName.get(device.partition.disk);
      if (disk === undefined) continue;
      let table = tables.get(disk.name);
      if (table === undefined) {
        table = NO_TABLE;
        try {
          table = partitionTable(sys, disk);
        } catch (e) {
          unreadable.push(`${disk.node} (${reasonOf(e)})`);
        }
        tables.set(disk.name, table);
      }
      const ids = table(device.partition.number);
      if ((tag === 'PARTUUID' ? ids.partuuid : ids.partlabel) === wanted) matches.push(device.node);
    } catch (e) {
      unreadable.push(`${device.node} (${reasonOf(e)})`);
    }
  }
  return { matches, unreadable };
}
