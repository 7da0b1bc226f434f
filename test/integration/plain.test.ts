// Plain roots (no ostree= on the kernel command line) on a real tree (test/harness/mkplain.sh):
// each mode and key, across two boots of the same physical root, what is left untouched, and
// bad and hostile input failing closed with nothing mounted and nothing changed outside it.
import { describe, expect, it } from 'vitest';
import {
  type Run,
  type RunResult,
  hostChangesSince,
  hostSnapshot,
  isRoot,
  ours,
  runScenario,
  unordered,
} from './harness.js';

const P = '/run/prepare-root/physical-root';
const CMDLINE = 'root=LABEL=plain-root rw';
const UNTOUCHED: Run = { impl: { prep: '/usr/bin/true' } };
/** mkplain.sh's fstab lists /swapfile, which the tree does not have. */
const MISSING_SWAP =
  'prepare-root: warning: swap file /swapfile (in /etc/fstab): is not on the physical root: made now, it would live in memory and vanish at reboot; make it on the disk in a boot with rd.prepare-root=off';

/** Write where a user would, then say for each whether it reached the physical root. */
const WRITE = `for f in usr/lib/new new etc/new var/lib/new home/user/new; do echo "$f" > /sysroot/$f; done
for f in usr/lib/new new etc/new var/lib/new home/user/new; do [ -e ${P}/$f ] && echo "disk $f" || echo "memory $f"; done
touch ${P}/x 2>&1 | sed 's/.*: //'
cmp /sysroot/etc/fstab ${P}/etc/fstab && echo fstab-untouched
[ -e /run/ostree ] && echo run-ostree; [ -e /run/ostree-booted ] && echo ostree-booted; true`;
/** The next boot: which of those writes it still sees. */
const SEEN = `for f in usr/lib/new new etc/new var/lib/new home/user/new; do [ -e /sysroot/$f ] && echo "kept $f" || echo "gone $f"; done`;

const status = (r: RunResult) =>
  JSON.parse(/--- status\n([\s\S]*)$/.exec(r.check)?.[1] ?? 'null') as Record<string, unknown>;
const WITH_STATUS = (check: string) => `${check}\necho '--- status'; cat /run/prepare-root/status.json`;
/** Everything in the physical root, with sizes and modes: what a failed run must not change. */
const TREE = "find /sysroot -xdev -printf '%M %s %P\\n' | sort";
const checkLines = (r: RunResult) => r.check.split('\n--- status')[0]!.split('\n');

function expectUntouched(r: RunResult, baseline: RunResult): void {
  const mine = (mounts: readonly string[]) => mounts.filter((m) => !m.startsWith('/prep/'));
  expect(unordered(mine(r.allMounts))).toEqual(unordered(mine(baseline.allMounts)));
  expect(r.ostreeBooted).toBeNull();
  expect(r.run.filter((l) => !l.includes('/run/prepare-root'))).toEqual(baseline.run);
}

