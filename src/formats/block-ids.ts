// The names a block device goes by without udev: a filesystem's UUID and label from its
// superblock (the filesystems an overlay upper can live on: ext2/3/4, XFS, btrfs), and a
// partition's PARTUUID and PARTLABEL from its disk's GPT (or the MBR's disk signature, as the
// kernel's own root=PARTUUID= reads it). Pure: the caller reads the bytes.
import { toHex, utf8Decode } from '../base/text.js';

/** A filesystem's identity; uuid in lower case, 8-4-4-4-12, as udev's by-uuid names it. */
export interface FilesystemIds {
  readonly fstype: 'ext' | 'xfs' | 'btrfs';
  readonly uuid: string;
  readonly label: string;
}

/** A partition as its disk's GPT gives it: the kernel's number for it (sda1 is 1). */
export interface PartitionIds {
  readonly number: number;
  /** A GPT entry's unique GUID, lower case. */
  readonly partuuid: string;
  readonly partlabel: string;
}

/** How much of a device's start the superblocks lie in (btrfs': 4 KiB at 64 KiB). */
export const SUPERBLOCK_SPAN = 0x10000 + 0x1000;

const le16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const le32 = (b: Uint8Array, at: number) => (le16(b, at) | (le16(b, at + 2) << 16)) >>> 0;
const ascii = (b: Uint8Array, at: number, s: string) => [...s].every((c, i) => b[at + i] === c.charCodeAt(0));

/** 16 bytes as a UUID's text, in the byte order they are stored. */
function uuidText(b: Uint8Array): string {
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A GUID as GPT stores it: its first three fields little-endian. */
function guidText(b: Uint8Array): string {
  const swapped = Uint8Array.of(b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8, 16));
  return uuidText(swapped);
}

/** A fixed-size, NUL-padded UTF-8 field. */
function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return utf8Decode(end < 0 ? b : b.subarray(0, end));
}

function utf16le(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) {
    const unit = le16(b, i);
    if (unit === 0) break;
    s += String.fromCharCode(unit);
  }
  return s;
}

/** The filesystem the device's first SUPERBLOCK_SPAN bytes hold, if one of those we know. */
export function filesystemIds(head: Uint8Array): FilesystemIds | null {
  const field = (at: number, length: number) => (head.length >= at + length ? head.subarray(at, at + length) : null);
  // ext2/3/4: the superblock at 1 KiB, magic 0xEF53 at 0x38, UUID at 0x68, label at 0x78.
  const ext = field(1024, 0x88);
  if (ext !== null && le16(ext, 0x38) === 0xef53) {
    return { fstype: 'ext', uuid: uuidText(ext.subarray(0x68, 0x78)), label: cString(ext.subarray(0x78, 0x88)) };
  }
  // XFS: "XFSB" at 0, UUID at 32, label (12 bytes) at 108.
  const xfs = field(0, 120);
  if (xfs !== null && ascii(xfs, 0, 'XFSB')) {
    return { fstype: 'xfs', uuid: uuidText(xfs.subarray(32, 48)), label: cString(xfs.subarray(108, 120)) };
  }
  // btrfs: the superblock at 64 KiB, "_BHRfS_M" at 0x40, fsid at 0x20, label (256 bytes) at 0x12b.
  const btrfs = field(0x10000, 0x22b);
  if (btrfs !== null && ascii(btrfs, 0x40, '_BHRfS_M')) {
    return {
      fstype: 'btrfs',
      uuid: uuidText(btrfs.subarray(0x20, 0x30)),
      label: cString(btrfs.subarray(0x12b, 0x22b)),
    };
  }
  return null;
}

/** Where a GPT's entries lie, from its header at LBA 1; null when there is none for this sector size. */
export function gptEntriesAt(
  head: Uint8Array,
  sectorSize: number,
): { readonly offset: number; readonly count: number; readonly size: number } | null {
  if (head.length < sectorSize + 92 || !ascii(head, sectorSize, 'EFI PART')) return null;
  const lba = le32(head, sectorSize + 72) + le32(head, sectorSize + 76) * 2 ** 32;
  const count = le32(head, sectorSize + 80);
  const size = le32(head, sectorSize + 84);
  if (size < 128 || count === 0) return null;
  return { offset: lba * sectorSize, count, size };
}

/** The used entries of a GPT, given the bytes gptEntriesAt points at (count × size of them). */
export function gptPartitions(entries: Uint8Array, size: number): PartitionIds[] {
  const partitions: PartitionIds[] = [];
  for (let i = 0; (i + 1) * size <= entries.length; i++) {
    const e = entries.subarray(i * size, (i + 1) * size);
    if (e.subarray(0, 16).every((x) => x === 0)) continue; // unused: no type
    partitions.push({ number: i + 1, partuuid: guidText(e.subarray(16, 32)), partlabel: utf16le(e.subarray(56, 128)) });
  }
  return partitions;
}

/**
 * An MBR's disk signature (from its first sector), lower-case hex: partition N of the disk is
 * PARTUUID=SIGNATURE-NN (NN in hex, logical partitions too), as the kernel names it. Null
 * without an MBR, and for a protective one (type 0xEE: a GPT disk).
 */
export function mbrSignature(sector: Uint8Array): string | null {
  if (sector.length < 512 || sector[510] !== 0x55 || sector[511] !== 0xaa) return null;
  for (let n = 0; n < 4; n++) if (sector[446 + n * 16 + 4] === 0xee) return null;
  return le32(sector, 440).toString(16).padStart(8, '0');
}

/** The PARTUUID of partition `number` on a disk with this MBR signature. */
export function mbrPartuuid(signature: string, number: number): string {
  return `${signature}-${number.toString(16).padStart(2, '0')}`;
}
