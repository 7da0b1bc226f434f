// A Mounter that records what it is asked to do (as the plan describes it) and fails on request,
// for executor tests. It changes nothing: each action finds nothing there and creates what it makes.
import type { Action } from '../../src/apply/actions.js';
import type { Mounter } from '../../src/apply/mounter.js';
import { NOTHING_FOUND, type Performed, type Preview, describeAction } from '../../src/apply/operations.js';
import { PrepareRootError } from '../../src/base/errors.js';

export class RecordingMounter implements Mounter {
  /** What it was asked to do, as the plan describes it, and as data. */
  readonly calls: string[] = [];
  readonly actions: Action[] = [];
  private count = 0;

  /** failAt: 1-based index of the call that fails (counting every call, undo included). */
  constructor(private readonly failAt: ReadonlySet<number> = new Set()) {}

  preview(): Preview {
    return NOTHING_FOUND;
  }
  mountIdOf(): number | null {
    return null;
  }
  perform(action: Action): Performed {
    const call = describeAction(action);
    this.calls.push(call);
    this.actions.push(action);
    this.count++;
    if (this.failAt.has(this.count)) throw new PrepareRootError(call, 'injected failure');
    switch (action.op) {
      case 'mount':
        return { outcome: { kind: 'none' }, variant: action.mount.fstype };
      case 'mkdir':
      case 'symlink':
        return { outcome: { kind: 'created', created: true } };
      case 'mkdirp':
        return { outcome: { kind: 'created-dirs', dirs: [action.path] } };
      case 'write-file':
        return { outcome: { kind: 'replaced', previous: null } };
      default:
        return { outcome: { kind: 'none' } };
    }
  }
}
