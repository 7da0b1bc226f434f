// VM boot tests: a real Debian 12
// guest with systemd and ostree, deployed by `ostree admin deploy` (guest-disk.sh), booted by
// qemu on Debian's 6.12 kernel with initramfs images that Debian's dracut builds with our module
// (or ostree's own). Every assertion reads what the guest reported about itself from its result
// disk, or, when a boot must fail, the console. Logs stay in .cache/vm/runs/<scenario>/.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Boot,
  boot,
  buildGuest,
  buildInitramfs,
  expectEmergency,
  type Guest,
  median,
  rawDiskWith,
  scenarioDisk,
  sizeMiB,
  withFiles,
} from './vm.js';

const RUNS = path.resolve(import.meta.dirname, '../../.cache/vm/runs');
const CONF = 'etc/ostree/prepare-root.conf';
const KEY = 'etc/ostree/initramfs-root-binding.key';

let guest: Guest;
const initrd = {} as Record<'ours' | 'oursShell' | 'oursSigned' | 'ostree', string>;

beforeAll(() => {
  rmSync(RUNS, { recursive: true, force: true });
  mkdirSync(RUNS, { recursive: true });
  guest = buildGuest();
  initrd.ours = buildInitramfs('prepare-root', 'systemd', path.join(RUNS, 'prepare-root-systemd.img'));
  initrd.oursShell = buildInitramfs('prepare-root', 'shell', path.join(RUNS, 'prepare-root-shell.img'));
  initrd.ostree = buildInitramfs('ostree', 'systemd', path.join(RUNS, 'ostree-systemd.img'));
  // The build root's /etc/ostree holds the config and the key: the module must carry both over.
  // Its vendor file names another key file (the wrong key), but the /etc file, which replaces it
  // wholesale at boot, names none: the boot reads the default key file, so that one must be in.
  const etc = path.join(RUNS, 'signed-etc-ostree');
  const vendor = path.join(RUNS, 'signed-usr-prepare-root.conf');
  writeFileSync(vendor, '[composefs]\nenabled=signed\nkeypath=/etc/ostree/vendor.key\n');
  initrd.oursSigned = buildInitramfs(
    'prepare-root',
    'systemd',
    path.join(RUNS, 'prepare-root-signed.img'),
    writeDir(etc, {
      'prepare-root.conf': '[composefs]\nenabled=signed\n',
      'initramfs-root-binding.key': readText(guest.publicKey),
      'vendor.key': readText(guest.wrongPublicKey),
    }),
    vendor,
  );
}, 30 * 60_000);

/** Boot scenario NAME once on its own copy-on-write disk (several boots: pass the same disk). */
function bootScenario(
  name: string,
  image: string,
  kargs: string,
  disk = scenarioDisk(guest, path.join(RUNS, `${name}.qcow2`)),
): Boot & { disk: string } {
  return { ...boot(guest, image, disk, path.join(RUNS, name), kargs), disk };
}

/** Boot without an initramfs: the disk on NVMe, the deployment's own binary as init (through ostree=). */
function bootNoInitramfs(name: string, disk: string): Boot {
  const ostree = /ostree=(\S+)/.exec(guest.kargsGood)![1]!;
  const kargs = `root=/dev/nvme0n1 rootfstype=ext4 rootwait rw ostree=${ostree} init=${ostree}/usr/lib/prepare-root/prepare-root vmtest.step=check`;
  return boot(guest, '', disk, path.join(RUNS, name), kargs, undefined, undefined, true);
}

function statusOf(b: Boot): Record<string, unknown> {
  const json = b.value('prepare-root-status');
  if (json === undefined) throw new Error('the guest reported no prepare-root status');
  return JSON.parse(json) as Record<string, unknown>;
}

function expectBooted(b: Boot): void {
  expect(b.report, `no report from the guest; console tail:\n${b.serial.slice(-3000)}`).not.toEqual([]);
  expect(b.value('ostree-booted')).toBe('present');
}

