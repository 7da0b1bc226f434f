// ostree's rebase rule for state overlays (ostree admin state-overlay, reference §6): when the
// deployment changed, drop every upper entry that shadows, replaces or deletes base content and
// keep what is purely added. Per entry, against the lower as the new base shows it:
//   nothing of that name in the lower        → keep (state, stray whiteouts included)
//   both directories, upper not opaque        → recurse
//   anything else (file over file, type change, whiteout, opaque dir) → delete
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type Xattrs, lowerEntry, overlayXattr, readOverlayXattrs } from './diff.js';

/** Returns the overlay paths removed from the upper. */
export function pruneUpper(upper: string, lower: readonly string[], xattrs: Xattrs = readOverlayXattrs(upper)): string[] {
  const removed: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(upper, rel)).sort()) {
      const relPath = `${rel}/${name}`;
      const abs = path.join(upper, relPath);
      const below = lowerEntry(lower, relPath);
      if (below === null) continue;
      const st = lstatSync(abs);
      const opaque = overlayXattr(xattrs.get(abs), 'opaque')?.toString() === 'y';
      if (st.isDirectory() && below.isDirectory() && !opaque) {
        walk(relPath);
        continue;
      }
      rmSync(abs, { recursive: true, force: true });
      removed.push(relPath);
    }
  };
  walk('');
  return removed;
}
