// `prepare-root relabel`, run by prepare-root-relabel.service right after systemd loads the
// SELinux policy: give every entry of the tmpfs uppers the label labels.json recorded for it in
// the initramfs. The policy load reset them all to the tmpfs label (a tmpfs keeps no xattr label
// across it), so the overlay's root showed tmpfs_t instead of the image's root_t. Labels are set
// through the overlay, so its own inodes and the upper's change together; an entry now under
// another mount (a persisted path's bind, /etc over the root's etc) is not the one recorded and
// is left alone, as is one reached through a symbolic link.
import { isSysError } from '../base/errors.js';
import { dirname, under } from '../base/posix-path.js';
import { tryLstat } from '../fs/files.js';
import { readLabel, writeLabel } from '../fs/labels.js';
import type { LabelledOverlay } from '../formats/labels-file.js';
import type { System } from '../platform/system.js';
import { selinuxActive, selinuxPolicyLoaded } from '../probe/selinux.js';
import { readLabelsFile } from './state-files.js';

const OVERLAYFS_MAGIC = 0x794c7630;

export interface RelabelResult {
  readonly path: string;
  /** Entries recorded for this overlay. */
  readonly recorded: number;
  readonly relabelled: number;
  /** Already had the recorded label. */
  readonly unchanged: number;
  /** No longer there (removed, or a link now on the way). */
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

function relabelOverlay(sys: System, root: string, o: LabelledOverlay): RelabelResult {
  const mountpoint = under(root, o.path);
  const result = { path: o.path, recorded: o.entries.length, relabelled: 0, unchanged: 0, gone: 0, covered: 0 };
  const failed: Array<{ path: string; error: string }> = [];
  const top = tryLstat(sys, mountpoint);
  if (top === null || top.kind !== 'dir' || !top.mountRoot || sys.statfs(mountpoint).type !== OVERLAYFS_MAGIC)
    return { ...result, failed, skipped: `${mountpoint} is not an overlay mount` };
  for (const [rel, label] of o.entries) {
    const path = rel === '' ? mountpoint : under(mountpoint, `/${rel}`);
    try {
      const st = rel === '' ? top : sys.lookupNoSymlinks(dirname(path)) === 'exists' ? tryLstat(sys, path) : null;
      if (st === null) result.gone++;
      else if (st.mountId !== top.mountId) result.covered++;
      else if (readLabel(sys, path) === label) result.unchanged++;
      else {
        writeLabel(sys, path, label);
        result.relabelled++;
      }
    } catch (e) {
      failed.push({ path, error: isSysError(e) ? e.text : e instanceof Error ? e.message : String(e) });
    }
  }
  return { ...result, failed };
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
