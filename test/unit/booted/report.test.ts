// `prepare-root status` from synthetic inputs: a mount table, /run/ostree-booted and status.json.
import { describe, expect, it } from 'vitest';
import { collectStatus, formatStatus } from '../../../src/booted/report.js';
import { serializeVarDict } from '../../../src/formats/gvariant.js';
import { parseMountInfo } from '../../../src/formats/mountinfo.js';
import { memorySystem } from '../../helpers/memory-system.js';

const MOUNTINFO = [
  '20 1 0:30 / / rw,relatime shared:1 - overlay overlay rw,lowerdir=/sysroot/ostree/deploy/os/deploy/abc.0,upperdir=/run/ostree/.private/root/upper,workdir=/run/ostree/.private/root/work',
  '21 20 0:31 / /run rw,nosuid shared:2 - tmpfs tmpfs rw,mode=755',
  '22 21 0:32 / /run/ostree/.private/root rw,relatime - tmpfs tmpfs rw,size=65536k,mode=755',
  '23 20 0:33 /etc /etc rw,relatime shared:3 - overlay overlay rw,lowerdir=/sysroot.tmp/usr/etc,upperdir=/run/ostree/transient-etc.Ab12Cd/upper,workdir=/run/ostree/transient-etc.Ab12Cd/work',
  '24 20 8:1 / /sysroot ro,relatime - ext4 /dev/vda1 rw',
].join('\n');

function booted(sysrootRo: boolean) {
  return serializeVarDict([
    ['backing-root-device-inode', { type: '(tt)', value: [2049n, 42n] }],
    ['root.transient', { type: 'b', value: true }],
    ['root.transient-ro', { type: 'b', value: false }],
    ['sysroot-ro', { type: 'b', value: sysrootRo }],
  ]);
}

const EXECUTED = [
  { id: 'mkdir-a', command: 'mkdir a', status: 'undone' },
  { id: 'mount-b', command: 'mount b', status: 'undone' },
  { id: 'mount-c', command: 'mount c', status: 'undo-failed' },
  { id: 'bind-x', command: 'mount --bind x', status: 'failed', error: 'no' },
];

/** A status.json record of one boot. */
function record(result: string, error: string | null, executed: readonly object[]) {
  return {
    schema: 1,
    version: '0.1.0',
    result,
    time: 'T',
    bootId: 'B',
    sysroot: '/sysroot',
    handover: 'systemd',
    configFile: null,
    mode: null,
    deployment: null,
    sysrootReadonly: null,
    ostreeBooted: null,
    persisted: [],
    overlays: [],
    plan: [],
    executed,
    warnings: [{ where: 'a.conf:3', message: 'w' }],
    notices: [],
    error,
  };
}

describe('collectStatus', () => {
  it('a transient root and /etc: their layers as the booted system sees them, how full the tmpfs is, a warning past 80%', () => {
    const sys = memorySystem();
    sys.dir('/run');
    sys.writeFile('/run/ostree-booted', booted(true), { mode: 0o644, exclusive: true, sync: false });
    const full = {
      ...sys,
      statfs: (p: string) => ({
        type: 0x01021994,
        blockSize: 4096,
        blocks: 100,
        free: p === '/run/ostree/.private/root' ? 10 : 90,
        readonly: false,
      }),
    };
    const report = collectStatus(full, parseMountInfo(MOUNTINFO), '/');
    expect(report).toMatchObject({
      preparedBy: 'ostree-prepare-root',
      mode: 'transient',
      sysrootReadonly: true,
      deployment: null,
    });
    expect(report.overlays).toEqual([
      {
        path: '/',
        role: 'root',
        readonly: false,
        lower: ['/sysroot/ostree/deploy/os/deploy/abc.0'],
        upper: '/run/ostree/.private/root/upper',
        work: '/run/ostree/.private/root/work',
        transient: true,
        backing: {
          mountpoint: '/run/ostree/.private/root',
          fstype: 'tmpfs',
          sizeBytes: 409600,
          usedBytes: 368640,
          usedPercent: 90,
        },
      },
      {
        path: '/etc',
        role: 'etc',
        readonly: false,
        lower: ['/usr/etc'],
        upper: '/run/ostree/transient-etc.Ab12Cd/upper',
        work: '/run/ostree/transient-etc.Ab12Cd/work',
        transient: true,
        backing: { mountpoint: '/run', fstype: 'tmpfs', sizeBytes: 409600, usedBytes: 40960, usedPercent: 10 },
      },
    ]);
    expect(report.warnings).toEqual([
      '/: the tmpfs holding its changes (/run/ostree/.private/root) is 90% full; writes fail when it is full',
    ]);
    expect(formatStatus(report)).toContain('overlay / (root): changes vanish at reboot');
  });

  it('not prepared at this boot: says so', () => {
    const report = collectStatus(memorySystem(), [], '/');
    expect(report).toMatchObject({ result: null, failure: null, preparedBy: null, mode: null, ostreeBooted: null });
    expect(formatStatus(report)).toEqual([
      'not prepared at this boot: no /run/prepare-root/status.json and no /run/ostree-booted',
    ]);
  });

  it('a failed boot: the error, what was rolled back and what was not, escaped', () => {
    const sys = memorySystem();
    sys.file('/run/prepare-root/status.json', JSON.stringify(record('failed', 'step bind-x: no\x1b[2J', EXECUTED)));
    const report = collectStatus(sys, [], '/');
    expect(report).toMatchObject({
      result: 'failed',
      preparedBy: null,
      failure: { error: 'step bind-x: no\x1b[2J', rolledBack: ['mkdir-a', 'mount-b'], notRolledBack: ['mount-c'] },
    });
    expect(formatStatus(report)).toEqual([
      'boot failed:      step bind-x: no\\x1b[2J',
      'rolled back:      2 steps (mkdir-a, mount-b)',
      'NOT rolled back:  mount-c (their undo failed)',
      'warning at boot: a.conf:3: w',
    ]);
  });

  it('an untouched plain root: why, and its notices and warnings', () => {
    const sys = memorySystem();
    sys.file('/run/prepare-root/status.json', JSON.stringify({ ...record('untouched', null, []), untouched: 'off' }));
    expect(formatStatus(collectStatus(sys, [], '/'))).toEqual([
      'root left as it was at boot: off',
      'warning at boot: a.conf:3: w',
    ]);
  });

  it('a status.json that is not ours is refused, naming the field', () => {
    const sys = memorySystem();
    sys.file('/run/prepare-root/status.json', JSON.stringify({ schema: 1, result: 'prepared' }));
    expect(() => collectStatus(sys, [], '/')).toThrow(
      '/run/prepare-root/status.json: not a prepare-root status file: field version is missing or malformed',
    );
  });
});
