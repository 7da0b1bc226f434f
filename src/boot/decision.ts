// What the boot path decided before applying anything (boot/prepare.ts decides it; status.json
// records it, boot/status-record.ts).
import type { RootConfig, Warning } from '../config/config.js';
import type { Plan } from '../plan/types.js';

interface Decided {
  /** The config in effect; null when rd.prepare-root=off left a plain root alone before it was read. */
  readonly config: RootConfig | null;
  /** The tree the booted system's / comes from (where pivot mode's init must be), and its name for messages. */
  readonly image: { readonly path: string; readonly name: string };
  readonly warnings: readonly Warning[];
  /** What was asked for and is announced once at boot (what a transient root loses at reboot). */
  readonly notices: readonly Warning[];
}

/** A plan to apply, or (a plain root only) why the root is left as it is. */
export type Decision = Decided &
  ({ readonly plan: Plan; readonly untouched: null } | { readonly plan: null; readonly untouched: string });
