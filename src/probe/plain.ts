// The facts about a plain root (no ostree= on the kernel command line), read before anything is
// mounted: the physical root is the image, and our state lives in its own /var.
import { PrepareRootError } from '../base/errors.js';
import { CONFIG_MAX } from '../base/limits.js';
import { PLAIN_STATE_DIR } from '../base/paths.js';
import { utf8Decode } from '../base/text.js';
import { tryLstat } from '../fs/files.js';
import { swapFiles } from '../formats/fstab.js';
import { under } from '../base/posix-path.js';
import type { PlainConfig } from '../config/config.js';
import type { DevNumber, System } from '../platform/system.js';
import type { OverlayFact, PersistFact } from './facts.js';
import { type DeviceTag, findTaggedDevices } from './block-devices.js';
import { backingDevice, probeOverlay, probePersist } from './probe.js';
import { locateInside, locateKind } from './resolve-inside.js';
import { selinuxActive } from './selinux.js';

/** /etc or /var of the physical root: where it lands once symlinks are followed inside the root, and what is there. */
export interface TopDirFact {
  readonly inRoot: string;
  readonly kind: 'dir' | 'file' | 'absent' | 'other';
}

/** root.upper-device: the block device node the spec names, or why none does (yet). */
export type UpperDeviceFact =
  | { readonly spec: string; readonly present: true; readonly path: string }
  | { readonly spec: string; readonly present: false; readonly missing: string };

export interface PlainFacts {
  /** realpath(SYSROOT): the physical root, mounted. */
  readonly sysroot: string;
  /** It is mounted read-only now (the kernel's `ro`): persistent /etc and /var could not be written. */
  readonly readonly: boolean;
  /** Its block device (for /run/systemd/volatile-root), null when none. */
  readonly device: DevNumber | null;
  readonly etc: TopDirFact;
  readonly var: TopDirFact;
  /** The state dir inside the root (PLAIN_STATE_DIR with symlinks followed inside it). */
  readonly stateDir: string;
  /** Its /etc/fstab (null: none, or not a regular file). */
  readonly fstab: string | null;
  /** Swap files of its /etc/fstab (paths as written, where they land, what is there). */
  readonly swapFiles: ReadonlyArray<{ readonly path: string } & TopDirFact>;
  /** root.upper-device: where it is, or why it is not. */
  readonly upperDevice: UpperDeviceFact | null;
  readonly persist: readonly PersistFact[];
  readonly overlays: readonly OverlayFact[];
  readonly selinux: boolean;
  /** /usr is a mount of its own under it (from its fstab, mounted by the initramfs before us). */
  readonly separateUsr: boolean;
}

/** Its /etc/fstab; a missing or non-regular one (a FIFO would block) is none. */
function readFstab(sys: System, root: string): string | null {
  const fstab = locateKind(sys, root, '/etc/fstab');
  return fstab.kind === 'file' ? utf8Decode(sys.readFile(under(root, fstab.inRoot), CONFIG_MAX)) : null;
}

const BY_TAG: Record<DeviceTag, string> = {
  LABEL: 'by-label',
  UUID: 'by-uuid',
  PARTUUID: 'by-partuuid',
  PARTLABEL: 'by-partlabel',
};

/** LABEL=x, or udev's /dev/disk/by-label/x written out: the tag and the name. */
function tagOf(spec: string): { readonly tag: DeviceTag; readonly value: string } | null {
  const m = /^(LABEL|UUID|PARTUUID|PARTLABEL)=(.+)$/.exec(spec);
  if (m !== null) return { tag: m[1] as DeviceTag, value: m[2]! };
  const link = /^\/dev\/disk\/(by-[a-z]+)\/([^/]+)$/.exec(spec);
  const tag = (Object.keys(BY_TAG) as DeviceTag[]).find((t) => BY_TAG[t] === link?.[1]);
  return tag === undefined ? null : { tag, value: link![2]! };
}

/** The device node a spec names: LABEL=x is udev's /dev/disk/by-label/x, and so on. */
function devicePath(spec: string): string {
  const tagged = tagOf(spec);
  return tagged === null ? spec : `/dev/disk/${BY_TAG[tagged.tag]}/${tagged.value}`;
}

function isBlockDevice(sys: System, path: string): boolean {
  try {
    return sys.stat(path).kind === 'block';
  } catch {
    return false;
  }
}

/**
 * The device as udev's link (or the /dev path) names it; where that is not there (no udev: no
 * initramfs), found by its name in the superblocks and partition tables of the kernel's devices.
 */
function lookUpDevice(sys: System, spec: string): UpperDeviceFact {
  const path = devicePath(spec);
  if (isBlockDevice(sys, path)) return { spec, present: true, path };
  const tagged = tagOf(spec);
  if (tagged === null) {
    return {
      spec,
      present: false,
      missing: `${path} is not a block device (the device is not attached, or not found yet)`,
    };
  }
  const { matches, unreadable } = findTaggedDevices(sys, tagged.tag, tagged.value);
  if (matches.length > 1) {
    throw new PrepareRootError(
      `root.upper-device ${spec}`,
      `${matches.join(' and ')} all carry that name: which one holds the root's changes cannot be told; give the device a name of its own, or name it by PARTUUID= or its /dev path`,
    );
  }
  if (matches.length === 1) return { spec, present: true, path: matches[0]! };
  const notRead = unreadable.length === 0 ? '' : `; could not read ${unreadable.join(', ')}`;
  return {
    spec,
    present: false,
    missing: `neither ${path} nor any block device the kernel lists in /sys/class/block has that name (the device is not attached, or not found yet${notRead})`,
  };
}

/** The device now, or after waiting up to `waitSeconds` for it to appear (a boot without udev's wait). */
export function probeUpperDevice(sys: System, spec: string, waitSeconds: number): UpperDeviceFact {
  for (let tries = Math.round(waitSeconds * 10); ; tries--) {
    const fact = lookUpDevice(sys, spec);
    if (fact.present || tries <= 0) {
      return fact.present || waitSeconds === 0
        ? fact
        : { ...fact, missing: `${fact.missing}, waited ${waitSeconds} s` };
    }
    sys.sleep(0.1);
  }
}

/**
 * `devices`: how root.upper-device is looked for: `null` not at all (an image, not a boot), else
 * the seconds to wait for it to appear.
 */
export function probePlainFacts(
  sys: System,
  sysroot: string,
  config: PlainConfig,
  devices: { readonly waitSeconds: number } | null,
): PlainFacts {
  const stateDir = locateInside(sys, sysroot, PLAIN_STATE_DIR).path;
  const state = under(sysroot, stateDir);
  const fstab = readFstab(sys, sysroot);
  return {
    sysroot,
    readonly: sys.statfs(sysroot).readonly,
    device: backingDevice(sys, sysroot),
    etc: locateKind(sys, sysroot, '/etc'),
    var: locateKind(sys, sysroot, '/var'),
    fstab,
    swapFiles: swapFiles(fstab ?? '').map((path) => ({ path, ...locateKind(sys, sysroot, path) })),
    upperDevice:
      config.upperDevice === null || devices === null
        ? null
        : probeUpperDevice(sys, config.upperDevice.spec, devices.waitSeconds),
    stateDir,
    persist: config.persistPaths.map((p) => probePersist(sys, sysroot, state, p)),
    overlays: config.overlays.map((o) => probeOverlay(sys, sysroot, state, o, config.overlays)),
    selinux: selinuxActive(sys),
    separateUsr: tryLstat(sys, under(sysroot, '/usr'))?.mountRoot === true,
  };
}
