// What the boot path needs of a kind of root (an ostree deployment, a plain root): its config
// files, everything up to the plan, and how to tell that a root is prepared already. Each kind is
// a module of this folder; index.ts picks one by the kernel command line.
import type { ConfigSource } from '../../config/config.js';
import type { System } from '../../platform/system.js';
import type { BootContext } from '../../probe/facts.js';
import type { Decision } from '../decision.js';

export interface BootTargetKind {
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
}
