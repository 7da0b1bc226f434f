// Side by side with the real ostree-prepare-root 2026.4 on the same fixture, config and command
// line: same mount tree, same filesystem options, same /run layout and the same
// /run/ostree-booted bytes; for bad input, both fail and ours says exactly what is wrong.
import { describe, expect, it } from 'vitest';
import {
  COMPOSEFS_DIGEST_ARG,
  type Run,
  type RunResult,
  SIGN_DEPLOYED_COMMIT,
  type Scenario,
  WITH_COMPOSEFS_IMAGE,
  isRoot,
  ours,
  reference,
  runScenario,
  unordered,
} from './harness.js';

/** Make two runs comparable: the random transient-etc suffix, and our own /run/prepare-root. */
function comparable(r: RunResult) {
  // overlayfs shows uuid=on only on the first mount of a fresh upper (it then stores an xattr),
  // so whichever implementation runs first on the fixture's hotfix upper shows it.
  // ostree mounts composefs through the new mount API (lowerdir+=A,datadir+=B); util-linux passes
  // the equivalent lowerdir=A::B.
  const norm = (s: string) =>
    s
      .replace(/transient-etc\.[A-Za-z0-9]{6}/g, 'transient-etc.XXXXXX')
      .replace(/,uuid=on/, '')
      .replace(/lowerdir\+=([^,]+),datadir\+=([^,]+)/, 'lowerdir=$1::$2');
  // In the bytes: "transient-etc." is 74 72 61 6e 73 69 65 6e 74 2d 65 74 63 2e; mask the 6 bytes after it.
  const booted =
    r.ostreeBooted?.replace(/(74 72 61 6e 73 69 65 6e 74 2d 65 74 63 2e)( [0-9a-f]{2}){6}/, '$1 XX XX XX XX XX XX') ??
    null;
  // Sorted: findmnt lists siblings in mount-ID order, and the kernel reuses freed IDs (ours frees
  // one when it detaches the composefs scratch mount), so sibling order is not part of the tree.
  return {
    rc: r.rc,
    mounts: [...r.mounts].sort(),
    fsOptions: r.fsOptions.map(norm).sort(),
    // Ours only: its own state, and the login notice of a boot with something transient.
    run: r.run.filter((l) => !l.includes('/run/prepare-root') && !l.includes('/run/motd.d')).map(norm),
    ostreeBooted: booted,
  };
}

function both(scenario: Omit<Scenario, 'runs'>, run: Omit<Run, 'impl'> = {}): [RunResult, RunResult] {
  const [ref, us] = runScenario({
    ...scenario,
    runs: [
      { ...run, impl: reference() },
      { ...run, impl: ours() },
    ],
  });
  return [ref!, us!];
}

const KARG = (k: string) => `sed -i "s/$/ ${k}/" "$CMDLINE_FILE"`;

const ANDROID_LINKS =
  'ln -s "deploy/probeos/deploy/$(basename "$D")" "$S/ostree/root.a"; ln -s "deploy/probeos/deploy/$(basename "$D")" "$S/ostree/root.b"';

