// Helpers of the plain-mode VM tests: a plain Debian 12 guest without ostree
// (test/vm/plain-guest-disk.sh: ext4 root, initramfs-tools, our .deb installed, and the
// initramfs images initramfs-tools makes there with overlayroot and with ours), booted with
// vm.ts's qemu boot, and what the comparison with overlayroot reads from the reports: boot cost,
// markers, the behaviour table. The guest also runs test/vm/guest/plain-report.sh, whose lines
// (fstab-sha256, overlayroot-log, ...) arrive in the same report as vmtest.sh's.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Boot, type ConsoleInput, boot, buildWith, median, rawDiskWith, scenarioDisk, sizeMiB } from './vm.js';

const HERE = import.meta.dirname;

/** Where the plain tests keep their boots (not .cache/vm/runs: boot.test.ts clears that). */
export const PLAIN_RUNS = path.resolve(HERE, '../../.cache/vm/plain/runs');

export interface PlainGuest {
  readonly kernel: string;
  /** The ext4 root (label plain-root); boots get copy-on-write disks over it. */
  readonly disk: string;
  /** Debian's initramfs-tools image with overlayroot, made in the guest tree for the same kernel. */
  readonly overlayrootInitrd: string;
  /** initramfs-tools images with our hook and boot script (from the .deb), made in the same tree:
   * without a config, and with one written to /etc/prepare-root/ before update-initramfs -u. */
  readonly ours: { readonly base: string; readonly transient: string; readonly upperDevice: string };
  /** What update-initramfs -u printed for a broken config, and whether it kept the previous image. */
  readonly brokenConfigLog: string;
  readonly brokenConfigKept: boolean;
  /** root= and rw: what a plain Debian boot has; add the scenario's own. */
  readonly kargs: string;
}

export function buildPlainGuest(): PlainGuest {
  const get = buildWith('plain-guest-disk.sh', 'plain/plain.env');
  return {
    kernel: get('KERNEL'),
    disk: get('DISK'),
    overlayrootInitrd: get('OVERLAYROOT_INITRD'),
    ours: { base: get('OURS_BASE'), transient: get('OURS_TRANSIENT'), upperDevice: get('OURS_UPPER_DEVICE') },
    brokenConfigLog: readFileSync(get('BROKEN_CONFIG_LOG'), 'utf8'),
    brokenConfigKept: existsSync(get('BROKEN_CONFIG_KEPT')),
    kargs: get('KARGS'),
  };
}

/** A fresh copy-on-write disk over the plain guest's. */
export function plainDisk(guest: PlainGuest, name: string): string {
  return scenarioDisk(guest, path.join(PLAIN_RUNS, `${name}.qcow2`));
}

/** Boot scenario NAME once (logs in PLAIN_RUNS/NAME/); on its own fresh disk unless DISK is given
 * (pass the disk of an earlier boot for a reboot). KARGS come after guest.kargs; EXTRA is /dev/vdc. */
export function bootPlain(
  guest: PlainGuest,
  initrd: string,
  name: string,
  kargs: string,
  disk = plainDisk(guest, name),
  extra?: string,
  input?: ConsoleInput,
): Boot & { disk: string } {
  return {
    ...boot(guest, initrd, disk, path.join(PLAIN_RUNS, name), `${guest.kargs} ${kargs}`, extra, input),
    disk,
  };
}

/** Our binary as the kernel's init, on a root= the kernel resolves itself (read-only, as Debian boots). */
export const NO_INITRAMFS_KARGS =
  'root=/dev/nvme0n1 rootfstype=ext4 rootwait ro init=/usr/lib/prepare-root/prepare-root';
const PLAIN_CONF = '/etc/prepare-root/prepare-root.conf';

/** A raw copy of the guest's disk for boots without an initramfs, with CONF as the root's own config. */
export function rawPlainDisk(guest: PlainGuest, name: string, conf?: string): string {
  return rawDiskWith(guest, path.join(PLAIN_RUNS, `${name}.raw`), PLAIN_CONF, conf);
}

