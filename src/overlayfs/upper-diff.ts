// What lives only in an overlay's upper layer, i.e. what a transient overlay loses at reboot.
// Reads the upper directly (mounted or not), classifying each entry the way overlayfs itself
// reads it: whiteouts (a 0:0 char device, or a file with an overlay.whiteout xattr) delete,
// opaque directories replace, metacopy files change metadata only, redirects rename.
import { join } from '../base/posix-path.js';
import { tryLstat } from '../fs/files.js';
import type { FileKind, FileStat, System } from '../platform/system.js';
import { readOverlayXattrs, xattrText } from './xattrs.js';

export type ChangeKind = 'added' | 'modified' | 'metadata' | 'deleted' | 'replaced';
export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface Change {
  /** Path inside the overlay, starting with '/'. */
  readonly path: string;
  readonly kind: ChangeKind;
  readonly type: EntryType;
  /** Bytes held by the upper entry (for `deleted`: the size of what it hides). */
  readonly size: number;
  /** A renamed (redirected) entry: where its content comes from in the lower layers. */
  readonly from?: string;
}

export interface DiffSummary {
  readonly added: number;
  readonly modified: number;
  readonly metadata: number;
  readonly deleted: number;
  readonly replaced: number;
  readonly bytes: number;
}

function typeOf(kind: FileKind): EntryType {
  return kind === 'file' || kind === 'dir' || kind === 'symlink' ? kind : 'other';
}

/** What the lower layers (top first) have at `rel`, as overlayfs would find it; null when none does. */
export function lowerEntry(sys: System, lower: readonly string[], rel: string): FileStat | null {
  for (const layer of lower) {
    const st = tryLstat(sys, join(layer, rel));
    if (st !== null) return st;
  }
  return null;
}

/** An overlayfs whiteout: a 0:0 character device, or a file marked with the whiteout xattr. */
export function isWhiteout(st: FileStat, hasWhiteoutXattr: boolean): boolean {
  return (st.kind === 'char' && st.rdev.major === 0 && st.rdev.minor === 0) || (st.kind === 'file' && hasWhiteoutXattr);
}

/**
 * Classify everything in `upper` against `lower` (layers, top first). `under`: only report
 * changes at or below these overlay paths.
 */
export function diffUpper(
  sys: System,
  upper: string,
  lower: readonly string[],
  under: readonly string[] = [],
): Change[] {
  const changes: Change[] = [];
  const wanted = (p: string) =>
    under.length === 0 ||
    under.some((u) => p === u || p.startsWith(u.endsWith('/') ? u : `${u}/`) || u.startsWith(`${p}/`));
  const report = (c: Change) => {
    if (under.length === 0 || under.some((u) => c.path === u || c.path.startsWith(`${u.replace(/\/$/, '')}/`)))
      changes.push(c);
  };

  // rel: path in the overlay; lowerRel: where its lower counterpart is (differs under a redirect), null when none can exist.
  const walk = (dir: string, rel: string, lowerRel: string | null): void => {
    for (const name of sys.readdir(dir).sort()) {
      const abs = join(dir, name);
      const relPath = `${rel}/${name}`;
      if (!wanted(relPath)) continue;
      const st = sys.lstat(abs);
      const x = readOverlayXattrs(sys, abs);
      const redirect = xattrText(x, 'redirect');
      const lowerPath =
        redirect !== undefined
          ? redirect.startsWith('/')
            ? redirect
            : `${lowerRel ?? rel}/${redirect}`
          : lowerRel === null
            ? null
            : `${lowerRel}/${name}`;
      const below = lowerPath === null ? null : lowerEntry(sys, lower, lowerPath);
      const from = redirect === undefined ? {} : { from: lowerPath! };
      if (isWhiteout(st, x.has('whiteout'))) {
        report({
          path: relPath,
          kind: 'deleted',
          type: below === null ? 'other' : typeOf(below.kind),
          size: below?.size ?? 0,
        });
      } else if (st.kind === 'dir') {
        const opaque = xattrText(x, 'opaque') === 'y';
        if (opaque && below !== null) {
          report({ path: relPath, kind: 'replaced', type: 'dir', size: 0, ...from });
          walk(abs, relPath, null);
        } else if (below === null || redirect !== undefined) {
          report({ path: relPath, kind: 'added', type: 'dir', size: 0, ...from });
          walk(abs, relPath, below === null ? null : lowerPath);
        } else {
          if (st.mode !== below.mode || st.uid !== below.uid || st.gid !== below.gid) {
            report({ path: relPath, kind: 'metadata', type: 'dir', size: 0 });
          }
          walk(abs, relPath, lowerPath);
        }
      } else if (x.has('metacopy')) {
        // Metadata-only copy-up: the data still comes from the lower layer.
        report({ path: relPath, kind: 'metadata', type: typeOf(st.kind), size: 0, ...from });
      } else {
        report({
          path: relPath,
          kind: below === null ? 'added' : 'modified',
          type: typeOf(st.kind),
          size: st.kind === 'file' ? st.size : 0,
          ...from,
        });
      }
    }
  };
  walk(upper, '', '');
  return changes;
}

export function summarize(changes: readonly Change[]): DiffSummary {
  const count = (k: ChangeKind) => changes.filter((c) => c.kind === k).length;
  return {
    added: count('added'),
    modified: count('modified'),
    metadata: count('metadata'),
    deleted: count('deleted'),
    replaced: count('replaced'),
    bytes: changes.filter((c) => c.kind !== 'deleted').reduce((n, c) => n + c.size, 0),
  };
}

export function summaryLine(s: DiffSummary): string {
  const total = s.added + s.modified + s.metadata + s.deleted + s.replaced;
  return `${total} change${total === 1 ? '' : 's'} (${s.bytes} bytes): ${s.added} added, ${s.modified} modified, ${s.metadata} metadata only, ${s.deleted} deleted, ${s.replaced} directories replaced`;
}