const SAME: Array<[string, Omit<Scenario, 'runs'>, Omit<Run, 'impl'>]> = [
  ['no config', {}, {}],
  ['sysroot.readonly in the config', {}, { conf: '[sysroot]\nreadonly=true\n' }],
  ['sysroot.readonly=1 with trailing spaces', {}, { conf: '[sysroot]\nreadonly=1   \n' }],
  [
    'legacy [sysroot] readonly in the repo config',
    { setup: 'ostree --repo="$S/ostree/repo" config set sysroot.readonly true' },
    {},
  ],
  [
    'legacy repo flag beats an explicit readonly=false',
    { setup: 'ostree --repo="$S/ostree/repo" config set sysroot.readonly true' },
    { conf: '[sysroot]\nreadonly=false\n' },
  ],
  ['etc.transient with sysroot.readonly', {}, { conf: '[sysroot]\nreadonly=true\n[etc]\ntransient=true\n' }],
  ['etc.transient alone (ignored by both)', {}, { conf: '[etc]\ntransient=true\n' }],
  ['bad etc.transient where it is not read (ignored by both)', {}, { conf: '[etc]\ntransient=maybe\n' }],
  [
    'hotfix /usr overlay',
    { setup: 'chattr -i "$D"; mkdir "$D/.usr-ovl-upper" "$D/.usr-ovl-work"; chattr +i "$D"' },
    {},
  ],
  ['read-only physical root', { setup: 'mount -o remount,ro "$S"' }, {}],
  [
    '/etc config replaces /usr/lib config wholesale',
    {},
    { confUsr: '[sysroot]\nreadonly=true\n', conf: '[etc]\ntransient=true\n' },
  ],
  ['/usr/lib config alone', {}, { confUsr: '[sysroot]\nreadonly=true\n' }],
  [
    'duplicate groups merge, last key wins',
    {},
    { conf: '[sysroot]\nreadonly=false\n[etc]\ntransient=true\n[sysroot]\nreadonly=true\n' },
  ],
  [
    'unknown groups and keys are ignored',
    {},
    { conf: '# comment\n[sysroot]\nreadonly=true\nfoo=bar\n[custom]\nx=1\n' },
  ],
  ['android A/B slot _a', { setup: ANDROID_LINKS, cmdline: 'root=x androidboot.slot_suffix=_a' }, {}],
  [
    'android A/B slot _b wins over ostree=',
    { setup: ANDROID_LINKS, cmdline: 'ostree=/nonexistent androidboot.slot_suffix=_b' },
    {},
  ],
  ['android non-A/B', { setup: ANDROID_LINKS, cmdline: 'androidboot.serialno=1234' }, {}],
  ['composefs maybe without an image falls back', {}, { conf: '[composefs]\nenabled=maybe\n' }],
  [
    'karg composefs=0 overrides enabled=yes',
    { setup: 'sed -i "s/$/ ostree.prepare-root.composefs=0/" "$CMDLINE_FILE"' },
    { conf: '[composefs]\nenabled=yes\n' },
  ],
  ['composefs yes', { setup: WITH_COMPOSEFS_IMAGE }, { conf: '[composefs]\nenabled=yes\n' }],
  ['composefs maybe with an image', { setup: WITH_COMPOSEFS_IMAGE }, { conf: '[composefs]\nenabled=maybe\n' }],
  ['composefs verity', { setup: WITH_COMPOSEFS_IMAGE }, { conf: '[composefs]\nenabled=verity\n' }],
  [
    'composefs + root.transient',
    { setup: WITH_COMPOSEFS_IMAGE },
    { conf: '[composefs]\nenabled=yes\n[root]\ntransient=true\n' },
  ],
  [
    'composefs + root.transient-ro',
    { setup: WITH_COMPOSEFS_IMAGE },
    { conf: '[composefs]\nenabled=yes\n[root]\ntransient-ro=true\n' },
  ],
  [
    'composefs + etc.transient',
    { setup: WITH_COMPOSEFS_IMAGE },
    { conf: '[composefs]\nenabled=yes\n[etc]\ntransient=true\n' },
  ],
  [
    'composefs + sysroot.readonly=false',
    { setup: WITH_COMPOSEFS_IMAGE },
    { conf: '[composefs]\nenabled=yes\n[sysroot]\nreadonly=false\n' },
  ],
  [
    'composefs + hotfix /usr overlay',
    { setup: `${WITH_COMPOSEFS_IMAGE}; chattr -i "$D"; mkdir "$D/.usr-ovl-upper" "$D/.usr-ovl-work"; chattr +i "$D"` },
    { conf: '[composefs]\nenabled=yes\n' },
  ],
  [
    'karg composefs=1 over a config without composefs',
    { setup: `${WITH_COMPOSEFS_IMAGE}; ${KARG('ostree.prepare-root.composefs=1')}` },
    {},
  ],
  [
    'karg composefs=maybe over enabled=no',
    { setup: `${WITH_COMPOSEFS_IMAGE}; ${KARG('ostree.prepare-root.composefs=maybe')}` },
    { conf: '[composefs]\nenabled=no\n' },
  ],
  [
    'karg composefs=0 with an image present',
    { setup: `${WITH_COMPOSEFS_IMAGE}; ${KARG('ostree.prepare-root.composefs=0')}` },
    { conf: '[composefs]\nenabled=yes\n' },
  ],
  [
    'karg composefs=1 keeps verity from the config',
    { setup: `${WITH_COMPOSEFS_IMAGE}; ${KARG('ostree.prepare-root.composefs=1')}` },
    { conf: '[composefs]\nenabled=verity\n' },
  ],
  [
    'kernel command line as argv[2] replaces /proc/cmdline',
    { setup: `${ANDROID_LINKS}; echo quiet > "$CMDLINE_FILE"` },
    { args: ['androidboot.slot_suffix=_b'] },
  ],
];

