// The SELinux labels of what an upper holds, read in the initramfs before the policy is loaded:
// each entry's own label (a copy-up copies the lower's; the upper's root has the one copy-label
// gave it) or, for an entry made without one (a mount point mkdir -p created), its parent's, which
// is what the kernel gives a new file when no policy rule says otherwise.
import { MAX_LABELLED_ENTRIES } from '../base/limits.js';
import { PrepareRootError } from '../base/errors.js';
import type { LabelledOverlay } from '../formats/labels-file.js';
import { readLabel } from '../fs/labels.js';
import type { System } from '../platform/system.js';

type Collected = Pick<LabelledOverlay, 'entries' | 'truncated' | 'refused'>;

/** The label of each entry at the top of a mounted overlay (read through it); refused ones are left out. */
export function collectTopLabels(sys: System, target: string, limit = MAX_LABELLED_ENTRIES): LabelledOverlay['top'] {
  const top: Array<readonly [string, string]> = [];
  for (const name of sys.readdir(target).sort().slice(0, limit)) {
    try {
      const label = readLabel(sys, `${target}/${name}`);
      if (label !== null) top.push([name, label]);
    } catch (e) {
      if (!(e instanceof PrepareRootError)) throw e;
    }
  }
  return top;
}

export function collectUpperLabels(sys: System, upper: string, limit = MAX_LABELLED_ENTRIES): Collected {
  const entries: Array<readonly [string, string]> = [];
  const refused: Array<{ path: string; why: string }> = [];
  let truncated = false;
  // Depth first, parents before children; [relative path, the label its parent ended up with].
  const todo: Array<readonly [string, string | null]> = [['', null]];
  while (todo.length > 0) {
    const [rel, inherited] = todo.pop()!;
    const path = rel === '' ? upper : `${upper}/${rel}`;
    const st = sys.lstat(path);
    // A whiteout (0:0 character device) is not visible through the overlay: nothing to label.
    if (st.kind === 'char' && st.rdev.major === 0 && st.rdev.minor === 0) continue;
    let label = inherited;
    try {
      label = readLabel(sys, path) ?? inherited;
    } catch (e) {
      if (!(e instanceof PrepareRootError)) throw e;
      refused.push({ path: rel, why: e.why });
    }
    if (label !== null) {
      if (entries.length === limit) {
        truncated = true;
        break;
      }
      entries.push([rel, label]);
    }
    if (st.kind === 'dir') {
      const names = sys.readdir(path).sort().reverse();
      for (const name of names) todo.push([rel === '' ? name : `${rel}/${name}`, label]);
    }
  }
  return { entries, truncated, refused };
}
