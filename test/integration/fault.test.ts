// Fault injection on real mounts, from outside the binary: strace fails one real system call of
// a real run (--inject=SYSCALL:error=EIO:when=N), the first and the last state-changing call of
// every step in turn. After every failure the error names the step, status.json says failed, and
// the namespace is exactly as before. Steps failing because something is in their way (a file
// where a directory goes, a non-empty staging dir) get the same checks.
import { describe, expect, it } from 'vitest';
import {
  LABEL_TREE,
  SELINUX_ON,
  type Run,
  type RunResult,
  TRACE,
  WITH_COMPOSEFS_IMAGE,
  faultsOf,
  isRoot,
  ours,
  runScenario,
  unordered,
} from './harness.js';

const UNTOUCHED: Run = { impl: { prep: '/usr/bin/true' } };
const LEFTOVERS =
  '[ -e /sysroot.tmp ] && echo staging-left; [ -e /sysroot/ostree/deploy/probeos/var/lib/prepare-root ] && echo persist-store-left; [ -e /sysroot/var/lib/prepare-root ] && echo plain-state-left; losetup -a | grep "(.ostree.cfs)"; grep -o \'"result": "[a-z]*"\' /run/prepare-root/status.json; true';

function expectUntouched(r: RunResult, untouched: RunResult, what = ''): void {
  const mine = (mounts: readonly string[]) => mounts.filter((m) => !m.startsWith('/prep/'));
  expect(unordered(mine(r.allMounts)), what).toEqual(unordered(mine(untouched.allMounts)));
  // Filesystem options too: a superblock made writable is read-only again.
  expect(unordered(r.fsOptions), what).toEqual(unordered(untouched.fsOptions));
  expect(r.ostreeBooted, what).toBeNull();
  expect(
    r.run.filter((l) => !l.includes('/run/prepare-root')),
    what,
  ).toEqual(untouched.run);
}

/** [name, config, /var marker, sysroot setup, and: initramfs and tree setup (SELinux), a plain root]. */
const CONFIGS: Array<[string, string, boolean, string, { pre?: string; treeSetup?: string; plain?: boolean }?]> = [
  [
    'sysroot.readonly + etc.transient + /var marker + a persisted path below an /etc dir',
    '[sysroot]\nreadonly=true\n[etc]\ntransient=true\n[persist]\npaths=/etc/ssh/extra\n',
    true,
    '',
  ],
  [
    'root.transient + sysroot.readonly + persisted paths (one below /usr/lib: its mount point copies /usr up)',
    '[root]\ntransient=true\ntransient-size=32M\n[sysroot]\nreadonly=true\n[persist]\npaths=/etc/ssh;/data;/usr/lib/data\n',
    false,
    '',
  ],
  [
    'composefs verity + root.transient-ro + etc.transient',
    '[composefs]\nenabled=verity\n[root]\ntransient-ro=true\n[etc]\ntransient=true\n',
    false,
    WITH_COMPOSEFS_IMAGE,
  ],
  [
    'volatile state overlay + transient overlay stacked on it',
    '[overlay /usr/share/app]\nupper=state\nvolatile=true\n[overlay /usr/share/combo]\nlower=/usr/share/app:/usr/lib\nupper=transient\n',
    false,
    '',
  ],
  [
    'composefs yes + hotfix /usr',
    '[composefs]\nenabled=yes\n',
    true,
    `${WITH_COMPOSEFS_IMAGE}; chattr -i "$D"; mkdir "$D/.usr-ovl-upper" "$D/.usr-ovl-work"; chattr +i "$D"`,
  ],
  [
    'SELinux on: root.transient + etc.transient + a transient overlay, labelled image',
    '[root]\ntransient=true\n[etc]\ntransient=true\n[persist]\npaths=/usr/lib/data\n[overlay /usr/share/app]\nupper=transient\n',
    false,
    '',
    { pre: SELINUX_ON, treeSetup: LABEL_TREE },
  ],
  [
    'plain root: root.transient-ro + etc.transient, /var persistent, a persisted path and a state overlay',
    '[root]\ntransient-ro=true\n[etc]\ntransient=true\n[persist]\npaths=/etc/ssh\n[overlay /usr/lib]\nupper=state\n',
    false,
    '',
    { plain: true },
  ],
  [
    'plain root mounted ro: root.transient, its filesystem made writable for /etc and /var',
    '[root]\ntransient=true\n',
    false,
    'mount -o remount,ro "$S"',
    { plain: true },
  ],
  [
    'plain root, root.upper-device on a loop device (detached when the scenario ends)',
    '',
    false,
    `truncate -s 64M "$W/upper.img"; mkfs.ext4 -q "$W/upper.img"; export UPPERDEV=$(losetup --find --show "$W/upper.img")
trap 'losetup -d "$UPPERDEV"; umount -R "$W" 2>/dev/null; rmdir "$W"' EXIT`,
    {
      plain: true,
      pre: 'mkdir -p /etc/prepare-root; printf "[root]\\ntransient=true\\nupper-device=%s\\n" "$UPPERDEV" > /etc/prepare-root/prepare-root.conf',
    },
  ],
  [
    'plain root, SELinux on: root.transient + var.transient, labelled image',
    '[root]\ntransient=true\n[var]\ntransient=true\n',
    false,
    '',
    {
      plain: true,
      pre: SELINUX_ON,
      treeSetup:
        'setfattr -n security.selinux -v system_u:object_r:root_t:s0 "$T"; setfattr -n security.selinux -v system_u:object_r:var_t:s0 "$T/var"',
    },
  ],
];