const CONF = '/etc/ostree/prepare-root.conf';
const NOT_A_DEPLOYMENT = 'which is not a deployment directory /sysroot/ostree/deploy/<stateroot>/deploy/<name>';

// Bad input: both refuse to boot; ours names the culprit in one line and leaves nothing behind.
const FAIL: Array<[string, Omit<Scenario, 'runs'>, Omit<Run, 'impl'>, string | RegExp]> = [
  [
    'a garbage config line',
    {},
    { conf: '[sysroot]\nreadonly=true\ngarbage\n' },
    `${CONF}:3: Key file contains line “garbage” which is not a key-value pair, group, or comment`,
  ],
  ['a key before any group', {}, { conf: 'readonly=true\n' }, `${CONF}:1: Key file does not start with a group`],
  [
    'a config that is not UTF-8',
    {},
    { conf: '[sysroot]\n', pre: "printf 'readonly=\\xff\\n' >> /etc/ostree/prepare-root.conf" },
    `${CONF}:2: line is not valid UTF-8`,
  ],
  [
    'a broken /usr/lib config shadowed by /etc',
    {},
    { confUsr: 'garbage\n', conf: '' },
    '/usr/lib/ostree/prepare-root.conf:1: Key file contains line “garbage” which is not a key-value pair, group, or comment',
  ],
  [
    'sysroot.readonly=yes',
    {},
    { conf: '[sysroot]\nreadonly=yes\n' },
    `${CONF}:2: sysroot.readonly: value “yes” is not a boolean (use true/false/1/0)`,
  ],
  [
    'root.transient=True',
    {},
    { conf: '[root]\ntransient=True\n' },
    `${CONF}:2: root.transient: value “True” is not a boolean (use true/false/1/0)`,
  ],
  [
    'composefs.enabled=bogus',
    {},
    { conf: '[composefs]\nenabled=bogus\n' },
    `${CONF}:2: composefs.enabled: invalid value “bogus” (use yes, no, maybe, verity or signed)`,
  ],
  [
    'composefs.enabled=MAYBE (case matters)',
    {},
    { conf: '[composefs]\nenabled=MAYBE\n' },
    `${CONF}:2: composefs.enabled: invalid value “MAYBE” (use yes, no, maybe, verity or signed)`,
  ],
  [
    'composefs.enabled=yes without an image',
    {},
    { conf: '[composefs]\nenabled=yes\n' },
    'composefs: the deployment has no image /sysroot/ostree/deploy/probeos/deploy/CSUM.0/.ostree.cfs (composefs.enabled=yes; use maybe to fall back to a plain bind mount)',
  ],
  [
    'a composefs image without the libcomposefs header',
    { setup: 'chattr -i "$D"; head -c 4096 /dev/zero > "$D/.ostree.cfs"; chattr +i "$D"' },
    { conf: '[composefs]\nenabled=maybe\n' },
    'composefs image /sysroot/ostree/deploy/probeos/deploy/CSUM.0/.ostree.cfs: bad composefs magic 0x00000000 (expected 0xd078629a)',
  ],
  [
    'a truncated composefs image',
    { setup: 'chattr -i "$D"; printf "\\x9a\\x62\\x78\\xd0" > "$D/.ostree.cfs"; chattr +i "$D"' },
    { conf: '[composefs]\nenabled=yes\n' },
    'composefs image /sysroot/ostree/deploy/probeos/deploy/CSUM.0/.ostree.cfs: too short for a composefs header (4 bytes)',
  ],
  [
    'a composefs image whose EROFS is corrupt',
    {
      setup: `${WITH_COMPOSEFS_IMAGE}; chattr -i "$D"; dd if=/dev/zero of="$D/.ostree.cfs" bs=1 seek=1024 count=128 conv=notrunc status=none; chattr +i "$D"`,
    },
    { conf: '[composefs]\nenabled=yes\n' },
    // A kernel that cannot mount EROFS from a file (ENOTBLK) gets there through a loop device,
    // and the error says what the file variant got.
    /^step mount-composefs-image: mount -t erofs -o ro,noacl \/sysroot\/ostree\/deploy\/probeos\/deploy\/CSUM\.0\/\.ostree\.cfs \/run\/ostree\/\.private\/cfsroot-lower: Invalid argument \(the kernel refused the mount; its log, dmesg, says why\)(?: \(loop; before it file: Block device required\))?; rolled back \d+ completed steps$/,
  ],
  [
    'root.transient with root.transient-ro',
    {},
    { conf: '[root]\ntransient=true\ntransient-ro=true\n' },
    `${CONF}:3: root.transient and root.transient-ro cannot both be set (transient-ro already implies a transient root)`,
  ],
  [
    'a bad etc.transient where /etc is mounted',
    {},
    { conf: '[sysroot]\nreadonly=true\n[etc]\ntransient=bogus\n' },
    `${CONF}:4: etc.transient: value “bogus” is not a boolean (use true/false/1/0)`,
  ],
  [
    'ostree= naming a missing link',
    { cmdline: 'ostree=/ostree/boot.1/nonexistent/0' },
    {},
    'deployment ostree=/ostree/boot.1/nonexistent/0: /sysroot/ostree/boot.1/nonexistent/0 does not exist',
  ],
  [
    'ostree= naming the deployment dir, not a link',
    { setup: 'echo "ostree=/ostree/deploy/probeos/deploy/$(basename "$D")" > "$CMDLINE_FILE"' },
    {},
    'deployment ostree=/ostree/deploy/probeos/deploy/CSUM.0: /sysroot/ostree/deploy/probeos/deploy/CSUM.0 is not a symbolic link (ostree= must name a boot link such as /ostree/boot.1/<stateroot>/<checksum>/0)',
  ],
  [
    'an empty ostree=',
    { cmdline: 'ostree=' },
    {},
    'deployment ostree=: /sysroot/ is not a symbolic link (ostree= must name a boot link such as /ostree/boot.1/<stateroot>/<checksum>/0)',
  ],
  [
    'a symlink loop',
    { setup: 'ln -s loop2 "$S/ostree/loop1"; ln -s loop1 "$S/ostree/loop2"', cmdline: 'ostree=/ostree/loop1' },
    {},
    'deployment ostree=/ostree/loop1: /sysroot/ostree/loop1 is part of a symbolic link loop',
  ],
  [
    'androidboot.slot_suffix=_c',
    { cmdline: 'androidboot.slot_suffix=_c' },
    {},
    'kernel argument androidboot.slot_suffix: invalid slot "_c" (expected _a or _b)',
  ],
  [
    'karg ostree.prepare-root.composefs=verity',
    { setup: 'sed -i "s/$/ ostree.prepare-root.composefs=verity/" "$CMDLINE_FILE"' },
    {},
    'kernel argument ostree.prepare-root.composefs: invalid value “verity” (use yes, no, maybe or signed; “verity” is only valid in the config)',
  ],
  [
    'a hotfix /usr overlay on a read-only physical root',
    { setup: 'chattr -i "$D"; mkdir "$D/.usr-ovl-upper" "$D/.usr-ovl-work"; chattr +i "$D"; mount -o remount,ro "$S"' },
    {},
    /^step mount-hotfix-usr: \(cd \/sysroot\/ostree\/deploy\/probeos\/deploy\/CSUM\.0 && mount -t overlay -o ro,lowerdir=\/sysroot\.tmp\/usr,upperdir=\.usr-ovl-upper,workdir=\.usr-ovl-work overlay \/sysroot\.tmp\/usr\): Invalid argument: the kernel says: overlay: filesystem on \.usr-ovl-upper is read-only; rolled back 4 completed steps$/,
  ],
  [
    "signed: a good signature, but this kernel cannot measure the image's fs-verity digest",
    { commitArgs: [COMPOSEFS_DIGEST_ARG], setup: `${WITH_COMPOSEFS_IMAGE}; ${SIGN_DEPLOYED_COMMIT}` },
    { conf: '[composefs]\nenabled=signed\n', keyFile: '$W/public' },
    /^fs-verity of \/sysroot\/ostree\/deploy\/probeos\/deploy\/CSUM\.0\/\.ostree\.cfs: the image has no fs-verity digest the kernel can vouch for \(its filesystem or this kernel has no fs-verity\)$/,
  ],
  [
    'signed: signed with a key the initramfs does not trust',
    {
      commitArgs: [COMPOSEFS_DIGEST_ARG],
      setup: `${WITH_COMPOSEFS_IMAGE}; ${SIGN_DEPLOYED_COMMIT}; cp "$W/public" "$W/trusted"; rm "$W/secret"; ${SIGN_DEPLOYED_COMMIT}`,
    },
    { conf: '[composefs]\nenabled=signed\n', keyFile: '$W/trusted' },
    'commit CSUM: none of its 1 signature verifies with the 1 trusted key',
  ],
  [
    'signed: the commit is not signed',
    {
      commitArgs: [COMPOSEFS_DIGEST_ARG],
      setup: `${WITH_COMPOSEFS_IMAGE}; ${SIGN_DEPLOYED_COMMIT}; rm "$S"/ostree/repo/objects/*/*.commitmeta`,
    },
    { conf: '[composefs]\nenabled=signed\n', keyFile: '$W/public' },
    'commit CSUM: no detached metadata (.commitmeta), so no signature',
  ],
  [
    'signed: no key file in the initramfs',
    { commitArgs: [COMPOSEFS_DIGEST_ARG], setup: `${WITH_COMPOSEFS_IMAGE}; ${SIGN_DEPLOYED_COMMIT}` },
    { conf: '[composefs]\nenabled=signed\n' },
    'composefs.keypath /etc/ostree/initramfs-root-binding.key: cannot read the public keys: No such file or directory',
  ],
  // ostree loads keys only for a config `signed`, then aborts on an assertion; we read them whenever signing is on.
  [
    'karg composefs=signed over a config without signing, no key file (ostree aborts)',
    {
      commitArgs: [COMPOSEFS_DIGEST_ARG],
      setup: `${WITH_COMPOSEFS_IMAGE}; ${SIGN_DEPLOYED_COMMIT}; ${KARG('ostree.prepare-root.composefs=signed')}`,
    },
    {},
    'composefs.keypath /etc/ostree/initramfs-root-binding.key: cannot read the public keys: No such file or directory',
  ],
];

