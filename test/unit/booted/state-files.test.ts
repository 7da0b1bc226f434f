// booted/state-files.ts: the booted system's records, read as untrusted: absent is null, a file
// that is not ours or cannot be read is an error naming it, never a guess.
import { describe, expect, it } from 'vitest';
import { LABELS_FILE, RUN_OSTREE_BOOTED, STATUS_FILE } from '../../../src/base/paths.js';
import { readLabelsFile, readMountInfo, readOstreeBooted, readStatusFile } from '../../../src/booted/state-files.js';
import { memorySystem } from '../../helpers/memory-system.js';

const readers = [
  [STATUS_FILE, readStatusFile, 'not a prepare-root status file: '],
  [LABELS_FILE, readLabelsFile, 'not a prepare-root labels record: '],
  [RUN_OSTREE_BOOTED, readOstreeBooted, 'not a valid a{sv}: '],
] as const;

describe.each(readers)('%s', (file, read, notOurs) => {
  it('absent: null', () => {
    expect(read(memorySystem())).toBeNull();
  });

  it('not ours: an error naming the file', () => {
    const sys = memorySystem();
    sys.file(file, file === RUN_OSTREE_BOOTED ? '\x01' : '{"schema": 99}');
    expect(() => read(sys)).toThrow(`${file}: ${notOurs}`);
  });

  it('not a regular file (a FIFO or directory planted in /run): refused, not read', () => {
    const sys = memorySystem();
    sys.dir(file);
    expect(() => read(sys)).toThrow(`${file}: unreadable: is a directory, not a regular file`);
  });
});

describe('status.json', () => {
  it('schema mismatch and broken JSON are told apart', () => {
    const sys = memorySystem();
    sys.file(STATUS_FILE, '{"schema": 99}');
    expect(() => readStatusFile(sys)).toThrow(`${STATUS_FILE}: not a prepare-root status file: schema 99 is not 1`);
    sys.file(STATUS_FILE, '{');
    expect(() => readStatusFile(sys)).toThrow(/: not a prepare-root status file: not JSON: /);
  });
});

describe('readMountInfo', () => {
  it('parses the table; an unreadable one names it', () => {
    const sys = memorySystem();
    sys.file('/proc/self/mountinfo', '22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n');
    expect(readMountInfo(sys).map((m) => [m.id, m.target, m.fstype])).toEqual([[22, '/', 'ext4']]);
    expect(() => readMountInfo(memorySystem())).toThrow(
      '/proc/self/mountinfo: cannot read the mount table: No such file or directory',
    );
  });
});