describe.skipIf(!isRoot())('plain root', () => {
  it('root.transient: / is an overlay of the physical root, /etc and /var persist, the physical root is read-only at /run/prepare-root/physical-root', () => {
    const conf = '[root]\ntransient=true\ntransient-size=16M\n';
    const [first, second] = runScenario({
      plain: true,
      runs: [
        { impl: ours(), plainConf: conf, check: WITH_STATUS(WRITE) },
        { impl: ours(), plainConf: conf, check: SEEN },
      ],
    });
    expect(first!.rc, first!.stderr).toBe(0);
    expect(first!.stdout).toBe(
      `prepare-root: preparing plain root /sysroot: plain-transient, the physical root read-only at ${P}`,
    );
    expect(first!.stderr.split('\n')).toEqual([
      MISSING_SWAP,
      'prepare-root: notice: root.transient: changes to / (including /usr) are kept in memory and discarded at reboot; /etc and /var persist',
    ]);
    expect(unordered(first!.mounts)).toEqual([
      '/sysroot / overlay rw,relatime private',
      '/sysroot/etc /etc tmpfs rw,relatime private',
      '/sysroot/var /var tmpfs rw,relatime private',
    ]);
    expect(first!.fsOptions[0]).toBe(
      `/sysroot overlay rw,lowerdir=${P},upperdir=/run/prepare-root/root/upper,workdir=/run/prepare-root/root/work,uuid=on`,
    );
    expect(first!.allMounts).toContain(`${P} / tmpfs ro,relatime`);
    expect(first!.allMounts).toContain('/run/prepare-root/root / tmpfs rw,relatime');
    expect(first!.fsOptions.length).toBe(3);
    expect(first!.ostreeBooted).toBeNull();
    expect(checkLines(first!)).toEqual([
      'memory usr/lib/new',
      'memory new',
      'disk etc/new',
      'disk var/lib/new',
      'memory home/user/new',
      'Read-only file system',
      'fstab-untouched',
    ]);
    expect(status(first!)).toMatchObject({
      result: 'prepared',
      mode: 'plain-transient',
      deployment: null,
      sysrootReadonly: null,
      physicalRoot: P,
      ostreeBooted: null,
      configFile: '/etc/prepare-root/prepare-root.conf',
    });
    expect(second!.rc, second!.stderr).toBe(0);
    expect(second!.check.split('\n')).toEqual([
      'gone usr/lib/new',
      'gone new',
      'kept etc/new',
      'kept var/lib/new',
      'gone home/user/new',
    ]);
  });

  it("a physical root mounted ro (Debian's default command line): its filesystem is made writable for /etc and /var, and stays read-only where it is exposed", () => {
    const [r] = runScenario({
      plain: true,
      setup: 'mount -o remount,ro "$S"',
      runs: [
        {
          impl: ours(),
          plainConf: '[root]\ntransient=true\n',
          check: WITH_STATUS(
            `echo e > /sysroot/etc/new && [ -e ${P}/etc/new ] && echo etc-on-disk; touch ${P}/x 2>&1 | sed 's/.*: //'`,
          ),
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    expect(checkLines(r!)).toEqual(['etc-on-disk', 'Read-only file system']);
    expect((status(r!).plan as Array<{ id: string; command: string }>).slice(4, 6)).toEqual([
      expect.objectContaining({ id: 'remount-physical-fs-rw', command: `mount -o remount,rw ${P}` }),
      expect.objectContaining({ id: 'remount-physical-root-rw', command: `mount -o remount,bind,rw ${P}` }),
    ]);
    expect(r!.allMounts).toContain(`${P} / tmpfs ro,relatime`);
    expect(r!.mounts).toContain('/sysroot/etc /etc tmpfs rw,relatime private');
  });

  it('root.transient-ro: / is read-only, /etc and /var stay writable on the disk; systemd-remount-fs gets the fstab without its / entry', () => {
    const dropin = '/run/systemd/system/systemd-remount-fs.service.d/prepare-root.conf';
    const [r] = runScenario({
      plain: true,
      setup: `printf 'LABEL=root / ext4 errors=remount-ro 0 1\\n' > "$S/etc/fstab"`,
      runs: [
        {
          impl: ours(),
          plainConf: '[root]\ntransient-ro=true\n',
          check: `touch /sysroot/new 2>&1 | sed 's/.*: //'; echo e > /sysroot/etc/new && [ -e ${P}/etc/new ] && echo etc-on-disk; echo v > /sysroot/var/new && [ -e ${P}/var/new ] && echo var-on-disk; grep -v '^#' ${dropin}; cat /run/prepare-root/remount-fs.fstab /sysroot/etc/fstab`,
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    expect(r!.mounts).toContain('/sysroot / overlay ro,relatime private');
    expect(r!.check.split('\n')).toEqual([
      'Read-only file system',
      'etc-on-disk',
      'var-on-disk',
      '[Service]',
      'Environment=SYSTEMD_FSTAB=/run/prepare-root/remount-fs.fstab',
      '# (prepare-root: / is read-only this boot) LABEL=root / ext4 errors=remount-ro 0 1',
      'LABEL=root / ext4 errors=remount-ro 0 1', // the root's own, untouched
    ]);
  });

  it('a transient root leaves a login notice in /run/motd.d; a persistent one does not', () => {
    const notice = 'cat /run/motd.d/prepare-root 2>&1; stat -c %a /run/motd.d/prepare-root 2>/dev/null';
    const [transient, persistent] = runScenario({
      plain: true,
      runs: [
        { impl: ours(), plainConf: '[root]\ntransient=true\n[etc]\ntransient=true\n', check: notice },
        { impl: ours(), plainConf: '[persist]\npaths=/home\n', check: notice },
      ],
    });
    expect(transient!.rc, transient!.stderr).toBe(0);
    expect(transient!.check.split('\n')).toEqual([
      'prepare-root: parts of this system are transient:',
      '  root.transient: changes to / (including /usr) are kept in memory and discarded at reboot; /var persists',
      'What a reboot would lose: prepare-root diff (and how this boot went: prepare-root status).',
      '644',
    ]);
    expect(persistent!.rc, persistent!.stderr).toBe(0);
    expect(persistent!.check).toBe('cat: /run/motd.d/prepare-root: No such file or directory');
  });

  it("etc.transient + var.transient (overlayroot's default): nothing written reaches the disk, and a persisted path under /var does", () => {
    const conf =
      '[root]\ntransient=true\n[etc]\ntransient=true\n[var]\ntransient=true\n[persist]\npaths=/var/lib/keep;/etc/ssh\n';
    const keep = 'echo k > /sysroot/var/lib/keep/k; echo s > /sysroot/etc/ssh/new_key';
    const [first, second] = runScenario({
      plain: true,
      runs: [
        { impl: ours(), plainConf: conf, check: WITH_STATUS(`${keep}\n${WRITE}`) },
        {
          impl: ours(),
          plainConf: conf,
          check: `${SEEN}\ncat /sysroot/var/lib/keep/k /sysroot/etc/ssh/new_key /sysroot/etc/ssh/ssh_host_key`,
        },
      ],
    });
    expect(first!.rc, first!.stderr).toBe(0);
    expect(first!.stderr.split('\n')).toEqual([
      MISSING_SWAP,
      'prepare-root: notice: root.transient: changes to / (including /usr) are kept in memory and discarded at reboot',
    ]);
    expect(unordered(first!.fsOptions)).toEqual([
      `/sysroot overlay rw,lowerdir=${P},upperdir=/run/prepare-root/root/upper,workdir=/run/prepare-root/root/work,uuid=on`,
      `/sysroot/etc overlay rw,lowerdir=${P}/etc,upperdir=/run/prepare-root/etc/upper,workdir=/run/prepare-root/etc/work,uuid=on`,
      '/sysroot/etc/ssh tmpfs rw,mode=755',
      `/sysroot/var overlay rw,lowerdir=${P}/var,upperdir=/run/prepare-root/var/upper,workdir=/run/prepare-root/var/work,uuid=on`,
      '/sysroot/var/lib/keep tmpfs rw,mode=755',
    ]);
    expect(checkLines(first!)).toEqual([
      'memory usr/lib/new',
      'memory new',
      'memory etc/new',
      'memory var/lib/new',
      'memory home/user/new',
      'Read-only file system',
      'fstab-untouched',
    ]);
    expect(status(first!).persisted).toEqual([
      { path: '/var/lib/keep', store: `${P}/var/lib/prepare-root/persist/var/lib/keep` },
      { path: '/etc/ssh', store: `${P}/var/lib/prepare-root/persist/etc/ssh` },
    ]);
    expect(second!.rc, second!.stderr).toBe(0);
    expect(second!.check.split('\n')).toEqual([
      'gone usr/lib/new',
      'gone new',
      'gone etc/new',
      'gone var/lib/new',
      'gone home/user/new',
      'k',
      's',
      'host key',
    ]);
  });

  it('a persistent root with etc.transient and a state overlay: only /etc is transient, the overlay keeps its writes', () => {
    const conf = '[etc]\ntransient=true\n[overlay /usr/lib]\nupper=state\n';
    const [first, second] = runScenario({
      plain: true,
      runs: [
        {
          impl: ours(),
          plainConf: conf,
          check: 'echo a > /sysroot/etc/a; echo b > /sysroot/usr/lib/b; echo c > /sysroot/c',
        },
        {
          impl: ours(),
          plainConf: conf,
          check:
            'for f in etc/a usr/lib/b c; do [ -e /sysroot/$f ] && echo "kept $f" || echo "gone $f"; done; ls /run/prepare-root/physical-root/var/lib/prepare-root/overlays/usr%2Flib/upper',
        },
      ],
    });
    expect(first!.rc, first!.stderr).toBe(0);
    expect(first!.stdout).toBe(
      `prepare-root: preparing plain root /sysroot: plain, the physical root read-only at ${P}`,
    );
    expect(unordered(first!.mounts)).toEqual([
      '/sysroot / tmpfs rw,relatime private',
      '/sysroot/etc / overlay rw,relatime private',
      '/sysroot/usr/lib / overlay rw,relatime private',
    ]);
    expect(second!.check.split('\n')).toEqual(['gone etc/a', 'kept usr/lib/b', 'kept c', 'b']);
  });

  it('rd.prepare-root=transient asks for a transient root without any config', () => {
    const [r] = runScenario({
      plain: true,
      runs: [{ impl: ours(), args: [`${CMDLINE} rd.prepare-root=transient`], check: WITH_STATUS('true') }],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    expect(r!.mounts).toContain('/sysroot / overlay rw,relatime private');
    expect(status(r!)).toMatchObject({ result: 'prepared', mode: 'plain-transient', configFile: null });
    expect(status(r!).plan).toContainEqual(
      expect.objectContaining({
        id: 'mount-transient-root',
        reason:
          'root.transient (rd.prepare-root=transient): / is an overlay of the physical root with a tmpfs upper, writes vanish at reboot',
      }),
    );
  });

  it.each([
    [
      'no config and no rd.prepare-root=',
      undefined,
      CMDLINE,
      'no /usr/lib/prepare-root/prepare-root.conf or /etc/prepare-root/prepare-root.conf and no rd.prepare-root= on the kernel command line: nothing asked for',
    ],
    [
      'rd.prepare-root=off over a transient config (maintenance without an initramfs rebuild)',
      '[root]\ntransient=true\n[etc]\ntransient=true\n',
      `${CMDLINE} rd.prepare-root=off`,
      'rd.prepare-root=off on the kernel command line (the config was not read)',
    ],
    [
      'rd.prepare-root=off over a broken config: the way out of a config that fails the boot',
      '[root]\ntransient=ture\ntransiet=true\n\x1b[31m\n',
      `${CMDLINE} rd.prepare-root=off`,
      'rd.prepare-root=off on the kernel command line (the config was not read)',
    ],
    [
      'rd.prepare-root=off appended at the boot menu after the image set transient: the last one wins',
      undefined,
      `${CMDLINE} rd.prepare-root=transient quiet rd.prepare-root=off`,
      'rd.prepare-root=off on the kernel command line (the config was not read)',
    ],
    [
      'a config that asks for nothing',
      '[root]\ntransient=false\n',
      CMDLINE,
      '/etc/prepare-root/prepare-root.conf asks for nothing (no transient root, /etc or /var, no persisted path or overlay)',
    ],
  ])('left untouched: %s; exit 0, nothing mounted, status says why', (_, plainConf, cmdline, why) => {
    const [baseline, r] = runScenario({
      plain: true,
      runs: [
        UNTOUCHED,
        {
          impl: ours(),
          ...(plainConf === undefined ? {} : { plainConf }),
          args: [cmdline],
          tool: true,
          check: WITH_STATUS('/prep/tool status --root /sysroot'),
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    expect(r!.stdout).toBe(`prepare-root: plain root /sysroot left as it is: ${why}`);
    expect(r!.stderr).toBe('');
    expectUntouched(r!, baseline!);
    expect(status(r!)).toMatchObject({ result: 'untouched', untouched: why, mode: null, plan: [], executed: [] });
    expect(checkLines(r!)).toEqual([`root left as it was at boot: ${why}`]);
  });

  it("a config written to ostree's file on a plain root: not read, and the boot says so", () => {
    const [r] = runScenario({
      plain: true,
      runs: [{ impl: ours(), conf: '[root]\ntransient=true\n', args: [CMDLINE], check: WITH_STATUS('true') }],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    expect(r!.stdout).toBe(
      'prepare-root: plain root /sysroot left as it is: no /usr/lib/prepare-root/prepare-root.conf or /etc/prepare-root/prepare-root.conf and no rd.prepare-root= on the kernel command line: nothing asked for',
    );
    const warning =
      "not read: that is ostree's config, and this is a plain root (no ostree= on the kernel command line), which reads /usr/lib/prepare-root/prepare-root.conf or /etc/prepare-root/prepare-root.conf";
    expect(r!.stderr).toBe(`prepare-root: warning: /etc/ostree/prepare-root.conf: ${warning}`);
    expect(status(r!)).toMatchObject({
      result: 'untouched',
      warnings: [{ where: '/etc/ostree/prepare-root.conf', message: warning }],
    });
  });

  it.each([
    [
      'a typo in a boolean',
      '[root]\ntransient=ture\n',
      CMDLINE,
      'prepare-root: /etc/prepare-root/prepare-root.conf:2: root.transient: value “ture” is not a boolean (use true/false/1/0)',
    ],
    [
      'a bad rd.prepare-root=',
      '[root]\ntransient=true\n',
      `${CMDLINE} rd.prepare-root=transeint`,
      'prepare-root: kernel argument rd.prepare-root: invalid value “transeint” (use transient, transient-ro or off)',
    ],
    [
      'a misspelled key, which would otherwise boot a writable, persistent root',
      '[root]\ntransiet=true\n',
      CMDLINE,
      'prepare-root: /etc/prepare-root/prepare-root.conf:2: unknown key root.transiet (did you mean root.transient?): a plain root boots only a config it fully understands',
    ],
    [
      'a misspelled group',
      '[roots]\ntransient=true\n',
      CMDLINE,
      'prepare-root: /etc/prepare-root/prepare-root.conf:2: unknown group [roots] (did you mean root.transient?): a plain root boots only a config it fully understands',
    ],
    [
      'a bad rd.prepare-root= last, after a good one',
      undefined,
      `${CMDLINE} rd.prepare-root=transient rd.prepare-root=of`,
      'prepare-root: kernel argument rd.prepare-root: invalid value “of” (use transient, transient-ro or off)',
    ],
    [
      'a bad etc.transient (always read on a plain root)',
      '[root]\ntransient=true\n[etc]\ntransient=maybe\n',
      CMDLINE,
      'prepare-root: /etc/prepare-root/prepare-root.conf:4: etc.transient: value “maybe” is not a boolean (use true/false/1/0)',
    ],
    [
      'a persisted path under a persistent /var',
      '[root]\ntransient=true\n[persist]\npaths=/var/lib/x\n',
      CMDLINE,
      'prepare-root: /etc/prepare-root/prepare-root.conf:4: persist.paths: “/var/lib/x” is under /var, which already persists',
    ],
    [
      "a persisted path in prepare-root's own state",
      '[var]\ntransient=true\n[persist]\npaths=/var/lib/prepare-root/x\n',
      CMDLINE,
      'prepare-root: /etc/prepare-root/prepare-root.conf:4: persist.paths: “/var/lib/prepare-root/x” is under /var/lib/prepare-root, where prepare-root keeps its state',
    ],
    [
      'a persisted path not in a persistent root',
      '[etc]\ntransient=true\n[persist]\npaths=/opt/data\n',
      CMDLINE,
      'prepare-root: persist.paths: /opt/data: /opt/data is not in the image, and a persistent plain root cannot get a mount point for it (add it to the image, or use root.transient)',
    ],
  ])('fails closed on %s: the exact error, nothing mounted, nothing changed', (_, plainConf, cmdline, message) => {
    const [baseline, r] = runScenario({
      plain: true,
      runs: [
        { ...UNTOUCHED, check: TREE },
        { impl: ours(), ...(plainConf === undefined ? {} : { plainConf }), args: [cmdline], check: WITH_STATUS(TREE) },
      ],
    });
    expect(r!.rc).toBe(1);
    expect(r!.stderr).toBe(message);
    expectUntouched(r!, baseline!);
    expect(baseline!.check).toContain('-rw------- 9 etc/ssh/ssh_host_key');
    expect(checkLines(r!)).toEqual(baseline!.check.split('\n'));
    expect(status(r!)).toMatchObject({ result: 'failed', error: message.replace('prepare-root: ', '') });
  });

  it('fails closed on a separate /usr (mounted by the initramfs from the root’s fstab): the new root would lack it', () => {
    const pre = 'mount -t tmpfs usr /sysroot/usr';
    const [baseline, r] = runScenario({
      plain: true,
      runs: [
        { ...UNTOUCHED, pre, check: TREE },
        { impl: ours(), plainConf: '[root]\ntransient=true\n', args: [CMDLINE], pre, check: WITH_STATUS(TREE) },
      ],
    });
    const message =
      'prepare-root: /sysroot/usr: is a mount of its own (a separate /usr), which a plain root prepared by prepare-root would boot without: not supported; keep /usr on the root filesystem, or boot with rd.prepare-root=off';
    expect(r!.rc).toBe(1);
    expect(r!.stderr).toBe(message);
    expectUntouched(r!, baseline!);
    expect(status(r!)).toMatchObject({ result: 'failed', error: message.replace('prepare-root: ', '') });
  });

  it('hostile physical root: a symlinked state dir and /etc resolve inside the root, never into the initramfs', () => {
    const [r, etc] = runScenario({
      plain: true,
      setup: 'ln -s /run/escape "$S/var/lib/prepare-root"',
      runs: [
        {
          impl: ours(),
          plainConf: '[root]\ntransient=true\n[persist]\npaths=/etc/ssh\n',
          check: `[ -e /run/escape ] && echo escaped; ls ${P}/run/escape/persist/etc/ssh`,
        },
        {
          impl: ours(),
          before: 'mv "$S/etc" "$S/real-etc"; ln -s /run/hostile-etc "$S/etc"',
          plainConf: '[root]\ntransient=true\n[etc]\ntransient=true\n',
          check: '[ -e /run/hostile-etc ] && echo escaped; true',
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    expect(r!.check).toBe('ssh_host_key');
    expect(etc!.rc).toBe(1);
    expect(etc!.stderr).toBe(
      'prepare-root: etc.transient: /etc does not exist in the physical root (/run/hostile-etc)',
    );
    expect(etc!.check).toBe('');
  });

  it('a FIFO planted as a persist store: the bind fails, everything is rolled back', () => {
    const [baseline, r] = runScenario({
      plain: true,
      setup: 'mkdir -p "$S/var/lib/prepare-root/persist/etc"; mkfifo "$S/var/lib/prepare-root/persist/etc/ssh"',
      runs: [UNTOUCHED, { impl: ours(), plainConf: '[root]\ntransient=true\n[persist]\npaths=/etc/ssh\n' }],
    });
    expect(r!.rc).toBe(1);
    expect(r!.stderr.split('\n').at(-1)).toMatch(
      /^prepare-root: step bind-persist-0: .*; rolled back \d+ completed steps$/,
    );
    expectUntouched(r!, baseline!);
  });

  it('swap files in /etc/fstab: one on the disk is bound from the physical root, never copied into memory; a missing one is named; check-config --root says the same', () => {
    const conf = '[root]\ntransient=true\n';
    const [lint, r] = runScenario({
      plain: true,
      setup:
        'dd if=/dev/zero of="$S/swapfile" bs=1K count=64 status=none; printf "/var/swap none swap sw 0 0\n/data/swap2 none swap sw 0 0\n" >> "$S/etc/fstab"',
      runs: [
        { ...UNTOUCHED, plainConf: conf, tool: true, check: '/prep/tool check-config --root /sysroot' },
        {
          impl: ours(),
          plainConf: conf,
          check: `printf x | dd of=/sysroot/swapfile conv=notrunc status=none; [ -e /run/prepare-root/root/upper/swapfile ] && echo copied-up || echo not-copied; head -c1 ${P}/swapfile; echo`,
        },
      ],
    });
    const swapWarnings = [
      'prepare-root: warning: swap file /swapfile (in /etc/fstab): bound from the physical root: swapon uses the disk, nothing is copied into memory',
      'prepare-root: warning: swap file /data/swap2 (in /etc/fstab): is not on the physical root: made now, it would live in memory and vanish at reboot; make it on the disk in a boot with rd.prepare-root=off',
    ];
    expect(lint!.check.split('\n')).toEqual(['/etc/prepare-root/prepare-root.conf: ok', ...swapWarnings]);
    expect(r!.rc, r!.stderr).toBe(0);
    expect(r!.stderr.split('\n').slice(0, -1)).toEqual(swapWarnings);
    expect(r!.mounts).toContain('/sysroot/swapfile /swapfile tmpfs rw,relatime private');
    expect(r!.check.split('\n')).toEqual(['not-copied', 'x']);
  });

  it("root.upper-device: the root's changes are kept on that device across boots, rd.prepare-root.reset discards them; no loop device is left", () => {
    const before = hostSnapshot();
    // An ext4 image on a loop device stands in for the upper's disk; detached when the scenario ends.
    const setup = `truncate -s 64M "$W/upper.img"; mkfs.ext4 -q "$W/upper.img"
export UPPERDEV=$(losetup --find --show "$W/upper.img")
trap 'losetup -d "$UPPERDEV"; umount -R "$W" 2>/dev/null; rmdir "$W"' EXIT`;
    const pre =
      'mkdir -p /etc/prepare-root; printf "[root]\\ntransient=true\\nupper-device=%s\\n" "$UPPERDEV" > /etc/prepare-root/prepare-root.conf';
    const [first, second, reset, missing] = runScenario({
      plain: true,
      setup,
      runs: [
        {
          impl: ours(),
          pre,
          check: WITH_STATUS(
            'echo k > /sysroot/usr/lib/kept; echo e > /sysroot/etc/on-disk; [ -e /run/prepare-root/upper-device/upper/usr/lib/kept ] && echo on-device',
          ),
        },
        { impl: ours(), pre, check: '[ -e /sysroot/usr/lib/kept ] && echo kept || echo gone' },
        {
          impl: ours(),
          pre,
          args: [`${CMDLINE} rd.prepare-root.reset`],
          check: '[ -e /sysroot/usr/lib/kept ] && echo kept || echo gone; [ -e /sysroot/etc/on-disk ] && echo etc-kept',
        },
        { impl: ours(), plainConf: '[root]\ntransient=true\nupper-device=LABEL=no-such-upper\n' },
      ],
    });
    expect(first!.rc, first!.stderr).toBe(0);
    expect(checkLines(first!)).toEqual(['on-device']);
    expect(status(first!)).toMatchObject({ result: 'prepared', mode: 'plain-overlay' });
    expect(first!.fsOptions[0]).toBe(
      `/sysroot overlay rw,lowerdir=${P},upperdir=/run/prepare-root/upper-device/upper,workdir=/run/prepare-root/upper-device/work,uuid=on`,
    );
    expect(first!.stderr.split('\n').at(-1)).toMatch(
      /^prepare-root: notice: root\.upper-device \/dev\/loop\d+: changes to \/ \(including \/usr\) are kept on \/dev\/loop\d+ until a boot with rd\.prepare-root\.reset; \/etc and \/var persist$/,
    );
    expect(second!.check).toBe('kept');
    expect(reset!.rc, reset!.stderr).toBe(0);
    expect(reset!.check.split('\n')).toEqual(['gone', 'etc-kept']);
    expect(missing!.rc).toBe(1);
    expect(missing!.stderr).toBe(
      'prepare-root: root.upper-device LABEL=no-such-upper: neither /dev/disk/by-label/no-such-upper nor any block device the kernel lists in /sys/class/block has that name (the device is not attached, or not found yet; could not read /sys/class/block (No such file or directory))',
    );
    expect(hostChangesSince(before)).toEqual([]);
  });

  it('pivot mode: prepares the transient root and executes its init', () => {
    const [r] = runScenario({
      plain: true,
      runs: [{ impl: ours(), plainConf: '[root]\ntransient=true\n', pivot: true }],
    });
    expect(r!.pivotOutput).toMatch(/^PREPARE_ROOT_TEST_INIT_OK pid=\d+$/m);
    expect(r!.pivotOutput).toMatch(
      / \/ \/ rw,relatime - overlay overlay rw,lowerdir=\/run\/prepare-root\/physical-root,/,
    );
    expect(r!.pivotOutput).toMatch(/ \/run\/prepare-root\/physical-root ro,relatime /);
  });

  it('plan: each command can be pasted into a shell (quoted), every line escaped', () => {
    const [r] = runScenario({
      plain: true,
      runs: [
        {
          ...UNTOUCHED,
          plainConf: '[root]\ntransient=true\n[persist]\npaths=/my data;/x\x1by\n',
          tool: true,
          check: `/prep/tool plan /sysroot '${CMDLINE}' > /tmp/plan 2>&1; echo "rc=$?"; cat /tmp/plan`,
        },
      ],
    });
    const lines = r!.check.split('\n');
    expect(lines[0]).toBe('rc=0');
    const store = `${P}/var/lib/prepare-root/persist`;
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`  mount --bind '${store}/my data' '/sysroot.tmp/my data'$`)),
    );
    expect(lines).toContainEqual(expect.stringMatching(/ mount --bind '?\S+\/x\\x1by'? /));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not appear
    expect(r!.check).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('plan, check-config, status and diff understand plain roots', () => {
    const conf = '[root]\ntransient=true\n[composefs]\nenabled=yes\n';
    const [plan, booted] = runScenario({
      plain: true,
      runs: [
        {
          ...UNTOUCHED,
          plainConf: conf,
          tool: true,
          check: `/prep/tool plan /sysroot '${CMDLINE}' 2>&1 | head -4; /prep/tool check-config; echo "rc=$?"`,
        },
        {
          impl: ours(),
          plainConf: conf,
          tool: true,
          check:
            'echo new > /sysroot/usr/lib/new; rm /sysroot/usr/lib/hello.txt; echo kept > /sysroot/etc/kept; /prep/tool status --root /sysroot | head -3; /prep/tool diff --root /sysroot',
        },
      ],
    });
    expect(plan!.check.split('\n')).toEqual([
      'Plan for /sysroot',
      `  physical root:    ${P} (read-only, plain root)`,
      '  mode:             plain-transient',
      '  selinux:          not enabled',
      'prepare-root: warning: /etc/prepare-root/prepare-root.conf:4: composefs.enabled has no effect on a plain root (no ostree=)',
      '/etc/prepare-root/prepare-root.conf: ok',
      'rc=0',
    ]);
    // diff: what the transient root loses at reboot, against the physical root; /etc is on the disk.
    expect(booted!.check.split('\n')).toEqual([
      'prepared by:      prepare-root',
      'mode:             plain-transient',
      `physical root:    ${P} (read-only)`,
      '2 changes (4 bytes): 1 added, 0 modified, 0 metadata only, 1 deleted, 0 directories replaced',
      // The size of what is deleted is read from the physical root, the overlay's lower.
      'deleted  file            15  /usr/lib/hello.txt',
      'added    file             4  /usr/lib/new',
    ]);
  });
});

describe.skipIf(!isRoot())('rd.prepare-root on an ostree boot', () => {
  it('off is refused: an ostree deployment must be prepared', () => {
    const [r] = runScenario({
      cmdline: undefined,
      runs: [{ impl: ours(), check: 'true', args: [] }],
      setup: 'sed -i "s/$/ rd.prepare-root=off/" "$CMDLINE_FILE"',
    });
    expect(r!.rc).toBe(1);
    expect(r!.stderr).toBe(
      'prepare-root: kernel argument rd.prepare-root=off: only a plain root (no ostree=) can be left alone: an ostree boot needs its deployment prepared',
    );
  });
});
