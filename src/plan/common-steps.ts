// Steps the ostree planner (plan.ts) and the plain-root planner (plain.ts) make the same way.
import { LABELS_FILE, LOGIN_NOTICE, STAGING_ROOT, VOLATILE_ROOT_LINK } from '../base/paths.js';
import { utf8Encode } from '../base/text.js';
import type { Warning } from '../config/config.js';
import { dirname } from '../base/posix-path.js';
import type { DevNumber } from '../platform/system.js';
import type { LabelledUpper, Step } from './types.js';

export const MAKE_ROOT_PRIVATE: Step = {
  id: 'make-root-private',
  kind: 'make-private',
  target: '/',
  reason: 'shared mounts cannot be moved',
};

export const MKDIR_STAGING: Step = {
  id: 'mkdir-staging',
  kind: 'mkdir',
  path: STAGING_ROOT,
  mode: 0o755,
  existOk: true,
  reason: 'assembly point of the new root',
};

/** Detach the physical root at SYSROOT once a bind of it (`restoreFrom`) stands elsewhere. */
export function detachPhysicalRoot(sysroot: string, restoreFrom: string, restoreReadonly = false): Step {
  return {
    id: 'detach-physical-root',
    kind: 'detach',
    target: sysroot,
    restoreFrom,
    ...(restoreReadonly ? { restoreReadonly: true } : {}),
    reason: 'bind then detach instead of a move: no mount cycle, sysroot.mount can still be stopped',
  };
}

/** The new root onto SYSROOT, then the empty assembly point removed. */
export function moveToSysroot(sysroot: string): Step[] {
  return [
    {
      id: 'move-to-sysroot',
      kind: 'move',
      source: STAGING_ROOT,
      target: sysroot,
      pointOfNoReturn: true,
      reason: 'the new root takes the place of the physical root',
    },
    { id: 'rmdir-staging', kind: 'rmdir', path: STAGING_ROOT, reason: 'assembly point is empty now' },
  ];
}

/** /run/systemd/volatile-root naming the block device behind an overlay /. */
export function volatileRootSteps(device: DevNumber): Step[] {
  const reason = 'tells systemd which block device is the real root now that / is an overlay';
  return [
    { id: 'mkdir-run-systemd', kind: 'mkdir', path: '/run/systemd', mode: 0o755, existOk: true, reason },
    {
      id: 'link-volatile-root',
      kind: 'symlink',
      path: VOLATILE_ROOT_LINK,
      linkTarget: `/dev/block/${device.major}:${device.minor}`,
      reason,
    },
  ];
}

/** The record of the tmpfs uppers' labels for after the policy load; none without such uppers. */
export function recordLabelsSteps(labelled: readonly LabelledUpper[]): Step[] {
  if (labelled.length === 0) return [];
  return [
    {
      id: 'record-labels',
      kind: 'record-labels',
      path: LABELS_FILE,
      uppers: labelled,
      reason:
        'SELinux is on: the policy load after switch-root discards the labels of tmpfs files, so `prepare-root relabel` restores them from this record',
    },
  ];
}

/** transient-ro: only this mount is read-only, not the overlay superblock (privileged code may
 * remount it rw in its own mount namespace, as with ostree, which sets MOUNT_ATTR_RDONLY). */
export const REMOUNT_ROOT_RO: Step = {
  id: 'remount-root-ro',
  kind: 'remount-bind',
  target: STAGING_ROOT,
  readonly: true,
  reason: 'root.transient-ro',
};

/**
 * What is transient, told at login (/run/motd.d, read by pam_motd; /run goes with the root):
 * the boot's notices, and how to see what a reboot would lose. Nothing when nothing is transient.
 */
export function loginNoticeSteps(notices: readonly Warning[]): Step[] {
  if (notices.length === 0) return [];
  const text = [
    'prepare-root: parts of this system are transient:',
    ...notices.map((n) => `  ${n.where}: ${n.message}`),
    'What a reboot would lose: prepare-root diff (and how this boot went: prepare-root status).',
    '',
  ].join('\n');
  const reason = 'the login notice: what is transient, shown at login';
  return [
    { id: 'mkdir-motd-dir', kind: 'mkdir', path: dirname(LOGIN_NOTICE), mode: 0o755, existOk: true, reason },
    {
      id: 'write-login-notice',
      kind: 'write-file',
      path: LOGIN_NOTICE,
      mode: 0o644,
      content: utf8Encode(text),
      summary: notices.map((n) => n.where).join(', '),
      reason,
    },
  ];
}
