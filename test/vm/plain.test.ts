// Plain-mode VM tests: a plain Debian 12 guest without ostree (plain-guest-disk.sh) with
// prepare-root installed from its .deb and booted through Debian's own initramfs generator,
// initramfs-tools (our hook and boot script, images made by update-initramfs in the guest tree;
// two scenarios use dracut images: dracut with systemd, and without it, in pivot mode), and
// Debian's own transient root for it, overlayroot (initramfs-tools too), for comparison: what it does with overlayroot=tmpfs, what it does when misconfigured, what it leaves
// behind, and its boot cost. The same guest also boots with no initramfs at all, its kernel
// straight from NVMe with our binary as init (overlay is an xz module there: loading it from the
// root is part of every prepared boot), its config written into a raw copy of the disk by
// debugfs. Every assertion reads what the guest reported about itself (vmtest.sh
// and plain-report.sh) from its result disk. Logs stay in .cache/vm/plain/runs/<scenario>/.
//   npx vitest run --config vitest.vm.config.ts test/vm/plain.test.ts
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BehaviourRow,
  bootPlain,
  buildPlainGuest,
  fstabRewritten,
  formatBehaviour,
  formatBootCost,
  MARKERS,
  PLAIN_RUNS,
  type PlainGuest,
  bootNoInitramfs,
  persistedFrom,
  rawPlainDisk,
  toSwitchRoot,
  writtenIn,
} from './plain-vm.js';
import { type Boot, buildInitramfs, withFiles } from './vm.js';

let guest: PlainGuest;
/** dracut with systemd: our unit (the generator of the ostree guest, here on a plain root). */
let oursDracut: string;
/** dracut without systemd: our cleanup hook hands over in pivot mode. */
let oursShell: string;
/** Filled by the tests, printed at the end: the rows of the comparison. */
const overlayroot: Partial<Record<keyof BehaviourRow, string>> = { name: 'overlayroot (Debian 12)' };
const oursRow: Partial<Record<keyof BehaviourRow, string>> = { name: 'prepare-root (initramfs-tools)' };
const CONF = 'etc/prepare-root/prepare-root.conf';
const PHYSICAL = '/run/prepare-root/physical-root';

/** Our initramfs-tools image (made without a config) with this plain-root config appended: what
 * the hook would have copied, for scenarios that need no build-time part (the transient and
 * upper-device scenarios boot images with the config baked in by update-initramfs). */
const withConf = (name: string, conf: string) =>
  withFiles(guest.ours.base, path.join(PLAIN_RUNS, `${name}.img`), { [CONF]: conf });

function statusOf(b: Boot): Record<string, unknown> {
  const json = b.value('prepare-root-status');
  if (json === undefined) throw new Error('the guest reported no prepare-root status');
  return JSON.parse(json) as Record<string, unknown>;
}

beforeAll(() => {
  rmSync(PLAIN_RUNS, { recursive: true, force: true });
  mkdirSync(PLAIN_RUNS, { recursive: true });
  guest = buildPlainGuest();
  oursDracut = buildInitramfs('prepare-root', 'systemd', path.join(PLAIN_RUNS, 'prepare-root-systemd.img'));
  oursShell = buildInitramfs('prepare-root', 'shell', path.join(PLAIN_RUNS, 'prepare-root-shell.img'));
}, 30 * 60_000);

afterAll(() => {
  const row = (r: typeof overlayroot) =>
    ({ misconfiguration: '?', status: '?', persisted: '?', fstab: '?', ...r }) as BehaviourRow;
  console.log(formatBehaviour([row(oursRow), row(overlayroot)]));
});

function expectBooted(b: Boot): void {
  expect(b.report, `no report from the guest; console tail:\n${b.serial.slice(-3000)}`).not.toEqual([]);
  expect(b.value('plain-report'), 'plain-report.sh did not report').toBe('done');
  expect(b.value('ostree-booted')).toBe('absent');
}

/** overlayroot's messages on the console (initramfs-tools' "Failure: overlayroot: ...", after
 * whatever "Begin: ..." started the line). */
const consoleLines = (b: Boot): string[] =>
  b.serial
    .split(/\r?\n/)
    .map((l) => /(?:Failure|Warning|Success): overlayroot: .*/.exec(l)?.[0].trim())
    .filter((l) => l !== undefined);

