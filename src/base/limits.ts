// How much of each kind of file we read, at most. Everything read at boot may come from the
// writable physical root; a file over its limit is refused rather than read until memory runs
// out. Each limit is far above what a real file of its kind holds.

const KiB = 1024;
const MiB = 1024 * KiB;

/** prepare-root.conf. */
export const CONFIG_MAX = 1 * MiB;
/** ostree/repo/config. */
export const REPO_CONFIG_MAX = 1 * MiB;
/** The composefs public keys file. */
export const KEY_FILE_MAX = 1 * MiB;
/** A commit object or its detached metadata. */
export const COMMIT_OBJECT_MAX = 16 * MiB;
/** Our own state files: status.json, volatile-mount, checkpoint, an overlay's commit. */
export const STATE_FILE_MAX = 16 * MiB;
/** /proc files: cmdline, mountinfo, boot_id. */
export const PROC_FILE_MAX = 16 * MiB;
/** /run/ostree-booted. */
export const OSTREE_BOOTED_MAX = 1 * MiB;

/** `[overlay PATH]` groups in one config: a real system declares a handful. */
export const MAX_OVERLAYS = 64;
/** Lower layers of one overlay: overlayfs itself stacks at most 500. */
export const MAX_OVERLAY_LOWERS = 500;
/** `[persist] paths` entries. */
export const MAX_PERSIST_PATHS = 1024;
/** `root.transient-size` in bytes must stay below 2^63: tmpfs parses it into 64 bits and wraps silently. */
export const MAX_TMPFS_BYTES = 2n ** 63n;

/** An SELinux label we copy: real ones are well under 100 bytes (user:role:type:range). */
export const SELINUX_LABEL_MAX = 255;
/** Entries of one transient upper whose labels are recorded for after the policy load (labels.json). */
export const MAX_LABELLED_ENTRIES = 100_000;
