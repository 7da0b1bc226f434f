// The kinds of root the boot path prepares, and which one a kernel command line boots.
import { under } from '../../base/posix-path.js';
import { findOstreeTarget } from '../../config/cmdline.js';
import type { BootTarget } from '../../config/config.js';
import { OSTREE_TARGET } from './ostree.js';
import { PLAIN_TARGET } from './plain.js';
import type { Plan } from '../../plan/types.js';
import type { BootTargetKind, KindStatusFields, PlanDescription } from './target.js';

export const BOOT_TARGETS: { readonly [K in BootTarget]: BootTargetKind<K> } = {
  ostree: OSTREE_TARGET,
  plain: PLAIN_TARGET,
};

/** What the kernel command line boots: ostree= names a deployment, without it the root is plain. */
export function bootTarget(cmdline: string): BootTarget {
  return findOstreeTarget(cmdline) === null ? 'plain' : 'ostree';
}

/** The config files of that kind of boot, in reading order; in IMAGE: those of the tree built or booted from it. */
export const configPathsFor = (target: BootTarget, image = '/'): readonly string[] =>
  BOOT_TARGETS[target].configPaths.map((p) => under(image, p));

/** The module of a plan's kind (the lookup does not narrow the plan, so it is widened once here). */
const targetOf = (plan: Plan) => BOOT_TARGETS[plan.kind] as BootTargetKind<BootTarget>;

export const describePlan = (plan: Plan): PlanDescription => targetOf(plan).describe(plan);

/** status.json's kind fields: all null before a plan (a failed or untouched run). */
export function kindStatusFields(plan: Plan | null, prepared: boolean): KindStatusFields {
  if (plan === null) return { deployment: null, sysrootReadonly: null, physicalRoot: null, ostreeBooted: null };
  return targetOf(plan).statusFields(plan, prepared);
}