/** initramfs-tools prints nothing under `quiet` (vm.ts always boots with it): this conf.d
 * snippet, sourced after the command line is read, brings its messages back to the console. */
const VERBOSE = { 'conf/conf.d/zz-vmtest-verbose': 'quiet=n\n' };

describe('plain guest (no ostree)', () => {
  it("ours (initramfs-tools), root.transient written to /etc/prepare-root/ before update-initramfs -u: / is an overlay of the physical root; boot 1's writes to /usr are gone in boot 2, /etc and /var kept; fstab untouched; the man pages render", () => {
    // The image the guest's own update-initramfs made after the config was written: the hook
    // copied it (baked), no file appended.
    const image = guest.ours.transient;
    const first = bootPlain(guest, image, 'ours-transient-1', 'vmtest.step=write vmtest.man');
    expectBooted(first);
    expect(first.value('initrd-usec')).toBe('0'); // no systemd in the initramfs: initramfs-tools
    expect(first.value('mount /')).toMatch(
      /^overlay +rw,.*lowerdir=\/run\/prepare-root\/physical-root,upperdir=\/run\/prepare-root\/root\/upper,/,
    );
    expect(first.value(`mount ${PHYSICAL}`)).toMatch(/^ext4 +ro,/);
    expect(first.value('mount /etc')).toMatch(/^ext4 +rw,/);
    expect(first.value('mount /var')).toMatch(/^ext4 +rw,/);
    for (const m of MARKERS) expect(first.report).toContain(`wrote ${m}`);
    // Our boot script ran the binary on initramfs-tools' ${rootmnt}, before run-init.
    expect(first.serial).toContain(
      'prepare-root: preparing plain root /root: plain-transient, the physical root read-only at /run/prepare-root/physical-root',
    );
    // man-db renders both pages of the package, without a warning.
    expect(first.value('man prepare-root')).toMatch(
      /^rc 0, \d{3,} lines, NAME: prepare-root - turn the physical root into the root the system boots$/,
    );
    expect(first.value('man prepare-root.conf')).toMatch(
      /^rc 0, \d{2,} lines, NAME: prepare-root\.conf - how prepare-root prepares the root$/,
    );
    expect(first.values('man prepare-root stderr')).toEqual([]);
    expect(first.values('man prepare-root.conf stderr')).toEqual([]);
    // What pam_motd shows at login, from /run/motd.d, while / is transient.
    const notice = [
      'prepare-root: parts of this system are transient:',
      '  root.transient: changes to / (including /usr) are kept in memory and discarded at reboot; /etc and /var persist',
      'What a reboot would lose: prepare-root diff (and how this boot went: prepare-root status).',
    ];
    expect(first.values('login-notice')).toEqual(notice);
    const second = bootPlain(guest, image, 'ours-transient-2', 'vmtest.step=check', first.disk);
    expectBooted(second);
    expect(second.value('boot-id')).not.toBe(first.value('boot-id'));
    expect(second.value('marker /usr/lib/vmtest-marker')).toBe('missing');
    expect(persistedFrom(first, second)).toEqual(['/etc', '/var/lib']);
    expect(fstabRewritten(second)).toBe(false);
    expect(second.values('login-notice')).toEqual(notice);
    expect(statusOf(second)).toMatchObject({
      preparedBy: 'prepare-root',
      mode: 'plain-transient',
      physicalRoot: PHYSICAL,
      ostreeBooted: null,
    });
    oursRow.fstab = 'untouched';
    oursRow.status = `status.json, \`prepare-root status\` (mode ${statusOf(second).mode}, physical root at ${PHYSICAL})`;
    console.log(
      `plain guest, ours (initramfs-tools), root.transient: mount / ${second.value('mount /')}; kept: ${persistedFrom(first, second).join(', ')}; failed units: ${second.value('failed-units') || 'none'}; ${first.value('man prepare-root')}`,
    );
  });

  it('ours (initramfs-tools), root.transient + etc.transient + [persist] paths=/etc/ssh: only /var and the persisted path survive a reboot', () => {
    const image = withConf(
      'ours-persist',
      '[root]\ntransient=true\n[etc]\ntransient=true\n[persist]\npaths=/etc/ssh\n',
    );
    const first = bootPlain(guest, image, 'ours-persist-1', 'vmtest.step=write');
    expectBooted(first);
    expect(first.value('mount /etc')).toMatch(/^overlay +rw,.*lowerdir=\/run\/prepare-root\/physical-root\/etc,/);
    expect(first.report).toContain('wrote /etc/ssh/vmtest-marker');
    const second = bootPlain(guest, image, 'ours-persist-2', 'vmtest.step=check', first.disk);
    expectBooted(second);
    expect(persistedFrom(first, second)).toEqual(['/var/lib']);
    expect(second.value('marker /etc/ssh/vmtest-marker')).toBe(writtenIn(first));
    oursRow.persisted = `what is asked: /etc and /var by default, [persist] paths (here /etc/ssh inside a transient /etc)`;
  });

  it('ours (dracut with systemd), a volatile state overlay: an ordinary service that writes at shutdown stops before the checkpoint, and the next boot reuses the upper with that write', () => {
    const image = withFiles(oursDracut, path.join(PLAIN_RUNS, 'ours-volatile.img'), {
      [CONF]: '[overlay /usr/local]\nupper=state\nvolatile=true\n',
    });
    const first = bootPlain(guest, image, 'ours-volatile-1', 'vmtest.step=write vmtest.late-writer');
    expectBooted(first);
    expect(first.value('initrd-usec')).not.toBe('0'); // systemd in the initramfs: dracut's
    expect(first.value('mount /usr/local')).toMatch(/^overlay +rw,.*volatile/);
    const second = bootPlain(guest, image, 'ours-volatile-2', 'vmtest.step=check', first.disk);
    expectBooted(second);
    // Written by late-writer.service's ExecStop in the first boot's shutdown, before the
    // checkpoint (prepare-root-checkpoint.service is Before=sysinit.target) ...
    expect(second.value('late-write')).toBe(
      `written at shutdown of boot ${first.value('boot-id')}; checkpoint already taken: no`,
    );
    // ... which then let this boot reuse the upper: no quarantine, nothing to warn about.
    expect(statusOf(second)).toMatchObject({ preparedBy: 'prepare-root', bootWarnings: [] });
  });

  it('ours (initramfs-tools), rd.prepare-root=off over a transient config: the root is left alone, its writes persist and the next transient boot sees them', () => {
    const image = withConf('ours-off-maint', '[root]\ntransient=true\n');
    const first = bootPlain(guest, image, 'ours-off-maint-1', 'rd.prepare-root=off vmtest.step=write');
    expectBooted(first);
    expect(first.value('mount /')).toMatch(/^ext4 +rw,/);
    expect(statusOf(first)).toMatchObject({
      preparedBy: null,
      untouched: 'rd.prepare-root=off on the kernel command line (the config was not read)',
    });
    const second = bootPlain(guest, image, 'ours-off-maint-2', 'vmtest.step=check', first.disk);
    expectBooted(second);
    expect(second.value('mount /')).toMatch(/^overlay /);
    expect(persistedFrom(first, second)).toEqual(['/usr/lib', '/etc', '/var/lib']);
  });

  it('ours (initramfs-tools), no config and no rd.prepare-root=: the boot script runs, mounts nothing, and status says why', () => {
    const b = bootPlain(guest, guest.ours.base, 'ours-nothing', 'vmtest.step=check');
    expectBooted(b);
    expect(b.value('mount /')).toMatch(/^ext4 +rw,/);
    expect(b.value(`mount ${PHYSICAL}`)).toBe('');
    expect(b.value('root-source')).toBe('/dev/vda');
    expect(statusOf(b)).toMatchObject({ preparedBy: null, mode: null });
    expect(statusOf(b).untouched).toMatch(/ nothing asked for$/);
    expect(b.serial).toContain('prepare-root: plain root /root left as it is: no ');
  });

  it('ours, dracut without systemd: root.transient, handed over in pivot mode', () => {
    const image = withFiles(oursShell, path.join(PLAIN_RUNS, 'ours-shell.img'), { [CONF]: '[root]\ntransient=true\n' });
    const b = bootPlain(guest, image, 'ours-shell', 'vmtest.step=check');
    expectBooted(b);
    expect(b.value('initrd-usec')).toBe('0'); // no systemd in the initramfs
    expect(b.value('mount /')).toMatch(/^overlay +rw,.*lowerdir=\/run\/prepare-root\/physical-root,/);
    expect(statusOf(b)).toMatchObject({ preparedBy: 'prepare-root', mode: 'plain-transient' });
  });

  it('ours (initramfs-tools), root.upper-device=LABEL=prep-upper on a second disk, baked by update-initramfs: the boot script waits for it; the changes survive reboots until rd.prepare-root.reset', () => {
    const upper = path.join(PLAIN_RUNS, 'upper-device.raw');
    rmSync(upper, { force: true });
    const mk = spawnSync('bash', ['-c', 'truncate -s 256M "$1" && mkfs.ext4 -q -L prep-upper "$1"', 'bash', upper]);
    expect(mk.status, mk.stderr?.toString()).toBe(0);
    // Written before update-initramfs -u in the guest tree: the hook wrote down the device for the
    // boot script to wait for (conf/prepare-root-upper-device, checked by plain-guest-disk.sh).
    const image = guest.ours.upperDevice;
    const first = bootPlain(guest, image, 'ours-upper-1', 'vmtest.step=write', undefined, upper);
    expectBooted(first);
    expect(first.value('mount /')).toMatch(/^overlay +rw,.*upperdir=\/run\/prepare-root\/upper-device\/upper,/);
    expect(statusOf(first)).toMatchObject({ mode: 'plain-overlay' });
    const second = bootPlain(guest, image, 'ours-upper-2', 'vmtest.step=check', first.disk, upper);
    expectBooted(second);
    expect(persistedFrom(first, second)).toEqual(['/usr/lib', '/etc', '/var/lib']);
    const reset = bootPlain(guest, image, 'ours-upper-3', 'rd.prepare-root.reset vmtest.step=check', first.disk, upper);
    expectBooted(reset);
    expect(persistedFrom(first, reset)).toEqual(['/etc', '/var/lib']);
    expect(reset.value('marker /usr/lib/vmtest-marker')).toBe('missing');
  });

  const BROKEN = '[root]\ntransient=ture\n';
  const BROKEN_LINE =
    'prepare-root: /etc/prepare-root/prepare-root.conf:2: root.transient: value “ture” is not a boolean (use true/false/1/0)';
  /** What our initramfs-tools boot script gives panic (initramfs-tools/scripts/local-bottom/prepare-root). */
  const PANIC_LINE =
    'prepare-root could not prepare /root (the line above says why): fix the cause and exit this shell to try again, or reboot and add rd.prepare-root=off (a plain root) or pick the previous deployment (ostree)';

  it('ours (initramfs-tools), a broken config: update-initramfs refuses it and keeps the image; one in the initramfs stops the boot in initramfs-tools’ panic shell with our line, exiting the shell retries, and rd.prepare-root=off appended last boots the untouched root', () => {
    // At image build time (plain-guest-disk.sh ran update-initramfs -u with it in the guest tree).
    expect(guest.brokenConfigLog.split('\n')).toEqual(
      expect.arrayContaining([
        BROKEN_LINE,
        'E: prepare-root: the plain-boot config above would fail the boot: fix it, then run update-initramfs -u',
        'E: /usr/share/initramfs-tools/hooks/prepare-root failed with return 1.',
      ]),
    );
    expect(guest.brokenConfigLog).toMatch(/^update-initramfs: failed for \/boot\/initrd\.img-\S+ with 1\.$/m);
    expect(guest.brokenConfigKept, 'update-initramfs replaced the previous image').toBe(true);
    // At boot: a config that reached the initramfs anyway. `panic=` (empty, the last one wins over
    // vm.ts's panic=-1 in initramfs-tools' parsing; the kernel rejects the empty value and keeps
    // -1) gives initramfs-tools' shell instead of a reboot. Typed into it: a command that proves it
    // runs, a fixed config, and exit, which makes the boot script run prepare-root again.
    const image = withConf('ours-broken', BROKEN);
    const b = bootPlain(guest, image, 'ours-broken', 'panic= vmtest.step=check', undefined, undefined, {
      wait: '(initramfs) ',
      send: `echo "SHELL-RAN-$((6 * 7))"; printf '[root]\\ntransient=true\\n' > /${CONF}; exit`,
    });
    expect(b.serial).toContain(BROKEN_LINE);
    expect(b.serial).toContain(PANIC_LINE);
    expect(b.serial).toContain('SHELL-RAN-42');
    expect(b.serial).not.toMatch(/Kernel panic|Attempted to kill init/);
    expectBooted(b);
    expect(b.value('mount /')).toMatch(/^overlay +rw,.*lowerdir=\/run\/prepare-root\/physical-root,/);
    expect(statusOf(b)).toMatchObject({ result: 'prepared', mode: 'plain-transient' });
    // The way out, without rebuilding the initramfs: off appended at the boot menu, after an
    // rd.prepare-root= the image's own command line has. The last one wins; the config is not read.
    const off = bootPlain(
      guest,
      image,
      'ours-broken-off',
      'rd.prepare-root=transient vmtest.step=check rd.prepare-root=off',
      b.disk,
    );
    expectBooted(off);
    expect(off.value('mount /')).toMatch(/^ext4 +rw,/);
    expect(statusOf(off)).toMatchObject({
      result: 'untouched',
      untouched: 'rd.prepare-root=off on the kernel command line (the config was not read)',
    });
    oursRow.misconfiguration =
      'fails closed: update-initramfs refuses to build it; at boot, initramfs-tools’ panic shell after one line naming file:line and key (exit retries); rd.prepare-root=off gets past it';
  });

  it('ours, dracut without systemd (pivot mode), a broken config: our line, then dracut’s emergency shell, no kernel panic', () => {
    const image = withFiles(oursShell, path.join(PLAIN_RUNS, 'ours-shell-broken.img'), { [CONF]: BROKEN });
    // rd.shell=1 (the last one wins over vm.ts's rd.shell=0): the shell waits on the console; once
    // its prompt shows, type a command that proves it runs, then power off from it.
    const b = bootPlain(guest, image, 'ours-shell-broken', 'rd.shell=1 vmtest.step=check', undefined, undefined, {
      wait: 'prepare-root:/# ',
      send: 'echo "SHELL-RAN-$((6 * 7))"; echo o > /proc/sysrq-trigger',
    });
    expect(b.report).toEqual([]);
    expect(b.serial).toContain(BROKEN_LINE);
    expect(b.serial).toContain('prepare-root could not prepare /sysroot (the line above says why)');
    expect(b.serial).toContain('Dropping to debug shell.');
    expect(b.serial).toContain('SHELL-RAN-42');
    expect(b.serial).not.toMatch(/Kernel panic|Attempted to kill init/);
  });

  it('overlayroot=tmpfs: / is an overlay over the ext4 root, everything written in boot 1 (/usr, /etc, /var) is gone in boot 2', () => {
    const first = bootPlain(
      guest,
      guest.overlayrootInitrd,
      'overlayroot-tmpfs-1',
      'overlayroot=tmpfs vmtest.step=write',
    );
    expectBooted(first);
    expect(first.value('mount /')).toMatch(
      /^overlay +rw,.*lowerdir=\/media\/root-ro,upperdir=\/media\/root-rw\/overlay/,
    );
    expect(first.value('root-source')).toBe('overlayroot');
    expect(first.value('mount /media/root-ro')).toMatch(/^ext4 /);
    expect(first.value('mount /media/root-rw')).toMatch(/^tmpfs /);
    for (const m of MARKERS) expect(first.report).toContain(`wrote ${m}`);
    const second = bootPlain(
      guest,
      guest.overlayrootInitrd,
      'overlayroot-tmpfs-2',
      'overlayroot=tmpfs vmtest.step=check',
      first.disk,
    );
    expectBooted(second);
    expect(second.value('boot-id')).not.toBe(first.value('boot-id'));
    expect(second.value('mount /')).toMatch(/^overlay /);
    for (const m of MARKERS) expect(second.value(`marker ${m}`), m).toBe('missing');
    expect(persistedFrom(first, second)).toEqual([]);
    // What it leaves: its log under /run/initramfs, and an /etc/fstab of its own in the upper.
    expect(second.value('overlayroot-log')).toBe('present');
    const log = second.values('overlayroot-log-line');
    const rewritten = fstabRewritten(second);
    overlayroot.persisted = persistedFrom(first, second).join(', ') || 'none (/etc, /var transient too)';
    overlayroot.status = `/run/initramfs/overlayroot.log (${log.length} lines), /media/root-ro, /media/root-rw`;
    overlayroot.fstab = rewritten ? 'rewritten (in the upper: / commented out, root-ro added)' : 'untouched';
    console.log(
      [
        'overlayroot=tmpfs, boot 2:',
        `  mount /: ${second.value('mount /')}`,
        `  /run/initramfs: ${second.values('run-initramfs-entry').join(' ')}`,
        ...log.map((l) => `  overlayroot.log: ${l}`),
        `  /etc/fstab ${rewritten ? 'rewritten' : 'untouched'}:`,
        ...second.values('fstab-line').map((l) => `    ${l}`),
      ].join('\n'),
    );
  });

  it('overlayroot misconfigured (overlayroot=tmpfz, overlayroot=/dev/vdz) fails open: a plain writable root, what each boot writes is there in the next', () => {
    // Boot 1 typo, boot 2 missing device, boot 3 typo again (with initramfs-tools' messages on
    // the console): each boot reports the markers of the one before, then writes its own.
    const verbose = withFiles(guest.overlayrootInitrd, path.join(PLAIN_RUNS, 'overlayroot-verbose.img'), VERBOSE);
    const b1 = bootPlain(guest, guest.overlayrootInitrd, 'overlayroot-typo-1', 'overlayroot=tmpfz vmtest.step=write');
    const b2 = bootPlain(
      guest,
      guest.overlayrootInitrd,
      'overlayroot-nodev-2',
      'overlayroot=/dev/vdz vmtest.step=write',
      b1.disk,
    );
    const b3 = bootPlain(guest, verbose, 'overlayroot-typo-3', 'overlayroot=tmpfz vmtest.step=check', b1.disk);
    for (const b of [b1, b2, b3]) {
      expectBooted(b);
      expect(b.value('mount /')).toMatch(/^ext4 +rw,/);
      expect(b.value('root-source')).toBe('/dev/vda');
      expect(b.value('mount /media/root-ro')).toBe('');
      expect(fstabRewritten(b)).toBe(false);
    }
    for (const m of MARKERS) {
      expect(b1.report).toContain(`wrote ${m}`);
      expect(b2.value(`marker ${m}`), m).toBe(writtenIn(b1));
      expect(b3.value(`marker ${m}`), m).toBe(writtenIn(b2));
    }
    const logOf = (b: Boot) => b.values('overlayroot-log-line');
    expect(logOf(b1).join('\n')).toContain('invalid value for overlayroot: tmpfz');
    expect(logOf(b2).join('\n')).toContain('failed mount backing device /dev/vdz');
    // Made visible (quiet=n), initramfs-tools shows one line for it, and boots on.
    expect(consoleLines(b3)).toContain(
      'Failure: overlayroot: invalid value for overlayroot: tmpfz (per kernel cmdline)',
    );
    const quiet = [...consoleLines(b1), ...consoleLines(b2)];
    overlayroot.misconfiguration = `fails open (typo, missing device): plain persistent rw root; [failure] in overlayroot.log, ${quiet.length ? 'a console line' : 'nothing on the console under quiet'}`;
    console.log(
      [
        'overlayroot misconfigured: fails OPEN, / is the plain ext4 root, read-write, and persistent:',
        `  overlayroot=tmpfz:    mount / ${b1.value('mount /')}; boot 2 finds boot 1's markers in ${persistedFrom(b1, b2).join(', ')}`,
        `  overlayroot=/dev/vdz: mount / ${b2.value('mount /')}; boot 3 finds boot 2's markers in ${persistedFrom(b2, b3).join(', ')}`,
        `  console (quiet, as vm.ts boots): ${quiet.length ? '' : 'no overlayroot line at all'}`,
        ...quiet.map((l) => `    ${l}`),
        '  console (initramfs-tools verbose, boot 3, overlayroot=tmpfz):',
        ...consoleLines(b3).map((l) => `    ${l}`),
        ...logOf(b1).map((l) => `  overlayroot.log, tmpfz: ${l}`),
        ...logOf(b2).map((l) => `  overlayroot.log, /dev/vdz: ${l}`),
        `  failed units: ${[b1, b2, b3].map((b) => b.value('failed-units') || 'none').join(' / ')}`,
      ].join('\n'),
    );
  });

  it('boot cost: ours and overlayroot=tmpfs, both initramfs-tools, and ours without an initramfs, everything transient, alternating boots on fresh disks (printed), and the initramfs sizes', () => {
    const everythingTransient = '[root]\ntransient=true\n[etc]\ntransient=true\n[var]\ntransient=true\n';
    const image = withConf('cost-ours', everythingTransient);
    const everything = everythingTransient;
    const seconds = { ours: [] as number[], overlayroot: [] as number[], noInitramfs: [] as number[] };
    for (let i = 1; i <= 3; i++) {
      const o = bootPlain(
        guest,
        guest.overlayrootInitrd,
        `cost-overlayroot-${i}`,
        'overlayroot=tmpfs vmtest.step=check',
      );
      const u = bootPlain(guest, image, `cost-ours-${i}`, 'vmtest.step=check');
      for (const b of [o, u]) {
        expectBooted(b);
        expect(b.value('mount /')).toMatch(/^overlay /);
      }
      // The same config in the root itself, no initramfs at all.
      const n = bootNoInitramfs(
        guest,
        `cost-no-initramfs-${i}`,
        rawPlainDisk(guest, `cost-no-initramfs-${i}`, everything),
        'vmtest.step=check',
      );
      expectBooted(n);
      expect(n.value('mount /')).toMatch(/^overlay /);
      seconds.overlayroot.push(toSwitchRoot(o));
      seconds.ours.push(toSwitchRoot(u));
      seconds.noInitramfs.push(toSwitchRoot(n));
    }
    console.log(
      formatBootCost([
        { name: 'prepare-root (initramfs-tools)', seconds: seconds.ours, initrd: image },
        { name: 'overlayroot=tmpfs', seconds: seconds.overlayroot, initrd: guest.overlayrootInitrd },
        { name: 'prepare-root as the kernel’s init', seconds: seconds.noInitramfs, initrd: null },
      ]),
    );
  });
});

