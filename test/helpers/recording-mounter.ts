// A Mounter that records what it is asked to do (as the plan describes it) and fails on request,
// for executor tests.
import {
  type Action,
  type FsMount,
  NO_OUTCOME,
  type Outcome,
  type UndoAction,
  describeAction,
} from '../../src/apply/actions.js';
import type { Mounter } from '../../src/apply/mounter.js';
import { PrepareRootError } from '../../src/base/errors.js';
import type { LabelledUpper } from '../../src/plan/types.js';

export class RecordingMounter implements Mounter {
  readonly calls: string[] = [];
  private count = 0;

  /** failAt: 1-based index of the call that fails (counting every call, undo included). */
  constructor(private readonly failAt: ReadonlySet<number> = new Set()) {}

  private record(action: Action): void {
    const call = describeAction(action);
    this.calls.push(call);
    this.count++;
    if (this.failAt.has(this.count)) throw new PrepareRootError(call, 'injected failure');
  }

  preview(): { outcome: Outcome; cleanup: UndoAction[] } {
    return { outcome: NO_OUTCOME, cleanup: [] };
  }
  mountIdOf(): number | null {
    return null;
  }
  mount(mount: FsMount): string {
    this.record({ op: 'mount', mount });
    return mount.fstype;
  }
  bind(source: string, target: string): void {
    this.record({ op: 'bind', source, target });
  }
  move(source: string, target: string): void {
    this.record({ op: 'move', source, target });
  }
  setAttrs(a: Extract<Action, { op: 'set-attrs' }>): void {
    this.record(a);
  }
  setFsReadonly(target: string, readonly: boolean): void {
    this.record({ op: 'set-fs-readonly', target, readonly });
  }
  unmount(target: string, detach: boolean): void {
    this.record({ op: 'unmount', target, detach });
  }
  mkdir(path: string, mode: number, existOk: boolean): boolean {
    this.record({ op: 'mkdir', path, mode, existOk });
    return true;
  }
  rmdir(path: string): void {
    this.record({ op: 'rmdir', path });
  }
  writeFileAtomic(path: string, content: Uint8Array, mode: number): Uint8Array | null {
    this.record({ op: 'write-file', path, content, mode });
    return null;
  }
  removeFile(path: string): void {
    this.record({ op: 'remove-file', path });
  }
  symlink(path: string, target: string): boolean {
    this.record({ op: 'symlink', path, target });
    return true;
  }
  mkdirp(path: string, mode: number): string[] {
    this.record({ op: 'mkdirp', path, mode });
    return [path];
  }
  removeTree(path: string): void {
    this.record({ op: 'remove-tree', path });
  }
  pruneUpper(upper: string, lower: readonly string[]): void {
    this.record({ op: 'prune-upper', upper, lower });
  }
  rename(from: string, to: string): void {
    this.record({ op: 'rename', from, to });
  }
  copyTree(from: string, to: string): void {
    this.record({ op: 'copy-tree', from, to });
  }
  copyLabel(from: string, to: string): string | null {
    this.record({ op: 'copy-label', from, to });
    return null;
  }
  recordLabels(path: string, uppers: readonly LabelledUpper[]): void {
    this.record({ op: 'record-labels', path, uppers });
  }
}
