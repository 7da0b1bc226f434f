// Whether SELinux is on, and whether its policy is loaded yet. The kernel creates the selinuxfs
// mount point /sys/fs/selinux only when SELinux is enabled, even before anything mounts
// selinuxfs there. Before the policy is loaded (always the case in an initramfs: systemd loads
// it after switch-root) the kernel keeps no label a tmpfs is given and refuses context mount
// options; once it is loaded, selinuxfs names the kernel's own context by its full label.
import { PROC_FILE_MAX } from '../base/limits.js';
import { utf8Decode } from '../base/text.js';
import { readOptional, tryLstat } from '../fs/files.js';
import type { System } from '../platform/system.js';

export const SELINUXFS = '/sys/fs/selinux';

export function selinuxActive(sys: System): boolean {
  return tryLstat(sys, SELINUXFS)?.kind === 'dir';
}

function selinuxfsText(sys: System, name: string): string | null {
  try {
    const data = readOptional(sys, `${SELINUXFS}/${name}`, PROC_FILE_MAX);
    return data === null ? null : utf8Decode(data).replace(/\0?\n?$/, '');
  } catch {
    return null; // selinuxfs not mounted, or not readable: unknown
  }
}

/** The policy is loaded: the kernel's initial context reads as a label (before, it is just "kernel"). */
export function selinuxPolicyLoaded(sys: System): boolean {
  return selinuxfsText(sys, 'initial_contexts/kernel')?.includes(':') === true;
}

/** Enforcing (true), permissive (false), or unknown (null: selinuxfs not mounted). */
export function selinuxEnforcing(sys: System): boolean | null {
  const v = selinuxfsText(sys, 'enforce');
  return v === null ? null : v === '1';
}