/** A boot without an initramfs that got to the report: no initramfs at all, no kernel panic. */
function expectBootedNoInitramfs(b: Boot): void {
  expectBooted(b);
  expect(b.value('initrd-usec')).toBe('0');
  expect(b.serial).not.toContain('Kernel panic');
}

const LOADED = 'prepare-root: kernel modules loaded from the root: overlay';

describe('no initramfs: prepare-root as the kernel’s init', () => {
  it('rd.prepare-root=transient: overlay loaded from the root, / an overlay; boot 1’s /usr write gone in boot 2 (transient-ro: / read-only), /etc and /var kept', () => {
    const d = rawPlainDisk(guest, 'init-transient');
    const first = bootNoInitramfs(guest, 'init-transient-1', d, 'rd.prepare-root=transient vmtest.step=write');
    expectBootedNoInitramfs(first);
    expect(first.serial).toContain(LOADED);
    expect(first.serial).toContain('Run /usr/lib/prepare-root/prepare-root as init process');
    expect(first.value('mount /')).toMatch(/^overlay +rw,.*lowerdir=\/run\/prepare-root\/physical-root,/);
    expect(first.value('mount /etc')).toMatch(/^ext4 +rw,/);
    expect(statusOf(first)).toMatchObject({ result: 'prepared', mode: 'plain-transient' });
    for (const m of MARKERS) expect(first.report).toContain(`wrote ${m}`);
    const second = bootNoInitramfs(guest, 'init-transient-2', d, 'rd.prepare-root=transient-ro vmtest.step=check');
    expectBootedNoInitramfs(second);
    expect(statusOf(second)).toMatchObject({ result: 'prepared', mode: 'plain-transient-ro' });
    // Read-only through the whole boot: systemd-remount-fs does not make it writable.
    expect(second.value('mount /')).toMatch(/^overlay +ro,/);
    expect(second.value('mount /etc')).toMatch(/^ext4 +rw,/);
    expect(persistedFrom(first, second)).toEqual(['/etc', '/var/lib']);
    expect(second.value('marker /usr/lib/vmtest-marker')).not.toBe(writtenIn(first));
  });

  it('the root’s own config: transient /, transient /etc, [persist] paths=/etc/ssh: only /var and /etc/ssh keep boot 1’s writes', () => {
    const d = rawPlainDisk(
      guest,
      'init-persist',
      '[root]\ntransient=true\n[etc]\ntransient=true\n[persist]\npaths=/etc/ssh\n',
    );
    const first = bootNoInitramfs(guest, 'init-persist-1', d, 'vmtest.step=write');
    expectBootedNoInitramfs(first);
    expect(statusOf(first)).toMatchObject({ result: 'prepared', mode: 'plain-transient' });
    expect(first.value('mount /etc/ssh')).toMatch(/^ext4 +rw,/);
    const second = bootNoInitramfs(guest, 'init-persist-2', d, 'vmtest.step=check');
    expectBootedNoInitramfs(second);
    expect(persistedFrom(first, second)).toEqual(['/var/lib']);
    expect(second.value('marker /etc/ssh/vmtest-marker')).toBe(writtenIn(first));
  });

  it('root.upper-device=LABEL= on a virtio disk: its driver loaded for it (rd.modules-load=virtio_blk), the device found by its label with no udev; boot 1’s /usr write kept in boot 2', () => {
    const upper = path.join(PLAIN_RUNS, 'init-upper-device.raw');
    rmSync(upper, { force: true });
    const mk = spawnSync('bash', ['-c', 'truncate -s 256M "$1" && mkfs.ext4 -q -L prep-upper "$1"', 'bash', upper]);
    expect(mk.status, mk.stderr?.toString()).toBe(0);
    const d = rawPlainDisk(guest, 'init-upper', '[root]\ntransient=true\nupper-device=LABEL=prep-upper\n');
    const kargs = 'rd.modules-load=virtio_blk';
    const first = bootNoInitramfs(guest, 'init-upper-1', d, `${kargs} vmtest.step=write`, undefined, upper);
    expectBootedNoInitramfs(first);
    expect(first.serial).toContain(`${LOADED}, virtio_blk`);
    expect(first.value('mount /')).toMatch(/^overlay +rw,.*upperdir=\/run\/prepare-root\/upper-device\/upper,/);
    // Not udev's /dev/disk/by-label link (there is no udev yet): the node its sysfs entry names.
    expect(first.value('upper-device-source')).toBe('/dev/vdb');
    expect(statusOf(first)).toMatchObject({ result: 'prepared', mode: 'plain-overlay' });
    const second = bootNoInitramfs(guest, 'init-upper-2', d, `${kargs} vmtest.step=check`, undefined, upper);
    expectBootedNoInitramfs(second);
    expect(persistedFrom(first, second)).toEqual(['/usr/lib', '/etc', '/var/lib']);
  });

  it('a broken config: our line on the console, a shell from the physical root, no kernel panic; rd.prepare-root=off boots the untouched root', () => {
    const d = rawPlainDisk(guest, 'init-broken', '[root]\ntransiet=true\n');
    // In the shell (the physical root, chrooted): say where we are, then power off through sysrq.
    const input = {
      wait: 'starting an emergency shell',
      send: 'mount -t proc proc /proc; echo "SHELL-IN $(cat /etc/hostname)"; echo o > /proc/sysrq-trigger',
    };
    const failed = bootNoInitramfs(guest, 'init-broken-1', d, '', input);
    expect(failed.report).toEqual([]);
    expect(failed.serial).toContain(
      `prepare-root: /${CONF}:2: unknown key root.transiet (did you mean root.transient?): a plain root boots only a config it fully understands`,
    );
    expect(failed.serial).toContain('starting an emergency shell (/bin/sh in the physical root)');
    expect(failed.serial).toMatch(/^SHELL-IN vmtest\r?$/m);
    expect(failed.serial).not.toContain('Kernel panic');
    const off = bootNoInitramfs(guest, 'init-broken-off', d, 'rd.prepare-root=off vmtest.step=check');
    expectBootedNoInitramfs(off);
    expect(off.value('mount /')).toMatch(/^ext4 +/);
    expect(statusOf(off)).toMatchObject({ result: 'untouched' });
    expect(off.serial).not.toContain(LOADED); // nothing to mount: nothing loaded
    expect(off.serial).toContain(
      'prepare-root: plain root /sysroot left as it is: rd.prepare-root=off on the kernel command line (the config was not read)',
    );
  });
});
