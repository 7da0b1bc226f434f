// A Mounter that records what it is asked to do and fails on request, for executor tests.
import { PrepareRootError } from '../../src/errors.js';
import type { Mounter } from '../../src/mounter.js';

export class RecordingMounter implements Mounter {
  readonly calls: string[] = [];
  private count = 0;

  /** failAt: 1-based index of the call that fails (counting every call, undo included). */
  constructor(private readonly failAt: ReadonlySet<number> = new Set()) {}

  private record(call: string): void {
    this.calls.push(call);
    this.count++;
    if (this.failAt.has(this.count)) throw new PrepareRootError(call, 'injected failure');
  }

  exec(argv: readonly string[], cwd?: string): void { this.record(`${argv.join(' ')}${cwd ? ` @${cwd}` : ''}`); }
  mkdir(path: string, mode: number, existOk: boolean): boolean { this.record(`mkdir ${path} ${mode.toString(8)}${existOk ? ' existOk' : ''}`); return true; }
  rmdir(path: string): void { this.record(`rmdir ${path}`); }
  writeFileAtomic(path: string, content: Uint8Array): Uint8Array | null { this.record(`write ${path} ${content.length}`); return null; }
  removeFile(path: string): void { this.record(`rm ${path}`); }
  symlink(path: string, target: string): boolean { this.record(`ln ${target} ${path}`); return true; }
  mkdirp(path: string): string[] { this.record(`mkdir -p ${path}`); return [path]; }
  removeTree(path: string): void { this.record(`rm -r ${path}`); }
  pruneUpper(upper: string): void { this.record(`prune ${upper}`); }
  rename(from: string, to: string): void { this.record(`mv ${from} ${to}`); }
}
