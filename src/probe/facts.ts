// Everything the planner needs to know about the running system, gathered before planning so
// the planner itself stays pure (and `prepare-root plan` can show what it would do).
import type { ComposefsImage } from './composefs-image.js';
import type { OverlayConfig } from '../config/overlay-config.js';
import type { Deployment } from './deployment.js';
import type { VolatileState } from './volatile-state.js';

export interface PersistFact {
  /** As configured. */
  readonly path: string;
  /** Where it lands in the new root once symlinks are followed. */
  readonly inRoot: string;
  /** What the image has there. */
  readonly image: 'dir' | 'file' | 'other' | 'absent';
  /** The store under the stateroot /var exists already (not the first boot with this path). */
  readonly storeExists: boolean;
}

export interface OverlayFact {
  /** The [overlay PATH] group these facts are about. */
  readonly overlay: OverlayConfig;
  /** Mount point and layers as they land in the new root (symlinks followed). */
  readonly inRoot: string;
  readonly pathInImage: boolean;
  readonly lowersInRoot: readonly string[];
  /** Per lower: present in the image (or inside another declared overlay). */
  readonly lowersExist: readonly boolean[];
  /** upper=state: the commit its upper was last used with (null: never, or unknown). */
  readonly stateCommit: string | null;
  /** volatile=true: whether the upper left by the last boot may be reused. */
  readonly volatile: VolatileState | null;
}

export interface Facts {
  /** realpath(SYSROOT). */
  readonly sysroot: string;
  readonly deployment: Deployment;
  /** SYSROOT is on a read-only mount now (only affects the hotfix /usr overlay, as in ostree). */
  readonly sysrootOnReadonlyMount: boolean;
  /** `[sysroot] readonly` from SYSROOT/ostree/repo/config; null when not consulted or absent. */
  readonly legacyRepoReadonly: boolean | null;
  /** `ostree admin unlock --hotfix` left .usr-ovl-work in the deployment. */
  readonly hotfixUsr: boolean;
  /** /run/ostree/initramfs-mount-var exists. */
  readonly mountVarMarker: boolean;
  /** The deployment's composefs image (.ostree.cfs). */
  readonly composefsImage: ComposefsImage;
  /** signed composefs: the commit signature verified and the image digest matched, with this key file. */
  readonly signedWith: string | null;
  /** Block device behind the physical root (for /run/systemd/volatile-root), null when none. */
  readonly sysrootDevice: { readonly major: number; readonly minor: number } | null;
  readonly persist: readonly PersistFact[];
  /** One per declared overlay, in mount order. */
  readonly overlays: readonly OverlayFact[];
  /** SELinux is enabled in this kernel: the uppers standing in for image content get the image's labels. */
  readonly selinux: boolean;
}

/**
 * What is particular to this run rather than to the system: chosen (random, the clock) or read
 * once, and passed in, so that the same facts and context always give the same plan.
 */
export interface BootContext {
  /** Random suffix for /run/ostree/transient-etc.XXXXXX (random so soft reboots don't collide). */
  readonly transientEtcSuffix: string;
  /** Random token of this run; each volatile mount records `<token>-<index>`. */
  readonly bootToken: string;
  /** This boot's id (recorded with volatile mounts). */
  readonly bootId: string;
  /** The time, as used in quarantine directory names. */
  readonly now: string;
  /**
   * An initramfs carries this boot (false: we are the kernel's init, and everything we read came
   * from the root being prepared, so nothing can vouch for it).
   */
  readonly initramfs: boolean;
  /**
   * How long root.upper-device may take to appear (seconds): 0 where the initramfs waited for it
   * (or a dry run), rootdelay= where we are the kernel's init and nothing else waits.
   */
  readonly deviceWaitSeconds: number;
}
