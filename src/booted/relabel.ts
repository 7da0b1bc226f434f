// `prepare-root relabel`, run by prepare-root-relabel.service right after systemd loads the
// SELinux policy. Loading it reset every file of the tmpfs uppers to the tmpfs label (a tmpfs
// keeps no xattr label across it), so the overlay's root showed tmpfs_t instead of the image's
// root_t. Each entry in an upper gets back the label labels.json recorded for it in the
// initramfs; one made after that record (systemd's switch-root copies var up for its /mnt) and
// still carrying the tmpfs label gets the lower's label recorded for the top of the overlay, or
// its parent's. Entries labelled since the policy load (by the policy) are left alone. Labels are
// set through the overlay, so its inodes and the upper's change together; an entry now under
// another mount (a persisted path's bind) is not the one in the upper and is skipped, as is one
// reached through a symbolic link.
import { reasonOf } from '../base/errors.js';
import { MAX_LABELLED_ENTRIES } from '../base/limits.js';
import { dirname, under } from '../base/posix-path.js';
import { tryLstat } from '../fs/files.js';
import { readLabel, writeLabel } from '../fs/labels.js';
import type { LabelledOverlay } from '../formats/labels-file.js';
import type { FileStat, System } from '../platform/system.js';
import { selinuxActive, selinuxPolicyLoaded } from '../probe/selinux.js';
import { readLabelsFile } from './state-files.js';

const OVERLAYFS_MAGIC = 0x794c7630;

export interface RelabelResult {
  readonly path: string;
  /** Entries in the upper now (those under another mount not counted). */
  readonly entries: number;
  readonly relabelled: number;
  /** Of those relabelled, entries made after the record. */
  readonly unrecorded: number;
  /** Recorded entries no longer in the upper, or reached through a link now. */
  readonly gone: number;
  /** Under another mount now. */
  readonly covered: number;
  readonly failed: ReadonlyArray<{ readonly path: string; readonly error: string }>;
  /** Why the overlay was skipped as a whole (not mounted there any more). */
  readonly skipped?: string;
}

export type RelabelOutcome =
  | { readonly state: 'selinux-off' | 'policy-not-loaded' | 'nothing-recorded' }
  | { readonly state: 'done'; readonly overlays: readonly RelabelResult[]; readonly refusedAtBoot: number };

function labelOrNull(sys: System, path: string): string | null {
  try {
    return readLabel(sys, path);
  } catch {
    return null; // a label the policy would not give: whatever we set replaces it
  }
}

/** The label of the root of the filesystem holding `path`: what the policy load gave every file on it. */
function filesystemLabel(sys: System, path: string): string | null {
  let p = path;
  while (p !== '/' && sys.lstat(p).mountRoot !== true) p = dirname(p);
  return labelOrNull(sys, p);
}

function relabelOverlay(sys: System, root: string, o: LabelledOverlay): RelabelResult {
  const mountpoint = under(root, o.path);
  const r = { path: o.path, entries: 0, relabelled: 0, unrecorded: 0, gone: 0, covered: 0 };
  const failed: Array<{ path: string; error: string }> = [];
  const top = tryLstat(sys, mountpoint);
  if (top === null || top.kind !== 'dir' || !top.mountRoot || sys.statfs(mountpoint).type !== OVERLAYFS_MAGIC)
    return { ...r, failed, skipped: `${mountpoint} is not an overlay mount` };
  if (sys.lookupNoSymlinks(o.upper) !== 'exists' || sys.lstat(o.upper).kind !== 'dir')
    return { ...r, failed, skipped: `its upper ${o.upper} is not a directory reached without links` };
  const recorded = new Map(o.entries);
  const topLabels = new Map(o.top);
  const reset = filesystemLabel(sys, o.upper);
  /** Recorded entries found (in the upper, or under another mount now). */
  const found = new Set<string>();
  // Depth first, parents before children; [path relative to the upper, the label its parent ended up with].
  const todo: Array<readonly [string, string | null]> = [['', null]];
  while (todo.length > 0 && r.entries < MAX_LABELLED_ENTRIES) {
    const [rel, parentLabel] = todo.pop()!;
    const merged = rel === '' ? mountpoint : under(mountpoint, `/${rel}`);
    let st: FileStat | null;
    try {
      st = rel === '' ? top : sys.lookupNoSymlinks(dirname(merged)) === 'exists' ? tryLstat(sys, merged) : null;
    } catch (e) {
      failed.push({ path: merged, error: reasonOf(e) });
      continue;
    }
    if (st === null) continue;
    found.add(rel);
    if (st.mountId !== top.mountId) {
      r.covered++;
      continue;
    }
    r.entries++;
    const current = labelOrNull(sys, merged);
    const fromRecord = recorded.get(rel);
    const wanted = fromRecord ?? (current === reset ? (topLabels.get(rel) ?? parentLabel) : null);
    if (wanted !== null && wanted !== current) {
      try {
        writeLabel(sys, merged, wanted);
        r.relabelled++;
        if (fromRecord === undefined) r.unrecorded++;
      } catch (e) {
        failed.push({ path: merged, error: reasonOf(e) });
      }
    }
    if (st.kind !== 'dir') continue;
    const upperDir = rel === '' ? o.upper : `${o.upper}/${rel}`;
    let names: string[];
    try {
      names = sys.readdir(upperDir);
    } catch (e) {
      failed.push({ path: upperDir, error: reasonOf(e) });
      continue;
    }
    for (const name of names.sort().reverse()) {
      // Only what is in the upper: a whiteout hides its name, so the merged path is gone anyway.
      const entry = sys.lstat(`${upperDir}/${name}`);
      if (entry.kind === 'char' && entry.rdev.major === 0 && entry.rdev.minor === 0) continue;
      todo.push([rel === '' ? name : `${rel}/${name}`, wanted ?? current]);
    }
  }
  r.gone = o.entries.filter(([rel]) => !found.has(rel)).length;
  return { ...r, failed };
}

export function relabelUppers(sys: System, root: string): RelabelOutcome {
  if (!selinuxActive(sys)) return { state: 'selinux-off' };
  // Before the load a label set on a tmpfs is discarded again when it happens: nothing to gain.
  if (!selinuxPolicyLoaded(sys)) return { state: 'policy-not-loaded' };
  const record = readLabelsFile(sys);
  if (record === null) return { state: 'nothing-recorded' };
  return {
    state: 'done',
    overlays: record.overlays.map((o) => relabelOverlay(sys, root, o)),
    refusedAtBoot: record.overlays.reduce((n, o) => n + o.refused.length, 0),
  };
}
