// formats/block-ids.ts on what the real tools write: mkfs.ext4, mkfs.xfs and mkfs.btrfs with a
// label and a UUID, and sfdisk's GPT (names, partition GUIDs) and MBR (disk signature).
import { afterAll, describe, expect, it } from 'vitest';
import {
  SUPERBLOCK_SPAN,
  filesystemIds,
  gptEntriesAt,
  gptPartitions,
  mbrPartuuid,
  mbrSignature,
} from '../../../src/formats/block-ids.js';
import { imageMaker } from '../../helpers/block-images.js';

const { imageHead, cleanup } = imageMaker();
afterAll(cleanup);

const UUID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

describe('filesystemIds', () => {
  it.each([
    ['ext4', '64M', `mkfs.ext4 -q -L ext-label -U ${UUID} "$1"`, { fstype: 'ext', label: 'ext-label' }],
    ['ext2', '64M', `mkfs.ext2 -q -L e2 -U ${UUID} "$1"`, { fstype: 'ext', label: 'e2' }],
    ['xfs', '300M', `mkfs.xfs -q -L xfs-label -m uuid=${UUID} "$1"`, { fstype: 'xfs', label: 'xfs-label' }],
    ['btrfs', '128M', `mkfs.btrfs -q -L 'btrfs label é' -U ${UUID} "$1"`, { fstype: 'btrfs', label: 'btrfs label é' }],
  ])('%s: its label and UUID (given in upper case, read in lower)', (name, size, cmd, ids) => {
    const head = imageHead(`${name}.img`, size, cmd.replace(UUID, UUID.toUpperCase()), SUPERBLOCK_SPAN);
    expect(filesystemIds(head)).toEqual({ ...ids, uuid: UUID });
  });

  it('an ext4 without a label has the empty label', () => {
    const head = imageHead('nolabel.img', '64M', `mkfs.ext4 -q -U ${UUID} "$1"`, SUPERBLOCK_SPAN);
    expect(filesystemIds(head)).toEqual({ fstype: 'ext', uuid: UUID, label: '' });
  });

  it('no filesystem, or too little of one, is none', () => {
    expect(filesystemIds(new Uint8Array(SUPERBLOCK_SPAN))).toBeNull();
    const ext = imageHead('short.img', '64M', `mkfs.ext4 -q -L x "$1"`, SUPERBLOCK_SPAN);
    expect(filesystemIds(ext.subarray(0, 1024 + 0x40))).toBeNull();
    expect(filesystemIds(new Uint8Array())).toBeNull();
  });
});

describe('partition tables', () => {
  const gpt = [
    'label: gpt',
    'size=1M, name="first one", uuid=AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE',
    'size=1M, name="été ☃", uuid=12345678-9abc-def0-1234-56789abcdef0',
    '',
  ].join('\n');

  it('GPT: each used entry by number, its GUID in lower case and its UTF-16 name', () => {
    const head = imageHead('gpt.img', '8M', `printf '%s' '${gpt}' | sfdisk -q "$1"`, 34 * 512);
    expect(mbrSignature(head)).toBeNull(); // its protective MBR
    const at = gptEntriesAt(head, 512)!;
    expect(at).toEqual({ offset: 1024, count: 128, size: 128 });
    expect(gptPartitions(head.subarray(at.offset, at.offset + at.count * at.size), at.size)).toEqual([
      { number: 1, partuuid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', partlabel: 'first one' },
      { number: 2, partuuid: '12345678-9abc-def0-1234-56789abcdef0', partlabel: 'été ☃' },
    ]);
    expect(gptEntriesAt(head, 4096)).toBeNull(); // not where a 4K-sector disk has it
  });

  it('GPT: a deleted entry keeps the numbers of those after it', () => {
    const head = imageHead(
      'gap.img',
      '8M',
      `printf '%s' '${gpt}' | sfdisk -q "$1" && sfdisk -q --delete "$1" 1`,
      34 * 512,
    );
    const at = gptEntriesAt(head, 512)!;
    expect(gptPartitions(head.subarray(at.offset), at.size).map((p) => p.number)).toEqual([2]);
  });

  it('MBR: the disk signature, and PARTUUID=SIGNATURE-NN in hex as the kernel names partition NN', () => {
    const head = imageHead(
      'mbr.img',
      '8M',
      `printf 'label: dos\\nlabel-id: 0x0BADBEEF\\nsize=1M\\n' | sfdisk -q "$1"`,
      512,
    );
    expect(mbrSignature(head)).toBe('0badbeef');
    expect(gptEntriesAt(head, 512)).toBeNull();
    expect(mbrPartuuid('0badbeef', 1)).toBe('0badbeef-01');
    expect(mbrPartuuid('0badbeef', 17)).toBe('0badbeef-11');
  });

  it('no table: neither', () => {
    const blank = new Uint8Array(34 * 512);
    expect(mbrSignature(blank)).toBeNull();
    expect(gptEntriesAt(blank, 512)).toBeNull();
  });
});
