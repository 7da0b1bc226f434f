// `prepare-root diff`: what lives only in an overlay's upper layer, i.e. what a transient overlay
// loses at reboot. Reads the upper directly (mounted or not), classifying each entry the way
// overlayfs itself reads it: whiteouts (a 0:0 char device, or a file with an overlay.whiteout
// xattr) delete, opaque directories replace, metacopy files change metadata only, redirects
// rename. Node.js cannot read xattrs, so getfattr (package attr) reads them, once per tree.
import { spawnSync } from 'node:child_process';
import { type Stats, lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PrepareRootError } from './errors.js';

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

export type Xattrs = ReadonlyMap<string, ReadonlyMap<string, Buffer>>;

/** All overlay xattrs (trusted.overlay.* and user.overlay.*) below `dir`, keyed by absolute path. */
export function readOverlayXattrs(dir: string): Xattrs {
  const r = spawnSync('getfattr', ['--recursive', '--physical', '--absolute-names', '--dump', '--encoding=hex', '--match=^(trusted|user)\\.overlay\\.', dir], {
    encoding: 'utf8', stdio: 'pipe', input: '', maxBuffer: 256 << 20,
  });
  if (r.error !== undefined) {
    throw new PrepareRootError('diff', (r.error as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'getfattr not found: reading overlay xattrs needs it (Debian/Fedora package attr)' : r.error.message);
  }
  const result = new Map<string, Map<string, Buffer>>();
  let current: Map<string, Buffer> | null = null;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('# file: ')) {
      current = new Map();
      result.set(unescapeGetfattr(line.slice(8)), current);
    } else if (current !== null && line.includes('=')) {
      const eq = line.indexOf('=');
      const value = line.slice(eq + 1);
      current.set(line.slice(0, eq), value.startsWith('0x') ? Buffer.from(value.slice(2), 'hex') : Buffer.from(value.replace(/^"|"$/g, '')));
    }
  }
  return result;
}

// getfattr escapes unusual characters in paths as \ooo.
function unescapeGetfattr(p: string): string {
  return Buffer.from(p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))), 'latin1').toString('utf8');
}

function typeOf(st: Stats): EntryType {
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

function tryLstat(p: string): Stats | null {
  try { return lstatSync(p); } catch { return null; }
}

/** What the lower layers (top first) have at `rel`, as overlayfs would find it; null when none does. */
export function lowerEntry(lower: readonly string[], rel: string): Stats | null {
  for (const layer of lower) {
    const st = tryLstat(path.join(layer, rel));
    if (st !== null) return st;
  }
  return null;
}

/** An overlay xattr in either namespace (trusted.overlay.*, or user.overlay.* with userxattr). */
export function overlayXattr(x: ReadonlyMap<string, Buffer> | undefined, name: string): Buffer | undefined {
  return x?.get(`trusted.overlay.${name}`) ?? x?.get(`user.overlay.${name}`);
}

/**
 * Classify everything in `upper` against `lower` (layers, top first). `under`: only report
 * changes at or below these overlay paths.
 */
export function diffUpper(upper: string, lower: readonly string[], xattrs: Xattrs, under: readonly string[] = []): Change[] {
  const changes: Change[] = [];
  const wanted = (p: string) => under.length === 0 || under.some((u) => p === u || p.startsWith(u.endsWith('/') ? u : `${u}/`) || u.startsWith(`${p}/`));
  const report = (c: Change) => { if (under.length === 0 || under.some((u) => c.path === u || c.path.startsWith(`${u.replace(/\/$/, '')}/`))) changes.push(c); };

  // rel: path in the overlay; lowerRel: where its lower counterpart is (differs under a redirect), null when none can exist.
  const walk = (dir: string, rel: string, lowerRel: string | null): void => {
    for (const name of readdirSync(dir).sort()) {
      const abs = path.join(dir, name);
      const relPath = `${rel}/${name}`;
      if (!wanted(relPath)) continue;
      const st = lstatSync(abs);
      const x = xattrs.get(abs);
      const redirect = overlayXattr(x, 'redirect')?.toString();
      const lowerPath = redirect !== undefined
        ? (redirect.startsWith('/') ? redirect : `${lowerRel ?? rel}/${redirect}`)
        : lowerRel === null ? null : `${lowerRel}/${name}`;
      const below = lowerPath === null ? null : lowerEntry(lower, lowerPath);
      const from = redirect === undefined ? {} : { from: lowerPath! };
      const whiteout = (st.isCharacterDevice() && st.rdev === 0) || (st.isFile() && overlayXattr(x, 'whiteout') !== undefined);
      if (whiteout) {
        report({ path: relPath, kind: 'deleted', type: below === null ? 'other' : typeOf(below), size: below?.size ?? 0 });
      } else if (st.isDirectory()) {
        const opaque = overlayXattr(x, 'opaque')?.toString() === 'y';
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
      } else if (overlayXattr(x, 'metacopy') !== undefined) {
        // Metadata-only copy-up: the data still comes from the lower layer.
        report({ path: relPath, kind: 'metadata', type: typeOf(st), size: 0, ...from });
      } else {
        report({ path: relPath, kind: below === null ? 'added' : 'modified', type: typeOf(st), size: st.isFile() ? st.size : 0, ...from });
      }
    }
  };
  walk(upper, '', '');
  return changes;
}

export function summarize(changes: readonly Change[]): DiffSummary {
  const count = (k: ChangeKind) => changes.filter((c) => c.kind === k).length;
  return {
    added: count('added'), modified: count('modified'), metadata: count('metadata'), deleted: count('deleted'), replaced: count('replaced'),
    bytes: changes.filter((c) => c.kind !== 'deleted').reduce((n, c) => n + c.size, 0),
  };
}

export function summaryLine(s: DiffSummary): string {
  const total = s.added + s.modified + s.metadata + s.deleted + s.replaced;
  return `${total} change${total === 1 ? '' : 's'} (${s.bytes} bytes): ${s.added} added, ${s.modified} modified, ${s.metadata} metadata only, ${s.deleted} deleted, ${s.replaced} directories replaced`;
}
