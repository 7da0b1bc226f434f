// The harness itself, proven with the reference binary (ostree 2026.4): if these fail, no other
// integration result means anything. Every expectation below was read from a real run of the
// reference; nothing here asserts what the reference did not do.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type RunResult,
  hostChangesSince,
  hostSnapshot,
  isRoot,
  reference,
  runScenario,
  unordered,
} from './harness.js';

const DEPLOY = '/ostree/deploy/probeos/deploy/CSUM.0';
const LEGACY_STDOUT = (ro: 0 | 1) =>
  `sysroot.readonly configuration value: ${ro} (fs writable: 1)\nUsing legacy ostree bind mount for /`;
const DEFAULT_MOUNTS = [
  `/sysroot ${DEPLOY} tmpfs rw,relatime private`,
  `/sysroot/usr ${DEPLOY}/usr tmpfs ro,relatime private`,
  '/sysroot/sysroot / tmpfs rw,relatime private',
];
const READONLY_MOUNTS = [
  `/sysroot ${DEPLOY} tmpfs rw,relatime private`,
  `/sysroot/etc ${DEPLOY}/etc tmpfs rw,relatime private`,
  `/sysroot/usr ${DEPLOY}/usr tmpfs ro,relatime private`,
  '/sysroot/sysroot / tmpfs ro,relatime private',
  '/sysroot/sysroot/ostree/deploy/probeos/var /ostree/deploy/probeos/var tmpfs rw,relatime private',
];
const RUN_OK = [
  'drwxr-xr-x /run',
  'drwxr-xr-x /run/ostree',
  '-rw-r--r-- /run/ostree-booted',
  'd--------- /run/ostree/.private',
];
// Nothing happened: the physical root is still a plain mount at /sysroot, /run is empty.
const UNTOUCHED_MOUNTS = ['/sysroot / tmpfs rw,relatime private'];
const UNTOUCHED_RUN = ['drwxr-xr-x /run'];
// Device and inode of the deployment directory (the same inode through the /sysroot/sysroot bind).
const STAT_DEPLOY = 'stat -c "%d %i" /sysroot/sysroot/ostree/deploy/probeos/deploy/*.0';

const hex = (s: string) =>
  Buffer.from(s, 'latin1')
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b.toString('latin1');
};

/** The a{sv} the reference writes to /run/ostree-booted in legacy mode, byte for byte. */
function expectedBooted(check: string, sysrootRo: boolean): string {
  const [dev, ino] = check.split(' ').map(Number) as [number, number];
  return hex(
    // Each entry 8-aligned: key, NUL, padding to 8, value, NUL, type, end offset of the key.
    'backing-root-device-inode\0' +
      '\0'.repeat(6) +
      u64(dev) +
      u64(ino) +
      '\0(tt)' +
      '\x1a' +
      '\0'.repeat(2) +
      'root.transient\0' +
      '\0' +
      '\0' +
      '\0b' +
      '\x0f' +
      '\0'.repeat(4) +
      'root.transient-ro\0' +
      '\0'.repeat(6) +
      '\0' +
      '\0b' +
      '\x12' +
      '\0'.repeat(4) +
      'sysroot-ro\0' +
      '\0'.repeat(5) +
      (sysrootRo ? '\x01' : '\0') +
      '\0b' +
      '\x0b' +
      '\x36\x4c\x6c\x84', // end offsets of the 4 entries: 54, 76, 108, 132
  );
}

function expectFailure(r: RunResult, stderr: string): void {
  expect(r.rc, r.stderr).toBe(1);
  expect(r.stderr).toBe(stderr);
  expect(r.stdout).toBe('');
  expect(unordered(r.mounts)).toEqual(unordered(UNTOUCHED_MOUNTS));
  expect(r.run).toEqual(UNTOUCHED_RUN);
  expect(r.ostreeBooted).toBeNull();
}

