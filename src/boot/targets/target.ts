// What the boot path needs of a kind of root (an ostree deployment, a plain root): its config
// files, everything up to the plan, how to tell that a root is prepared already, and how its
// plans are shown. Each kind is a module of this folder; index.ts picks one by the kernel command
// line, and by a plan's kind.
import type { BootTarget, ConfigSource } from '../../config/config.js';
import type { StatusFile } from '../../formats/status-file.js';
import type { Plan } from '../../plan/types.js';
import type { System } from '../../platform/system.js';
import type { BootContext } from '../../probe/facts.js';
import type { Decision } from '../decision.js';

export type PlanOf<K extends BootTarget> = Extract<Plan, { readonly kind: K }>;

/** The fields of status.json that belong to one kind of root (null where another kind's). */
export type KindStatusFields = Pick<StatusFile, 'deployment' | 'sysrootReadonly' | 'physicalRoot' | 'ostreeBooted'>;

/** A plan as people read it: `plan`'s header and the boot's one line. */
export interface PlanDescription {
  /** What the boot says as it starts applying: "preparing …". */
  readonly preparing: string;
  /** Where / comes from: [label, value], the header's first line. */
  readonly source: readonly [string, string];
  /** The kind's own settings: [label, value] lines after the shared ones. */
  readonly details: ReadonlyArray<readonly [string, string]>;
}

export interface BootTargetKind<K extends BootTarget> {
  /** Its config files, in reading order: the last one that exists is in effect. */
  readonly configPaths: readonly string[];
  /** Read the config, probe the system, plan: pure but for reading. */
  decide(
    sys: System,
    sysroot: string,
    cmdline: string,
    readSources: () => readonly ConfigSource[],
    context: BootContext,
  ): Decision;
  /** Why a second run after success has nothing to do (the root is in place), or null. */
  alreadyPrepared(sys: System, sysroot: string): string | null;
  describe(plan: PlanOf<K>): PlanDescription;
  /** Its fields of status.json; `prepared`: the plan was applied (a failed run has no /run/ostree-booted). */
  statusFields(plan: PlanOf<K> | null, prepared: boolean): KindStatusFields;
}