describe('VM boot', () => {
  it('default config: boots to systemd, /run/ostree-booted, ostree admin status shows the booted deployment, ostree-ordered units run after us', () => {
    // An initrd unit ordered only on ostree-prepare-root.service (our alias) records whether
    // /run/ostree-booted already existed when it ran.
    const image = withFiles(initrd.ours, path.join(RUNS, 'default.img'), {
      'etc/systemd/system/vmtest-order.service': ORDER_UNIT,
      'etc/systemd/system/initrd-root-fs.target.wants/vmtest-order.service': { link: '../vmtest-order.service' },
    });
    const b = bootScenario('default', image, `${guest.kargsGood} vmtest.step=check`);
    expectBooted(b);
    const serial = path.basename(guest.deployGood);
    expect(
      b.values('ostree-status').some((l) => l.startsWith(`* probeos ${serial}`)),
      b.values('ostree-status').join('\n'),
    ).toBe(true);
    expect(b.value('mount /')).toMatch(/^ext4 /);
    expect(b.value('mount /usr')).toMatch(/^ext4 +ro,/);
    expect(b.value('mount /sysroot')).toMatch(/^ext4 +rw,/);
    expect(b.value('initrd-order')).toBe('after prepare-root');
    const status = statusOf(b);
    expect(status).toMatchObject({
      preparedBy: 'prepare-root',
      mode: 'legacy',
      deployment: guest.deployGood,
      sysrootReadonly: false,
    });
  });

  it('root.transient with sysroot.readonly: /usr writes are gone after a reboot, /etc and /var writes kept', () => {
    const image = withFiles(initrd.ours, path.join(RUNS, 'transient.img'), {
      [CONF]: '[root]\ntransient=true\n[sysroot]\nreadonly=true\n',
    });
    const first = bootScenario('transient-1', image, `${guest.kargsGood} vmtest.step=write`);
    expectBooted(first);
    expect(first.value('mount /')).toMatch(/^overlay /);
    expect(first.value('mount /sysroot')).toMatch(/^ext4 +ro,/);
    for (const f of ['/usr/lib', '/etc', '/var/lib']) expect(first.report).toContain(`wrote ${f}/vmtest-marker`);
    const written = `written in boot ${first.value('boot-id')}`;
    const second = bootScenario('transient-2', image, `${guest.kargsGood} vmtest.step=check`, first.disk);
    expectBooted(second);
    expect(second.value('boot-id')).not.toBe(first.value('boot-id'));
    expect(second.value('marker /usr/lib/vmtest-marker')).toBe('missing');
    expect(second.value('marker /etc/vmtest-marker')).toBe(written);
    expect(second.value('marker /var/lib/vmtest-marker')).toBe(written);
    expect(statusOf(second)).toMatchObject({ mode: 'transient', sysrootReadonly: true });
  });

  it('persisted paths inside a transient root and /etc: kept across a real reboot, other writes gone', () => {
    const image = withFiles(initrd.ours, path.join(RUNS, 'persist.img'), {
      [CONF]: '[root]\ntransient=true\n[etc]\ntransient=true\n[persist]\npaths=/etc/ssh;/usr/local/data\n',
    });
    const first = bootScenario('persist-1', image, `${guest.kargsGood} vmtest.step=write`);
    expectBooted(first);
    for (const f of ['/usr/lib', '/etc', '/etc/ssh', '/usr/local/data'])
      expect(first.report).toContain(`wrote ${f}/vmtest-marker`);
    const written = `written in boot ${first.value('boot-id')}`;
    const second = bootScenario('persist-2', image, `${guest.kargsGood} vmtest.step=check`, first.disk);
    expectBooted(second);
    expect(second.value('marker /etc/ssh/vmtest-marker')).toBe(written);
    expect(second.value('marker /usr/local/data/vmtest-marker')).toBe(written);
    expect(second.value('marker /etc/vmtest-marker')).toBe('missing');
    expect(second.value('marker /usr/lib/vmtest-marker')).toBe('missing');
    expect(second.value('mount /etc/ssh')).toMatch(/^ext4 /);
    const persisted = (statusOf(second).persisted as { path: string }[]).map((p) => p.path);
    expect(persisted).toEqual(['/etc/ssh', '/usr/local/data']);
  });

  it('composefs verity: / is the image over the fs-verity objects, every file checked', () => {
    const image = withFiles(initrd.ours, path.join(RUNS, 'verity.img'), { [CONF]: '[composefs]\nenabled=verity\n' });
    const b = bootScenario('verity', image, `${guest.kargsGood} vmtest.step=check`);
    expectBooted(b);
    expect(b.value('mount /')).toMatch(/^overlay .*verity=require/);
    expect(statusOf(b)).toMatchObject({
      mode: 'composefs',
      integrity: { composefs: true, verity: true, signedWith: null },
    });
  });

  it('composefs signed: boots with the key the effective config names (/etc replaces a vendor file naming another)', () => {
    const b = bootScenario('signed', initrd.oursSigned, `${guest.kargsGood} vmtest.step=check`);
    expectBooted(b);
    expect(b.value('mount /')).toMatch(/^overlay .*verity=require/);
    expect(statusOf(b)).toMatchObject({
      mode: 'composefs',
      integrity: { composefs: true, verity: true, signedWith: '/etc/ostree/initramfs-root-binding.key' },
    });
  });

  it('composefs signed, tampered image: emergency target, our message on the console', () => {
    const b = bootScenario('signed-tampered', initrd.oursSigned, `${guest.kargsTampered} vmtest.step=check`);
    expectEmergency(b, 'prepare-root: composefs image /sysroot/ostree/deploy/probeos/deploy/');
    expect(b.serial).toMatch(/\.ostree\.cfs: fs-verity digest [0-9a-f]{64} is not the [0-9a-f]{64} signed in commit/);
  });

  it('composefs signed, wrong key: emergency target, our message on the console', () => {
    const image = withFiles(initrd.oursSigned, path.join(RUNS, 'wrong-key.img'), {
      [KEY]: readText(guest.wrongPublicKey),
    });
    const b = bootScenario('signed-wrong-key', image, `${guest.kargsGood} vmtest.step=check`);
    expectEmergency(b, `prepare-root: commit ${guest.commit}: none of its 1 signature verifies with the 1 trusted key`);
  });

  it('pivot mode: dracut without systemd hands over to the deployment itself', () => {
    const b = bootScenario('pivot', initrd.oursShell, `${guest.kargsGood} vmtest.step=check`);
    expectBooted(b);
    expect(b.value('initrd-usec')).toBe('0'); // no systemd in the initramfs
    expect(b.value('mount /usr')).toMatch(/^ext4 +ro,/);
    expect(statusOf(b)).toMatchObject({ preparedBy: 'prepare-root', mode: 'legacy', deployment: guest.deployGood });
  });

  it('no initramfs, legacy: the deployment’s prepare-root as the kernel’s init (NVMe root, ostree= as ever) boots it, with /run/ostree-booted', () => {
    const b = bootNoInitramfs('init-legacy', scenarioDisk(guest, path.join(RUNS, 'init-legacy.qcow2')));
    expectBooted(b);
    expect(b.value('initrd-usec')).toBe('0');
    expect(b.serial).not.toContain('Kernel panic');
    expect(b.value('ostree-status')).toContain('* probeos');
    expect(statusOf(b)).toMatchObject({ result: 'prepared', mode: 'legacy' });
  });

  it('no initramfs, composefs verity from the deployment’s own config: erofs loaded from the deployment, / the image with verity=require', () => {
    const disk = rawDiskWith(
      guest,
      path.join(RUNS, 'init-verity.raw'),
      `${guest.deployGood}/${CONF}`,
      '[composefs]\nenabled=verity\n',
    );
    const b = bootNoInitramfs('init-verity', disk);
    expectBooted(b);
    expect(b.serial).toMatch(/prepare-root: kernel modules loaded from the root: overlay, erofs/);
    expect(b.value('mount /')).toMatch(/^overlay .*verity=require/);
    expect(statusOf(b)).toMatchObject({
      result: 'prepared',
      mode: 'composefs',
      integrity: { composefs: true, verity: true, signedWith: null },
    });
  });

  it('broken config: emergency target, the message names the file and line', () => {
    const image = withFiles(initrd.ours, path.join(RUNS, 'broken.img'), {
      [CONF]: '[root]\ntransient=true\ngarbage\n',
    });
    const b = bootScenario('broken-config', image, `${guest.kargsGood} vmtest.step=check`);
    expectEmergency(
      b,
      'prepare-root: /etc/ostree/prepare-root.conf:3: Key file contains line “garbage” which is not a key-value pair, group, or comment',
    );
  });

  it("ostree's own dracut module boots the same guest", () => {
    const b = bootScenario('ostree-module', initrd.ostree, `${guest.kargsGood} vmtest.step=check`);
    expectBooted(b);
    expect(statusOf(b)).toMatchObject({ preparedBy: 'ostree-prepare-root' });
  });

  it("SELinux (permissive), composefs + root.transient + etc.transient: / and /etc carry the image's labels, new files the policy's, copied-up files theirs, no denial on the transient tmpfs", () => {
    const image = withFiles(initrd.ours, path.join(RUNS, 'selinux.img'), { [CONF]: SELINUX_CONF });
    const b = bootScenario('selinux', image, `${guest.kargsGood} ${SELINUX_KARGS} vmtest.step=selinux`);
    expectBooted(b);
    expect(b.value('selinux')).toBe('Permissive');
    expect(b.value('mount /')).toMatch(/^overlay /);
    for (const p of ['/', '/etc', '/usr']) {
      expect(b.value(`label ${p}`), p).toBe(b.value(`fcontext ${p}`));
      expect(b.value(`label ${p}`), p).not.toMatch(/:tmpfs_t:/);
    }
    for (const f of ['/vmtest-new-file', '/etc/vmtest-new-file']) {
      expect(b.value(`label ${f}`), f).toBe(b.value(`policy ${f}`));
      expect(b.value(`label ${f}`), f).not.toMatch(/:tmpfs_t:/);
    }
    for (const f of ['/usr/lib/os-release', '/etc/hostname']) {
      expect(b.value(`label ${f}`), f).toBe(b.value(`image-label ${f}`));
      expect(b.value(`label ${f}`), f).not.toMatch(/:tmpfs_t:/);
    }
    expect(onTransientTmpfs(b)).toEqual([]);
    // What systemd's switch-root copied up after the record (var, for /mnt -> var/mnt) too.
    expect(b.values('upper-entry').filter((l) => l.includes(':tmpfs_t:'))).toEqual([]);
    expect(statusOf(b)).toMatchObject({ selinux: { policyLoaded: true, enforcing: false }, warnings: [] });
    console.log(
      `SELinux, ours: / ${b.value('label /')}, /etc ${b.value('label /etc')}, ${b.values('avc').length} AVC denials this boot`,
    );
  });

  it("SELinux: ostree 2026.4's own module, same guest and config, leaves / labelled as its tmpfs", () => {
    const image = withFiles(initrd.ostree, path.join(RUNS, 'selinux-ostree.img'), { [CONF]: SELINUX_CONF });
    const b = bootScenario('selinux-ostree', image, `${guest.kargsGood} ${SELINUX_KARGS} vmtest.step=selinux`);
    expectBooted(b);
    expect(b.value('label /')).toMatch(/:tmpfs_t:/);
    expect(b.value('label /')).not.toBe(b.value('fcontext /'));
    const onTmpfs = onTransientTmpfs(b);
    console.log(
      `SELinux, ostree 2026.4: / ${b.value('label /')} (policy: ${b.value('fcontext /')}), /etc ${b.value('label /etc')}, new file in / ${b.value('label /vmtest-new-file')}, copied-up /usr/lib/os-release ${b.value('label /usr/lib/os-release')} and /etc/hostname ${b.value('label /etc/hostname')}, ${b.values('avc').length} AVC denials, ${onTmpfs.length} of them on the overlays' tmpfs label`,
    );
  });

  it('SELinux enforcing, the same config: journald and the other confined services start, / keeps its label', () => {
    const image = withFiles(initrd.ours, path.join(RUNS, 'selinux-enforcing.img'), { [CONF]: SELINUX_CONF });
    const b = bootScenario(
      'selinux-enforcing',
      image,
      `${guest.kargsGood} security=selinux enforcing=1 vmtest.step=selinux`,
    );
    expectBooted(b);
    expect(b.value('selinux')).toBe('Enforcing');
    expect(b.value('label /')).toBe(b.value('fcontext /'));
    expect(b.value('journald')).toBe('active');
    expect(onTransientTmpfs(b)).toEqual([]);
    console.log(`SELinux enforcing, ours: failed units: ${b.value('failed-units') || 'none'}`);
  });

  it('boot cost: ours and ostree 2026.4 module, default config and composefs + root.transient, alternating boots on fresh disks', () => {
    for (const { name, conf } of COST_CONFIGS) {
      const images = {
        ours:
          conf === null
            ? initrd.ours
            : withFiles(initrd.ours, path.join(RUNS, `cost-${name}-ours.img`), { [CONF]: conf }),
        ostree:
          conf === null
            ? initrd.ostree
            : withFiles(initrd.ostree, path.join(RUNS, `cost-${name}-ostree.img`), { [CONF]: conf }),
      };
      const costs: Record<'ours' | 'ostree', BootCost[]> = { ours: [], ostree: [] };
      for (let i = 1; i <= COST_BOOTS; i++) {
        for (const impl of ['ours', 'ostree'] as const) {
          const b = bootScenario(`cost-${name}-${impl}-${i}`, images[impl], `${guest.kargsGood} vmtest.step=check`);
          expectBooted(b);
          costs[impl].push(bootCost(b));
        }
      }
      printBootCost(name, costs);
    }
  });
});