/** Boot scenario NAME without an initramfs: the guest's kernel straight from DISK on NVMe (built
 * into Debian's cloud kernel; virtio-blk is a module), our binary as its init. EXTRA (raw) is the
 * second virtio disk: /dev/vdb once virtio_blk is loaded (the result disk is /dev/vda). */
export function bootNoInitramfs(
  guest: PlainGuest,
  name: string,
  disk: string,
  kargs: string,
  input?: ConsoleInput,
  extra?: string,
): Boot {
  return boot(guest, '', disk, path.join(PLAIN_RUNS, name), `${NO_INITRAMFS_KARGS} ${kargs}`, extra, input, true);
}

/** vmtest.sh's markers (written by vmtest.step=write, reported by every boot). */
export const MARKERS = ['/usr/lib/vmtest-marker', '/etc/vmtest-marker', '/var/lib/vmtest-marker'] as const;

/** What a marker holds after boot B wrote it. */
export const writtenIn = (b: Boot): string => `written in boot ${b.value('boot-id')}`;

/** The paths (of MARKERS) whose marker still holds what boot WRITER wrote, as boot B sees them. */
export function persistedFrom(writer: Boot, b: Boot): string[] {
  return MARKERS.filter((m) => b.value(`marker ${m}`) === writtenIn(writer)).map((m) => path.dirname(m));
}

/** Whether the booted /etc/fstab differs from the image's (plain-report.sh's two digests). */
export function fstabRewritten(b: Boot): boolean {
  const booted = b.value('fstab-sha256'),
    image = b.value('image-fstab-sha256');
  if (booted === undefined || image === undefined) throw new Error('no fstab digests in the report (plain-report.sh)');
  return booted !== image;
}

/** Kernel start to the real root's systemd starting (systemd's userspace timestamp), seconds;
 * read as boot.test.ts's "boot cost" does. With a systemd initramfs that is switch-root; with
 * initramfs-tools (no systemd inside, both ours and overlayroot's) it is run-init's exec of the
 * real root's systemd. */
export function toSwitchRoot(b: Boot): number {
  const usec = b.value('userspace-usec');
  if (usec === undefined || !/^\d+$/.test(usec))
    throw new Error(`no userspace-usec in the report:\n${b.report.join('\n')}`);
  return Number(usec) / 1e6;
}

/** One implementation's entry in the boot-cost comparison. */
export interface CostEntry {
  readonly name: string;
  /** toSwitchRoot() of each boot. */
  readonly seconds: readonly number[];
  /** null: none at all (the kernel's init). */
  readonly initrd: string | null;
}

/** The boot-cost comparison, printed (a benchmark: not asserted). */
export function formatBootCost(entries: readonly CostEntry[]): string {
  return [
    'plain root, boot cost (TCG, same guest and kernel, same run; medians, kernel start → the real root’s init):',
    ...entries.map(
      (e) =>
        `  ${e.name.padEnd(32)} ${median(e.seconds).toFixed(2).padStart(6)} s (${e.seconds.length} boots: ${e.seconds.map((s) => s.toFixed(2)).join(', ')})   ${e.initrd === null ? 'no initramfs' : `initramfs ${sizeMiB(e.initrd).padStart(5)} MiB (zstd)`}`,
    ),
  ].join('\n');
}

/** One implementation's row of the plain-mode behaviour comparison. */
export interface BehaviourRow {
  readonly name: string;
  /** What a misconfiguration does, as measured ("fails open: ..." / "fails closed: ..."). */
  readonly misconfiguration: string;
  /** What it leaves for the booted system to tell what happened. */
  readonly status: string;
  /** What survives a reboot of a transient root. */
  readonly persisted: string;
  /** Whether the booted /etc/fstab is the image's. */
  readonly fstab: string;
}

export function formatBehaviour(rows: readonly BehaviourRow[]): string {
  const cols: [keyof BehaviourRow, string][] = [
    ['name', 'implementation'],
    ['misconfiguration', 'misconfiguration'],
    ['status', 'status left'],
    ['persisted', 'persisted across reboot'],
    ['fstab', '/etc/fstab'],
  ];
  const widths = cols.map(([k, h]) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    'plain root, behaviour:',
    line(cols.map(([, h]) => h)),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(cols.map(([k]) => r[k]))),
  ].join('\n');
}