describe.skipIf(!isRoot())('every step failing in a system call, first and last, is rolled back', () => {
  it.each(CONFIGS)('%s', (_, text, mountVar, setup, extra) => {
    const { pre, treeSetup, plain } = extra ?? {};
    const conf = plain ? { plainConf: text } : { conf: text };
    // A clean traced run: which calls a good boot makes, and in which step.
    const [probe] = runScenario({
      plain,
      setup,
      treeSetup,
      runs: [
        {
          impl: ours(),
          ...conf,
          mountVar,
          pre,
          args: ['--verbose'],
          wrap: TRACE,
          check: 'cat /tmp/trace; echo -- --- status; cat /run/prepare-root/status.json',
        },
      ],
    });
    expect(probe!.rc, probe!.stderr).toBe(0);
    const [trace, status] = probe!.check.split('--- status');
    const executed = JSON.parse(status!).executed as Array<{ id: string; command: string }>;
    const faults = faultsOf(
      trace!,
      executed.map((s) => s.id),
    );
    // Every step gets a fault, but a `mkdir -p` of a path that is there already, or the prune of
    // an empty upper, changes nothing.
    const faulted = new Set(faults.map((f) => f.step));
    expect(
      executed.filter((s) => !faulted.has(s.id) && !/^(mkdir -p|prune) /.test(s.command)).map((s) => s.id),
      'steps without a fault',
    ).toEqual([]);
    const runs: Run[] = faults.map((f) => ({
      impl: ours(),
      ...conf,
      mountVar,
      pre,
      check: LEFTOVERS,
      wrap: `strace -qq -o /dev/null -e trace=${f.syscall} -e inject=${f.syscall}:error=EIO:when=${f.nth}`,
    }));
    const [untouched, ...results] = runScenario({
      plain,
      setup,
      treeSetup,
      runs: [{ ...UNTOUCHED, mountVar, pre }, ...runs],
    });
    faults.forEach((f, i) => {
      const r = results[i]!;
      const what = `${f.step}: ${f.call}`;
      expect(r.rc, what).toBe(1);
      expect(
        r.stderr
          .split('\n')
          .filter((l) => !/^prepare-root: (warning|notice):/.test(l))
          .join('\n'),
        what,
      ).toMatch(
        new RegExp(`^prepare-root: step ${f.step}: .*Input/output error.*; rolled back \\d+ completed steps?$`),
      );
      expect(r.check, what).toBe('"result": "failed"');
      expectUntouched(r, untouched!, what);
    });
  });
});

const FILE_FAULTS: Array<[string, string, string, RegExp]> = [
  [
    'mkdir-run-ostree',
    '',
    'touch /run/ostree',
    /^prepare-root: step mkdir-run-ostree: mkdir -m 0755 \/run\/ostree \(may exist\): exists but is not a directory; rolled back 0 completed steps$/,
  ],
  [
    'mkdir-transient-root',
    '[root]\ntransient=true\n',
    'mkdir -p /run/ostree/.private/root',
    /^prepare-root: step mkdir-transient-root: mkdir -m 0755 \/run\/ostree\/\.private\/root: File exists; rolled back \d+ completed steps?$/,
  ],
  [
    'write-ostree-booted',
    '[sysroot]\nreadonly=true\n',
    'mkdir -p /run/ostree-booted/in-the-way',
    /^prepare-root: step write-ostree-booted: write \/run\/ostree-booted .*: is a directory, not a regular file; rolled back \d+ completed steps$/,
  ],
  [
    'rmdir-staging',
    '',
    'mkdir /sysroot.tmp; touch /sysroot.tmp/in-the-way',
    /^prepare-root: step rmdir-staging: rmdir \/sysroot\.tmp: Directory not empty; rolled back \d+ completed steps$/,
  ],
];

