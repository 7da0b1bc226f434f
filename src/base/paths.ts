// Fixed paths shared with ostree and its userspace. Each is a contract: ostree, rpm-ostree and
// bootc look for exactly these names, so they are not configurable.
import { under } from './posix-path.js';

/** Config files, relative to the initramfs root, read in this order (the later replaces the earlier). */
export const CONFIG_PATHS = ['/usr/lib/ostree/prepare-root.conf', '/etc/ostree/prepare-root.conf'] as const;
/** The same for plain roots (no ostree= on the kernel command line): our own names. */
export const PLAIN_CONFIG_PATHS = [
  '/usr/lib/prepare-root/prepare-root.conf',
  '/etc/prepare-root/prepare-root.conf',
] as const;
/** Default ed25519 public key file for `composefs.enabled = signed`. */
export const DEFAULT_KEYPATH = '/etc/ostree/initramfs-root-binding.key';

/** Global ostree state dir on the initramfs /run, carried into the real root by switch-root. */
export const RUN_OSTREE = '/run/ostree';
/** Hidden (mode 0000) internals: transient upper dirs, composefs scratch mounts. */
export const RUN_OSTREE_PRIVATE = '/run/ostree/.private';
/** Temporary mount point of a composefs EROFS image; left empty after setup. */
export const COMPOSEFS_SCRATCH = '/run/ostree/.private/cfsroot-lower';
/** Where the dedicated tmpfs of a transient root lives (upper/ and work/ inside). */
export const TRANSIENT_ROOT_DIR = '/run/ostree/.private/root';
/** Prefix of the random per-boot transient /etc dir (random so soft reboots don't collide). */
export const TRANSIENT_ETC_PREFIX = '/run/ostree/transient-etc.';
/** Marker created by someone else asking prepare-root to bind /var itself. */
export const INITRAMFS_MOUNT_VAR = '/run/ostree/initramfs-mount-var';
/** "Booted via ostree": GVariant a{sv} read by ostree-remount, libostree, rpm-ostree, bootc. */
/** The login notice (shown by pam_motd on Debian, Ubuntu and Fedora) while / or /etc is transient. */
export const LOGIN_NOTICE = '/run/motd.d/prepare-root';
export const RUN_OSTREE_BOOTED = '/run/ostree-booted';

/** Points systemd at the real root block device when / is an overlay (gpt-auto, ostree PR#3608). */
export const VOLATILE_ROOT_LINK = '/run/systemd/volatile-root';
/** A read-only plain root's fstab for systemd-remount-fs (without / in it), and the drop-in that names it. */
export const REMOUNT_FS_FSTAB = '/run/prepare-root/remount-fs.fstab';
export const REMOUNT_FS_DROPIN = '/run/systemd/system/systemd-remount-fs.service.d/prepare-root.conf';

/** Our own state: status.json (facts, plan, steps, warnings) and the run lock. */
export const RUN_PREPARE_ROOT = '/run/prepare-root';
export const STATUS_FILE = '/run/prepare-root/status.json';
export const LOCK_FILE = '/run/prepare-root/lock';
/** What a run has done so far, for a run after it to undo should it be killed (apply/journal.ts). */
export const JOURNAL_FILE = '/run/prepare-root/journal';
/** The SELinux labels of the tmpfs uppers' entries, for `prepare-root relabel` after the policy load. */
export const LABELS_FILE = '/run/prepare-root/labels.json';

/** A plain root's physical root in the booted system, read-only (the initramfs /run moves along). */
export const PHYSICAL_ROOT = '/run/prepare-root/physical-root';
/** Where the dedicated tmpfs of a plain root's transient / lives (upper/ and work/ inside). */
export const PLAIN_TRANSIENT_ROOT_DIR = '/run/prepare-root/root';
/** Where a plain root's root.upper-device is mounted (upper/ and work/ on it). */
export const UPPER_DEVICE_DIR = '/run/prepare-root/upper-device';
/** Our state on a plain root (persisted paths, state overlays), in its own /var. */
export const PLAIN_STATE_DIR = '/var/lib/prepare-root';

/** Assembly point of the new root in the initramfs, moved onto SYSROOT at the end. */
export const STAGING_ROOT = '/sysroot.tmp';

/** Written by `ostree admin unlock --hotfix` inside the deployment. */
export const HOTFIX_USR_UPPER = '.usr-ovl-upper';
export const HOTFIX_USR_WORK = '.usr-ovl-work';

export const DEFAULT_INIT = '/sbin/init';

/** Our state on the physical root of an ostree boot: per stateroot, under its /var (`root` is where the physical root is). */
export function ostreeStateDir(root: string, stateroot: string): string {
  return under(root, `/ostree/deploy/${stateroot}/var/lib/prepare-root`);
}

/** Where persisted paths live, under a state dir. */
export function persistStore(stateDir: string): string {
  return `${stateDir}/persist`;
}

/** A state overlay's dir (upper/, work/, commit), under a state dir. */
export function stateOverlayDir(stateDir: string, overlayPath: string): string {
  return `${stateDir}/overlays/${encodeURIComponent(overlayPath.slice(1))}`;
}

/** A transient overlay's dir (upper/, work/) on the /run tmpfs. */
export function transientOverlayDir(overlayPath: string): string {
  return `${RUN_PREPARE_ROOT}/overlays/${encodeURIComponent(overlayPath.slice(1))}`;
}
