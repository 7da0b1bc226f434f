// `prepare-root diff`: which overlays lose their changes at reboot, what each is compared with,
// and which of its paths the user asked about.
import { PrepareRootError } from '../base/errors.js';
import { COMPOSEFS_SCRATCH } from '../base/paths.js';
import { under } from '../base/posix-path.js';
import type { MountEntry } from '../formats/mountinfo.js';
import { type Change, diffUpper } from '../overlayfs/upper-diff.js';
import type { System } from '../platform/system.js';
import { collectStatus } from './report.js';

export interface DiffSet {
  /** Where the overlay is mounted in the booted system. */
  readonly path: string;
  readonly upper: string;
  readonly lower: readonly string[];
}

/**
 * What to compare an upper with. A composefs root's lower is the EROFS image, mounted only at
 * boot (its scratch point is empty now); the deployment's checkout next to the image holds the
 * same tree, and the physical root shows it under /sysroot.
 */
function comparableLower(lower: readonly string[], deployment: string | null, root: string): string[] {
  if (!lower.includes(COMPOSEFS_SCRATCH)) return [...lower];
  if (deployment === null)
    throw new PrepareRootError(
      'diff',
      'the composefs image behind / is not mounted and no deployment is recorded to compare with',
    );
  return [under(root, `/sysroot/${deployment}`)];
}

/** The transient overlays of the booted system at `root`. */
export function transientSets(sys: System, mounts: readonly MountEntry[], root: string): DiffSet[] {
  const report = collectStatus(sys, mounts, root);
  return report.overlays
    .filter((o) => o.transient && o.upper !== null)
    .map((o) => ({ path: o.path, upper: o.upper!, lower: comparableLower(o.lower, report.deployment, root) }));
}

/**
 * The PATH arguments as paths inside an overlay mounted at `mountPath`: [] for everything, null
 * when none of them touches it.
 */
export function pathsInside(mountPath: string, paths: readonly string[]): string[] | null {
  if (paths.length === 0) return [];
  const inside: string[] = [];
  for (const raw of paths) {
    const p = raw.length > 1 ? raw.replace(/\/+$/, '') : raw;
    if (mountPath === '/') inside.push(p);
    else if (p === mountPath || p.startsWith(`${mountPath}/`)) inside.push(p.slice(mountPath.length) || '/');
    else if (mountPath.startsWith(p === '/' ? '/' : `${p}/`)) inside.push('/');
  }
  if (inside.length === 0) return null;
  return inside.includes('/') ? [] : inside;
}

/** Every change of every set, as paths of the booted system, limited to `paths` (all when empty). */
export function changesOf(sys: System, sets: readonly DiffSet[], paths: readonly string[]): Change[] {
  return sets.flatMap((set) => {
    const inside = pathsInside(set.path, paths);
    if (inside === null) return [];
    const prefix = set.path === '/' ? '' : set.path;
    return diffUpper(sys, set.upper, set.lower, inside).map((c) => ({ ...c, path: `${prefix}${c.path}` }));
  });
}
