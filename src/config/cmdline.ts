// Kernel command line, parsed the way ostree-prepare-root does: tokens are separated by runs of
// ASCII spaces only (no quoting), a key matches only at the start of a token and must be followed
// by `=`. ostree's arguments keep ostree's rule, the first occurrence wins; ours follow systemd's,
// the last wins, so an argument appended at the boot menu overrides the one the image set.
import { PrepareRootError } from '../base/errors.js';

export const COMPOSEFS_KARG = 'ostree.prepare-root.composefs';
/** Ours: the root mode for this boot, over the config's (`off`: a plain root is left alone). */
export const ROOT_KARG = 'rd.prepare-root';
/** Ours: start a plain root's persistent upper (root.upper-device) empty this boot. */
export const RESET_KARG = 'rd.prepare-root.reset';

/** A flag: its last token is `key` alone or `key=1`/`key=true` (anything else, `key=0` included, is off). */
export function hasFlag(cmdline: string, key: string): boolean {
  const last = tokens(cmdline).findLast((t) => t === key || t.startsWith(`${key}=`));
  return last === key || last === `${key}=1` || last === `${key}=true`;
}

function tokens(cmdline: string): string[] {
  return cmdline.split(' ').filter((t) => t !== '');
}

/** Value of the first `key=value` token (ostree's rule), or null when the key is absent (`key` alone is no value). */
export function findKarg(cmdline: string, key: string): string | null {
  const prefix = `${key}=`;
  const token = tokens(cmdline).find((t) => t.startsWith(prefix));
  return token === undefined ? null : token.slice(prefix.length);
}

/** Value of the last `key=value` token (systemd's rule, for our own arguments), or null when absent. */
export function findLastKarg(cmdline: string, key: string): string | null {
  const prefix = `${key}=`;
  const token = tokens(cmdline).findLast((t) => t.startsWith(prefix));
  return token === undefined ? null : token.slice(prefix.length);
}

/** How long initramfs-tools waits for the root device when rootdelay= does not say (seconds). */
export const DEFAULT_DEVICE_WAIT = 30;

/**
 * How long to wait for a device to appear: rootdelay= (seconds, the last one), as
 * initramfs-tools waits for the root device, or DEFAULT_DEVICE_WAIT.
 */
export function deviceWaitOf(cmdline: string): number {
  const value = findLastKarg(cmdline, 'rootdelay');
  return value !== null && /^[0-9]{1,4}$/.test(value) ? Number(value) : DEFAULT_DEVICE_WAIT;
}

/**
 * The modules rd.modules-load= asks the initramfs to load (comma-separated, each occurrence
 * adding to the list, as systemd-modules-load reads it), `-` as `_`.
 */
export function modulesToLoadOf(cmdline: string): string[] {
  const names = tokens(cmdline)
    .filter((t) => t.startsWith('rd.modules-load='))
    .flatMap((t) => t.slice('rd.modules-load='.length).split(','))
    .filter((n) => n !== '')
    .map((n) => n.replaceAll('-', '_'));
  return [...new Set(names)];
}

export interface OstreeTarget {
  /** Path of the deployment symlink, relative to the physical root. */
  readonly path: string;
  /** Which karg decided it, for messages. */
  readonly from: 'ostree' | 'androidboot.slot_suffix' | 'androidboot';
}

/**
 * The deployment link named by the command line. Android boot arguments take precedence over
 * `ostree=`, as in ostree: an A/B slot suffix picks /ostree/root.a or .b, any other
 * `androidboot.*` token means a non-A/B Android boot, which always uses slot a.
 */
export function findOstreeTarget(cmdline: string): OstreeTarget | null {
  const slot = findKarg(cmdline, 'androidboot.slot_suffix');
  if (slot !== null) {
    if (slot === '_a' || slot === '_b') {
      return { path: `/ostree/root.${slot.slice(1)}`, from: 'androidboot.slot_suffix' };
    }
    throw new PrepareRootError('kernel argument androidboot.slot_suffix', `invalid slot "${slot}" (expected _a or _b)`);
  }
  if (tokens(cmdline).some((t) => t.startsWith('androidboot.'))) {
    return { path: '/ostree/root.a', from: 'androidboot' };
  }
  const ostree = findKarg(cmdline, 'ostree');
  return ostree === null ? null : { path: ostree, from: 'ostree' };
}