/**
 * AVC denials of the transient overlays' tmpfs label: on / and /etc (dev="overlay") or on the
 * transient tmpfs itself (/run/ostree/.private/root).
 */
function onTransientTmpfs(b: Boot): string[] {
  return b
    .values('avc')
    .filter((l) => l.includes(':tmpfs_t:') && (l.includes('dev="overlay"') || l.includes('/run/ostree/.private')));
}

/** SELinux on (the Debian kernel's default LSM is AppArmor), permissive. */
const SELINUX_KARGS = 'security=selinux enforcing=0';
/** What ostree-prepare-root supports of a transient root: over composefs. */
const SELINUX_CONF = '[composefs]\nenabled=yes\n[root]\ntransient=true\n[etc]\ntransient=true\n';

/** Boots per implementation for the boot-cost comparison (TCG timings vary by ~10% boot to boot). */
const COST_BOOTS = 3;

/** The configurations the boot cost is measured with, the same for both modules (null: none). */
const COST_CONFIGS = [
  { name: 'default', conf: null },
  { name: 'composefs-transient', conf: '[composefs]\nenabled=yes\n[root]\ntransient=true\n' },
] as const;

interface BootCost {
  /** Kernel start to the real root's systemd starting, seconds. */
  readonly toSwitchRoot: number;
  /** The prepare unit's start to finish, seconds. */
  readonly prepareUnit: number;
}