describe.skipIf(!isRoot())('file steps failing are rolled back too', () => {
  it.each(FILE_FAULTS)('%s', (_, conf, pre, message) => {
    const [untouched, r] = runScenario({
      runs: [
        { ...UNTOUCHED, pre },
        { impl: ours(), conf, pre, check: LEFTOVERS.replace('[ -e /sysroot.tmp ] && echo staging-left; ', '') },
      ],
    });
    expect(r!.rc).toBe(1);
    expect(
      r!.stderr
        .split('\n')
        .filter((l) => !/^prepare-root: (warning|notice):/.test(l))
        .join('\n'),
    ).toMatch(message);
    expect(r!.check).toBe('"result": "failed"');
    expectUntouched(r!, untouched!);
  });
});

/** The 1-based number, as strace's `when=` counts, of the first `syscall` call whose line matches. */
function nthCall(trace: string, syscall: string, match: RegExp): number {
  const calls = trace.split('\n').filter((l) => l.startsWith(`${syscall}(`));
  const i = calls.findIndex((l) => match.test(l));
  expect(i, `${syscall} matching ${match}`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

// On an ext4 physical root: the kernel mounts EROFS from a file there (not from tmpfs, which has
// no read_folio: on the tmpfs sysroots of the other tests the loop device is what works).
describe.skipIf(!isRoot())('kernel compatibility fallbacks, made to happen by a kernel that says no', () => {
  const conf = '[composefs]\nenabled=yes\n';
  const blockDevice = true;
  const status = 'cat /run/prepare-root/status.json';
  const trace = () => {
    const [probe] = runScenario({
      blockDevice,
      setup: WITH_COMPOSEFS_IMAGE,
      runs: [
        { impl: ours(), conf, wrap: 'strace -qq -s 200 -o /tmp/trace -e trace=fsconfig', check: 'cat /tmp/trace' },
      ],
    });
    expect(probe!.rc, probe!.stderr).toBe(0);
    return probe!.check;
  };
  const variants = (statusJson: string) =>
    Object.fromEntries(
      (JSON.parse(statusJson).executed as Array<{ id: string; variant?: string }>)
        .filter((s) => s.variant !== undefined)
        .map((s) => [s.id, s.variant]),
    );

  it('by default: EROFS from the file, the overlay with one lowerdir+/datadir+ per layer', () => {
    const [r] = runScenario({
      blockDevice,
      setup: WITH_COMPOSEFS_IMAGE,
      runs: [{ impl: ours(), conf, check: status }],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    expect(variants(r!.check)).toEqual({ 'mount-composefs-image': 'file', 'mount-composefs': 'lowerdir+' });
  });

  it('no file-backed EROFS (ENOTBLK): a read-only loop device, gone once unmounted', () => {
    const nth = nthCall(trace(), 'fsconfig', /FSCONFIG_CMD_CREATE/);
    const [r] = runScenario({
      blockDevice,
      setup: WITH_COMPOSEFS_IMAGE,
      runs: [
        {
          impl: ours(),
          conf,
          wrap: `strace -qq -o /dev/null -e trace=fsconfig -e inject=fsconfig:error=ENOTBLK:when=${nth}`,
          // The loop device over the image (by inode: its path is not resolvable from here).
          check: `${status}; printf '%s\\n' '--- loops'; ino=$(stat -c %i /sysroot/sysroot/ostree/deploy/probeos/deploy/*.0/.ostree.cfs)
losetup --list --noheadings --output RO,AUTOCLEAR,BACK-INO | while read -r ro clear i; do [ "$i" != "$ino" ] || echo "$ro $clear"; done`,
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    const [json, loops] = r!.check.split('--- loops');
    expect(variants(json!)).toEqual({ 'mount-composefs-image': 'loop', 'mount-composefs': 'lowerdir+' });
    expect(loops!.trim(), 'one read-only (1), auto-clearing (1) loop device over the image').toBe('1 1');
  });

  it('no lowerdir+ (EINVAL): the lowerdir=IMAGE::OBJECTS string', () => {
    const nth = nthCall(trace(), 'fsconfig', /"lowerdir\+"/);
    const [r] = runScenario({
      blockDevice,
      setup: WITH_COMPOSEFS_IMAGE,
      runs: [
        {
          impl: ours(),
          conf,
          wrap: `strace -qq -o /dev/null -e trace=fsconfig -e inject=fsconfig:error=EINVAL:when=${nth}`,
          check: status,
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    expect(variants(r!.check)).toEqual({ 'mount-composefs-image': 'file', 'mount-composefs': 'lowerdir' });
    expect(r!.fsOptions).toContain(
      '/sysroot overlay ro,lowerdir=/run/ostree/.private/cfsroot-lower::/sysroot/ostree/repo/objects,redirect_dir=on,metacopy=on',
    );
  });
});
