// The effects of a plan, through a System: each operation (apply/operations.ts) checked for
// symbolic links and performed, with failures turned into `what: why` errors that name what was
// asked and the system's reason.
import { PrepareRootError, isSysError } from '../base/errors.js';
import { tryLstat } from '../fs/files.js';
import type { System } from '../platform/system.js';
import type { Action } from './actions.js';
import { refuseSymlinksOf } from './confine.js';
import { NOTHING_FOUND, type Performed, type Preview, describeAction, operationOf, reason } from './operations.js';

export interface Mounter {
  /**
   * What the action would find (reading only), for the journal: the outcome it would have if it
   * ran to its end, and what a run killed during it may leave besides (a temporary file).
   */
  preview(action: Action): Preview;
  /** The id of the mount `path` is on, null when there is nothing at `path`. */
  mountIdOf(path: string): number | null;
  perform(action: Action): Performed;
}

/** Run an operation, turning a system failure into `what: <reason>`. */
function attempt<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isSysError(e)) throw new PrepareRootError(what, reason(e), { cause: e });
    throw e;
  }
}

export interface SystemMounterOptions {
  /** Called with each operation before it runs (debug output). */
  readonly trace?: (line: string) => void;
}

export class SystemMounter implements Mounter {
  constructor(
    private readonly sys: System,
    private readonly options: SystemMounterOptions = {},
  ) {}

  preview(action: Action): Preview {
    const preview = operationOf(action).preview;
    if (preview === undefined) return NOTHING_FOUND;
    return attempt(`preview ${describeAction(action)}`, () => preview(this.sys, action));
  }

  mountIdOf(path: string): number | null {
    return tryLstat(this.sys, path)?.mountId ?? null;
  }

  perform(action: Action): Performed {
    const what = describeAction(action);
    this.options.trace?.(`+ ${what}`);
    return attempt(what, () => {
      refuseSymlinksOf(this.sys, action);
      return operationOf(action).perform(this.sys, action, this.options.trace);
    });
  }
}