// ostree follows these links wherever they go and fails (or worse, boots) later; we refuse them.
const ESCAPES: Array<[string, string, string]> = [
  ['a relative link out of the physical root', 'ln -s ../../etc "$S/ostree/escape"', 'resolves to /etc'],
  ['an absolute link into the initramfs', 'ln -s /usr "$S/ostree/escape"', 'resolves to /usr'],
  [
    'a link to the stateroot, not a deployment',
    'ln -s deploy/probeos "$S/ostree/escape"',
    'resolves to /sysroot/ostree/deploy/probeos',
  ],
];

/** Loop devices still attached to a composefs image (loop devices are global, not per namespace). */
const LOOPS_LEFT = 'losetup -a | grep -c "(.ostree.cfs)" || true';

/** Nothing of ours may remain: same mounts as before the run, no state files. */
function expectNothingLeft(us: RunResult, untouched: RunResult): void {
  const mine = (mounts: readonly string[]) => mounts.filter((m) => !m.startsWith('/prep/'));
  expect(unordered(mine(us.allMounts))).toEqual(unordered(mine(untouched.allMounts)));
  expect(us.run.filter((l) => !l.includes('/run/prepare-root'))).toEqual(untouched.run);
  expect(us.ostreeBooted).toBeNull();
}

describe.skipIf(!isRoot())('differential against ostree-prepare-root 2026.4', () => {
  it.each(SAME)('%s: same result', (_, scenario, run) => {
    const [ref, us] = both(scenario, run);
    expect(ref.rc, ref.stderr).toBe(0);
    expect(comparable(us)).toEqual(comparable(ref));
  });

  it('composefs on a block device: both point /run/systemd/volatile-root at it', () => {
    const check = 'readlink /run/systemd/volatile-root; stat -c "/dev/block/%Hd:%Ld" /sysroot/sysroot';
    const [ref, us] = runScenario({
      blockDevice: true,
      setup: WITH_COMPOSEFS_IMAGE,
      runs: [
        { impl: reference(), conf: '[composefs]\nenabled=yes\n', check },
        { impl: ours(), conf: '[composefs]\nenabled=yes\n', check },
      ],
    });
    expect(ref!.rc, ref!.stderr).toBe(0);
    expect(comparable(us!)).toEqual(comparable(ref!));
    const [link, device] = us!.check.split('\n');
    expect(link).toBe(device);
    expect(us!.check).toBe(ref!.check);
  });

  it.each(FAIL)('%s: both fail, ours says why and leaves nothing', (_, scenario, run, message) => {
    const [ref, us, untouched] = runScenario({
      ...scenario,
      runs: [
        { ...run, impl: reference() },
        { ...run, impl: ours(), check: LOOPS_LEFT },
        { ...run, impl: { prep: '/usr/bin/true' } },
      ],
    });
    // ostree exits 1, or aborts (134) where it asserts, see the karg=signed case.
    expect(ref!.rc).not.toBe(0);
    expect(us!.rc).toBe(1);
    expect(us!.check, 'loop devices left attached').toBe('0');
    const line = us!.stderr.split('\n').filter((l) => !/^prepare-root: (warning|notice):/.test(l));
    expect(line).toHaveLength(1);
    if (typeof message === 'string') expect(line[0]).toBe(`prepare-root: ${message}`);
    else expect(line[0]!.replace(/^prepare-root: /, '')).toMatch(message);
    expectNothingLeft(us!, untouched!);
  });

  it('deliberate difference: without ostree= the root is plain; with no plain config it is left alone, where ostree fails', () => {
    const [ref, us, untouched] = runScenario({
      cmdline: 'root=LABEL=x rw',
      runs: [{ impl: reference() }, { impl: ours() }, { impl: { prep: '/usr/bin/true' } }],
    });
    expect(ref!.rc).not.toBe(0);
    expect(us!.rc).toBe(0);
    expect(us!.stdout).toMatch(/^prepare-root: plain root \/sysroot left as it is: no .* nothing asked for$/);
    expectNothingLeft(us!, untouched!);
  });

  it.each(ESCAPES)('deliberate difference: refuses %s', (_, setup, resolves) => {
    const [, us, untouched] = runScenario({
      setup,
      cmdline: 'ostree=/ostree/escape',
      runs: [{ impl: reference() }, { impl: ours() }, { impl: { prep: '/usr/bin/true' } }],
    });
    expect(us!.rc).toBe(1);
    expect(us!.stderr).toBe(
      `prepare-root: deployment ostree=/ostree/escape: /sysroot/ostree/escape ${resolves}, ${NOT_A_DEPLOYMENT}`,
    );
    expectNothingLeft(us!, untouched!);
  });
});
