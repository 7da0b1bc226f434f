// The facts about a plain root (no ostree= on the kernel command line), read before anything is
// mounted: the physical root is the image, and our state lives in its own /var.
import { CONFIG_MAX } from '../base/limits.js';
import { PLAIN_STATE_DIR } from '../base/paths.js';
import { utf8Decode } from '../base/text.js';
import { tryLstat } from '../fs/files.js';
import { swapFiles } from '../formats/fstab.js';
import { under } from '../base/posix-path.js';
import type { PlainConfig } from '../config/config.js';
import type { DevNumber, System } from '../platform/system.js';
import type { OverlayFact, PersistFact } from './facts.js';
import { backingDevice, probeOverlay, probePersist } from './probe.js';
import { locateInside, locateKind } from './resolve-inside.js';
import { selinuxActive } from './selinux.js';

/** /etc or /var of the physical root: where it lands once symlinks are followed inside the root, and what is there. */
export interface TopDirFact {
  readonly inRoot: string;
  readonly kind: 'dir' | 'file' | 'absent' | 'other';
}

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
  /** Swap files of its /etc/fstab (paths as written, where they land, what is there). */
  readonly swapFiles: ReadonlyArray<{ readonly path: string } & TopDirFact>;
  /** root.upper-device: the spec, the device node it names, and whether that is a block device now. */
  readonly upperDevice: { readonly spec: string; readonly path: string; readonly present: boolean } | null;
  readonly persist: readonly PersistFact[];
  readonly overlays: readonly OverlayFact[];
  readonly selinux: boolean;
  /** /usr is a mount of its own under it (from its fstab, mounted by the initramfs before us). */
  readonly separateUsr: boolean;
}

/** The swap files its /etc/fstab lists; a missing or non-regular fstab (a FIFO would block) lists none. */
function probeSwapFiles(sys: System, root: string): PlainFacts['swapFiles'] {
  const fstab = locateKind(sys, root, '/etc/fstab');
  if (fstab.kind !== 'file') return [];
  return swapFiles(utf8Decode(sys.readFile(under(root, fstab.inRoot), CONFIG_MAX))).map((path) => ({
    path,
    ...locateKind(sys, root, path),
  }));
}

const BY_TAG: Record<string, string> = {
  LABEL: 'by-label',
  UUID: 'by-uuid',
  PARTUUID: 'by-partuuid',
  PARTLABEL: 'by-partlabel',
};

/** The device node a spec names: LABEL=x is udev's /dev/disk/by-label/x, and so on. */
export function devicePath(spec: string): string {
  const m = /^([A-Z]+)=(.*)$/.exec(spec);
  return m === null ? spec : `/dev/disk/${BY_TAG[m[1]!]}/${m[2]}`;
}

function probeDevice(sys: System, spec: string): NonNullable<PlainFacts['upperDevice']> {
  const path = devicePath(spec);
  let present = false;
  try {
    present = sys.stat(path).kind === 'block';
  } catch {
    present = false;
  }
  return { spec, path, present };
}

export function probePlainFacts(sys: System, sysroot: string, config: PlainConfig): PlainFacts {
  const stateDir = locateInside(sys, sysroot, PLAIN_STATE_DIR).path;
  const state = under(sysroot, stateDir);
  return {
    sysroot,
    readonly: sys.statfs(sysroot).readonly,
    device: backingDevice(sys, sysroot),
    etc: locateKind(sys, sysroot, '/etc'),
    var: locateKind(sys, sysroot, '/var'),
    swapFiles: probeSwapFiles(sys, sysroot),
    upperDevice: config.upperDevice === null ? null : probeDevice(sys, config.upperDevice.spec),
    stateDir,
    persist: config.persistPaths.map((p) => probePersist(sys, sysroot, state, p)),
    overlays: config.overlays.map((o) => probeOverlay(sys, sysroot, state, o, config.overlays)),
    selinux: selinuxActive(sys),
    separateUsr: tryLstat(sys, under(sysroot, '/usr'))?.mountRoot === true,
  };
}
