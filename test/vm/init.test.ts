// prepare-root as the kernel's init, no initramfs at all: the plain Debian 12 guest
// (test/vm/plain-guest-disk.sh, our .deb installed) booted by its kernel directly from NVMe (built
// into Debian's cloud kernel; virtio-blk is a module), init=/usr/lib/prepare-root/prepare-root.
// overlay is a module there (xz, decompressed by the kernel): loading it from the root is part of
// every prepared boot. Configs are written into a raw copy of the disk with debugfs (no mount, no
// loop device); what a scenario writes stays on its disk across its reboots.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MARKERS, PLAIN_RUNS, type PlainGuest, buildPlainGuest, persistedFrom, writtenIn } from './plain-vm.js';
import { type Boot, type ConsoleInput, boot, median } from './vm.js';

const INIT = '/usr/lib/prepare-root/prepare-root';
/** What a plain root booted without an initramfs has: a root= the kernel resolves itself, ro. */
const KARGS = `root=/dev/nvme0n1 rootfstype=ext4 rootwait ro init=${INIT}`;
const CONF = '/etc/prepare-root/prepare-root.conf';
const RUNS = path.join(PLAIN_RUNS, 'init');

let guest: PlainGuest;
beforeAll(() => {
  guest = buildPlainGuest();
  rmSync(RUNS, { recursive: true, force: true });
  mkdirSync(RUNS, { recursive: true });
});

/** A raw copy of the guest's disk with the config CONF (if any) written into it. */
function disk(name: string, conf?: string): string {
  const out = path.join(RUNS, `${name}.raw`);
  execFileSync('cp', ['--sparse=always', guest.disk, out]);
  if (conf !== undefined) {
    const file = `${out}.conf`;
    writeFileSync(file, conf);
    // debugfs goes on past a failed command: `rm` of a file that is not there is fine.
    execFileSync('debugfs', ['-w', '-R', `rm ${CONF}`, out], { stdio: 'ignore' });
    execFileSync('debugfs', ['-w', '-R', `write ${file} ${CONF}`, out], { stdio: 'ignore' });
    const back = execFileSync('debugfs', ['-R', `cat ${CONF}`, out], { encoding: 'utf8', stdio: 'pipe' });
    expect(back).toBe(conf);
  }
  return out;
}

const boots: Boot[] = [];
function bootInit(name: string, diskFile: string, kargs: string, input?: ConsoleInput): Boot {
  const b = boot(guest, '', diskFile, path.join(RUNS, name), `${KARGS} ${kargs}`, undefined, input, true);
  boots.push(b);
  return b;
}

function expectBooted(b: Boot): void {
  expect(b.report, `no report from the guest; console tail:\n${b.serial.slice(-3000)}`).not.toEqual([]);
  expect(b.value('initrd-usec')).toBe('0'); // no initramfs at all
  expect(b.serial).not.toContain('Kernel panic');
}

const status = (b: Boot) => JSON.parse(b.value('prepare-root-status') ?? 'null') as Record<string, unknown>;
const LOADED = 'prepare-root: kernel modules loaded from the root: overlay';

describe('no initramfs: prepare-root as the kernel’s init', () => {
  it('rd.prepare-root=transient: overlay loaded from the root, / an overlay; boot 1’s /usr write gone in boot 2, /etc and /var kept', () => {
    const d = disk('transient');
    const first = bootInit('transient-1', d, 'rd.prepare-root=transient vmtest.step=write');
    expectBooted(first);
    expect(first.serial).toContain(LOADED);
    expect(first.serial).toContain(`Run ${INIT} as init process`);
    expect(first.value('mount /')).toMatch(/^overlay +rw,.*lowerdir=\/run\/prepare-root\/physical-root,/);
    expect(first.value('mount /etc')).toMatch(/^ext4 +rw,/);
    expect(status(first)).toMatchObject({ result: 'prepared', mode: 'plain-transient' });
    for (const m of MARKERS) expect(first.report).toContain(`wrote ${m}`);
    const second = bootInit('transient-2', d, 'rd.prepare-root=transient vmtest.step=check');
    expectBooted(second);
    expect(persistedFrom(first, second)).toEqual(['/etc', '/var/lib']);
    expect(second.value('marker /usr/lib/vmtest-marker')).not.toBe(writtenIn(first));
  });

  it('the root’s own config: transient /, transient /etc, [persist] paths=/etc/ssh: only /var and /etc/ssh keep boot 1’s writes', () => {
    const d = disk('persist', '[root]\ntransient=true\n[etc]\ntransient=true\n[persist]\npaths=/etc/ssh\n');
    const first = bootInit('persist-1', d, 'vmtest.step=write');
    expectBooted(first);
    expect(status(first)).toMatchObject({ result: 'prepared', mode: 'plain-transient' });
    expect(first.value('mount /etc/ssh')).toMatch(/^ext4 +rw,/);
    const second = bootInit('persist-2', d, 'vmtest.step=check');
    expectBooted(second);
    expect(persistedFrom(first, second)).toEqual(['/var/lib']);
    expect(second.value('marker /etc/ssh/vmtest-marker')).toBe(writtenIn(first));
  });

  it('a broken config: our line on the console, a shell from the physical root, no kernel panic; rd.prepare-root=off boots the untouched root', () => {
    const d = disk('broken', '[root]\ntransiet=true\n');
    // In the shell (the physical root, chrooted): say where we are, then power off through sysrq.
    const input = {
      wait: 'starting an emergency shell',
      send: 'mount -t proc proc /proc; echo "SHELL-IN $(cat /etc/hostname)"; echo o > /proc/sysrq-trigger',
    };
    const failed = bootInit('broken-1', d, '', input);
    expect(failed.report).toEqual([]);
    expect(failed.serial).toContain(
      `prepare-root: ${CONF}:2: unknown key root.transiet (did you mean root.transient?): a plain root boots only a config it fully understands`,
    );
    expect(failed.serial).toContain('starting an emergency shell (/bin/sh in the physical root)');
    expect(failed.serial).toMatch(/^SHELL-IN vmtest\r?$/m);
    expect(failed.serial).not.toContain('Kernel panic');
    const off = bootInit('broken-off', d, 'rd.prepare-root=off vmtest.step=check');
    expectBooted(off);
    expect(off.value('mount /')).toMatch(/^ext4 +/);
    expect(status(off)).toMatchObject({ result: 'untouched' });
    expect(off.serial).not.toContain(LOADED); // nothing to mount: nothing loaded
    expect(off.serial).toContain(
      'prepare-root: plain root /sysroot left as it is: rd.prepare-root=off on the kernel command line (the config was not read)',
    );
  });

  it('boot cost: kernel start → the real init, without an initramfs (printed)', () => {
    const seconds = boots
      .filter((b) => b.report.length > 0)
      .map((b) => Number(b.value('userspace-usec')) / 1e6)
      .filter((s) => s > 0);
    expect(seconds.length).toBeGreaterThanOrEqual(5);
    console.log(
      `no initramfs, kernel start → real init (systemd): median ${median(seconds).toFixed(2)} s over ${seconds.length} boots (${seconds.map((s) => s.toFixed(2)).join(', ')}); TCG, compare with plain.test.ts's boot cost`,
    );
  });
});