describe.skipIf(!isRoot())('harness (reference ostree-prepare-root 2026.4)', () => {
  const ref = { impl: reference() };

  it('runs the reference on a real deployment and reports rc, output, mounts, /run and /run/ostree-booted', () => {
    const [ok, ro, noTarget, runOstree, usrConf, etcWipesUsr] = runScenario({
      runs: [
        { ...ref, check: `cat /proc/cmdline; ${STAT_DEPLOY}` },
        { ...ref, conf: '[sysroot]\nreadonly=true\n', check: STAT_DEPLOY },
        { ...ref, args: ['root=LABEL=probe-root rw quiet'] }, // argv[2] replaces /proc/cmdline
        { ...ref, preRunOstree: true },
        { ...ref, confUsr: '[sysroot]\nreadonly=true\n' },
        // An /etc config, even empty, replaces the /usr/lib one entirely (docs/ostree-behaviour.md).
        { ...ref, confUsr: '[sysroot]\nreadonly=true\n', conf: '' },
      ],
    });
    expect(ok!.rc, ok!.stderr).toBe(0);
    expect(ok!.stderr).toBe('');
    expect(ok!.stdout).toBe(LEGACY_STDOUT(0));
    expect(unordered(ok!.mounts)).toEqual(unordered(DEFAULT_MOUNTS));
    expect(ok!.run).toEqual(RUN_OK);
    expect(ok!.elapsedUs).toBeGreaterThan(0);
    const [cmdline, devIno] = ok!.check.split('\n') as [string, string];
    // The deployment's own BLS options line, as mksysroot.sh printed it, is what /proc/cmdline reads.
    expect(cmdline).toBe('root=LABEL=probe-root rw ostree=/ostree/boot.1/probeos/CSUM/0');
    expect(ok!.ostreeBooted).toMatch(/^[0-9a-f]{2}( [0-9a-f]{2})+$/);
    expect(ok!.ostreeBooted).toBe(expectedBooted(devIno, false));

    expect(ro!.rc, ro!.stderr).toBe(0);
    expect(ro!.stdout).toBe(LEGACY_STDOUT(1));
    expect(unordered(ro!.mounts)).toEqual(unordered(READONLY_MOUNTS));
    expect(ro!.run).toEqual(RUN_OK);
    expect(ro!.ostreeBooted).toBe(expectedBooted(ro!.check, true));

    expectFailure(noTarget!, 'ostree-prepare-root: No ostree target found');
    expect(runOstree!.rc).toBe(1);
    expect(runOstree!.stderr).toBe('ostree-prepare-root: Failed to create /run/ostree: File exists');
    expect(runOstree!.run).toEqual(['drwxr-xr-x /run', 'drwxr-xr-x /run/ostree']);

    expect(usrConf!.rc, usrConf!.stderr).toBe(0);
    expect(usrConf!.stdout).toBe(LEGACY_STDOUT(1));
    expect(unordered(usrConf!.mounts)).toEqual(unordered(READONLY_MOUNTS));
    expect(etcWipesUsr!.rc, etcWipesUsr!.stderr).toBe(0);
    expect(etcWipesUsr!.stdout).toBe(LEGACY_STDOUT(0));
    expect(unordered(etcWipesUsr!.mounts)).toEqual(unordered(DEFAULT_MOUNTS));
  });

  it('feeds a replaced command line through /proc/cmdline, and a run can rewrite it first', () => {
    // Shell: a word to expand, written to the cmdline file the next run binds over /proc/cmdline.
    const cmdline = (word: string) => `echo ${word} > "$CMDLINE_FILE"`;
    const [noTarget, missing, deployDir, slot] = runScenario({
      cmdline: 'root=LABEL=probe-root rw quiet',
      runs: [
        { ...ref },
        { ...ref, before: cmdline("'ostree=/ostree/boot.1/nonexistent/0'") },
        { ...ref, before: cmdline('"ostree=/ostree/deploy/probeos/deploy/$(basename "$D")"') },
        { ...ref, before: cmdline("'root=LABEL=probe-root androidboot.slot_suffix=_c'") },
      ],
    });
    expectFailure(noTarget!, 'ostree-prepare-root: No ostree target found');
    expectFailure(
      missing!,
      "ostree-prepare-root: Couldn't find specified OSTree root '/sysroot//ostree/boot.1/nonexistent/0': No such file or directory",
    );
    expectFailure(deployDir!, `ostree-prepare-root: OSTree target is not a symbolic link: /sysroot/${DEPLOY}`);
    expectFailure(slot!, 'ostree-prepare-root: Failed to determine ostree target: androidboot.slot_suffix invalid: _c');
  });

  it('builds tree variant 2, whose init runs from the prepared deployment', () => {
    const [r] = runScenario({
      treeVariant: '2',
      runs: [{ ...ref, check: 'cat /sysroot/usr/lib/hello.txt; chroot /sysroot /usr/sbin/init 2>/dev/null | head -1' }],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    expect(r!.check).toMatch(/^hello from usr, variant 2\nPREPARE_ROOT_TEST_INIT_OK pid=\d+$/);
  });

  it('leaves the host mounts and loop devices as they were', () => {
    const before = hostSnapshot();
    runScenario({ runs: [{ ...ref }, { ...ref, conf: '[sysroot]\nreadonly=true\n', mountVar: true }] });
    expect(hostChangesSince(before)).toEqual([]);
    // What prepare-root writes outside /sysroot stayed in the fake initramfs.
    expect(existsSync('/run/ostree-booted')).toBe(false);
    expect(existsSync('/run/ostree')).toBe(false);
    expect(existsSync('/sysroot.tmp')).toBe(false);
  });
});
