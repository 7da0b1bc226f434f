// ostree's rebase rule for state overlays (ostree admin state-overlay): when the deployment
// changed, drop every upper entry that shadows, replaces or deletes base content and keep what
// is purely added. Per entry, against the lower as the new base shows it:
//   nothing of that name in the lower        → keep (state, stray whiteouts included)
//   both directories, upper not opaque        → recurse
//   anything else (file over file, type change, whiteout, opaque dir) → delete
import { removeTree } from '../fs/tree.js';
import type { System } from '../platform/system.js';
import { lowerEntry } from './upper-diff.js';
import { readOverlayXattrs, xattrText } from './xattrs.js';

/** Returns the overlay paths removed from the upper. */
export function pruneUpper(sys: System, upper: string, lower: readonly string[]): string[] {
  const removed: string[] = [];
  const walk = (rel: string): void => {
    for (const name of sys.readdir(`${upper}${rel}`).sort()) {
      const relPath = `${rel}/${name}`;
      const abs = `${upper}${relPath}`;
      const below = lowerEntry(sys, lower, relPath);
      if (below === null) continue;
      const st = sys.lstat(abs);
      const opaque = xattrText(readOverlayXattrs(sys, abs), 'opaque') === 'y';
      if (st.kind === 'dir' && below.kind === 'dir' && !opaque) {
        walk(relPath);
        continue;
      }
      removeTree(sys, abs);
      removed.push(relPath);
    }
  };
  walk('');
  return removed;
}
