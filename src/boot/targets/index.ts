// The kinds of root the boot path prepares, and which one a kernel command line boots.
import { findOstreeTarget } from '../../config/cmdline.js';
import type { BootTarget } from '../../config/config.js';
import { OSTREE_TARGET } from './ostree.js';
import { PLAIN_TARGET } from './plain.js';
import type { BootTargetKind } from './target.js';

export const BOOT_TARGETS: { readonly [K in BootTarget]: BootTargetKind } = {
  ostree: OSTREE_TARGET,
  plain: PLAIN_TARGET,
};

/** What the kernel command line boots: ostree= names a deployment, without it the root is plain. */
export function bootTarget(cmdline: string): BootTarget {
  return findOstreeTarget(cmdline) === null ? 'plain' : 'ostree';
}

/** The config files of that kind of boot, in reading order. */
export const configPathsFor = (target: BootTarget): readonly string[] => BOOT_TARGETS[target].configPaths;