/** Both from the guest's own clock: systemd's userspace timestamp and the journal's unit lines. */
function bootCost(b: Boot): BootCost {
  const toSwitch = b.value('userspace-usec');
  const unit = b
    .values('journal')
    .map((l) => /^\[\s*([\d.]+)\].*(Starting|Finished) (?:ostree-)?prepare-root\.service/.exec(l))
    .filter((m) => m !== null);
  const start = unit.find((m) => m[2] === 'Starting')?.[1],
    end = unit.find((m) => m[2] === 'Finished')?.[1];
  if (toSwitch === undefined || start === undefined || end === undefined)
    throw new Error(`no boot timings in the report:\n${b.report.join('\n')}`);
  return { toSwitchRoot: Number(toSwitch) / 1e6, prepareUnit: Number(end) - Number(start) };
}

/** A benchmark: printed (medians and ratios), not asserted. */
function printBootCost(name: string, costs: Record<'ours' | 'ostree', BootCost[]>): void {
  const m = (impl: 'ours' | 'ostree', key: keyof BootCost) => median(costs[impl].map((c) => c[key]));
  const mib = (impl: 'ours' | 'ostree') => Number(sizeMiB(initrd[impl]));
  const line = (what: string, ours: number, ostree: number, unit: string) =>
    `  ${what.padEnd(34)} ours ${ours.toFixed(2).padStart(6)} ${unit}   ostree ${ostree.toFixed(2).padStart(6)} ${unit}   ratio ${(ours / ostree).toFixed(2)}x`;
  console.log(
    [
      `boot cost, ${name} config (TCG, same guest, same kernel, same run; medians of ${COST_BOOTS} boots each):`,
      line('kernel start → switch-root', m('ours', 'toSwitchRoot'), m('ostree', 'toSwitchRoot'), 's'),
      line('prepare unit (start → finished)', m('ours', 'prepareUnit'), m('ostree', 'prepareUnit'), 's'),
      `  ${'initramfs (zstd -3)'.padEnd(34)} ours ${mib('ours').toFixed(1).padStart(6)} MiB ostree ${mib('ostree').toFixed(1).padStart(6)} MiB growth ${(mib('ours') - mib('ostree')).toFixed(2)} MiB`,
    ].join('\n'),
  );
}

const ORDER_UNIT = `[Unit]
Description=VM test: a unit ordered on ostree-prepare-root.service
DefaultDependencies=no
After=ostree-prepare-root.service
Before=initrd-root-fs.target

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'if [ -e /run/ostree-booted ]; then echo "after prepare-root" > /run/vmtest-order; else echo "before prepare-root" > /run/vmtest-order; fi'
`;

function writeDir(dir: string, files: Record<string, string>): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

function readText(file: string): string {
  return readFileSync(file, 'utf8');
}
