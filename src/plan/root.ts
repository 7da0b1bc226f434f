// What / is made of when it is not a plain bind of the deployment: a transient overlay's tmpfs,
// or the composefs image.
import { COMPOSEFS_SCRATCH, STAGING_ROOT, TRANSIENT_ROOT_DIR } from '../base/paths.js';
import { under } from '../base/posix-path.js';
import type { Integrity, SharedConfig } from '../config/config.js';
import type { ComposefsImage } from '../probe/composefs-image.js';
import type { Facts } from '../probe/facts.js';
import type { Mode, Step } from './types.js';

/**
 * The step giving an upper the label of what it stands in for, so that the overlay's root shows
 * that label rather than the tmpfs'; none when SELinux is off.
 */
export function labelUpperStep(id: string, selinux: boolean, from: string, upper: string, what: string): Step[] {
  if (!selinux) return [];
  return [
    {
      id,
      kind: 'copy-label',
      from,
      to: upper,
      reason: `SELinux is on: ${what} shows the label of ${from}, not the tmpfs' (kept in labels.json across the policy load)`,
    },
  ];
}

/**
 * An overlay's upper and work dirs under `dir` (steps mkdir-NAME-upper, label-NAME-upper,
 * mkdir-NAME-work), the upper given the label of `labelFrom` (what it stands in for, `what`).
 * existOk: they may be there from an earlier boot (a persistent upper).
 */
export function upperWorkSteps(o: {
  readonly name: string;
  readonly dir: string;
  readonly existOk: boolean;
  readonly workMode?: number;
  readonly selinux: boolean;
  readonly labelFrom: string;
  readonly what: string;
  readonly reason: string;
  readonly workReason?: string;
}): Step[] {
  return [
    {
      id: `mkdir-${o.name}-upper`,
      kind: 'mkdir',
      path: `${o.dir}/upper`,
      mode: 0o755,
      existOk: o.existOk,
      overlayDir: 'upper',
      reason: o.reason,
    },
    ...labelUpperStep(`label-${o.name}-upper`, o.selinux, o.labelFrom, `${o.dir}/upper`, o.what),
    {
      id: `mkdir-${o.name}-work`,
      kind: 'mkdir',
      path: `${o.dir}/work`,
      mode: o.workMode ?? 0o700,
      existOk: o.existOk,
      overlayDir: 'work',
      reason: o.workReason ?? o.reason,
    },
  ];
}

/** The upper and work dirs of an overlay /. */
export const rootUpperWork = (name: string, dir: string, existOk: boolean, selinux: boolean, lower: string): Step[] =>
  upperWorkSteps({
    name,
    dir,
    existOk,
    selinux,
    labelFrom: lower,
    what: '/',
    reason: 'overlay upper of /',
    workReason: 'overlay work dir of /',
  });

/**
 * The dedicated tmpfs at `dir` holding a transient root's upper and work dirs; `lower` is the
 * root directory the upper stands over (its label is given to the upper).
 */
export function transientUpperSteps(config: SharedConfig, dir: string, selinux: boolean, lower: string): Step[] {
  const size = config.transientSize === null ? [] : [`size=${config.transientSize}`];
  const mode = config.rootMode;
  return [
    {
      id: 'mkdir-transient-root',
      kind: 'mkdir',
      path: dir,
      mode: 0o755,
      existOk: false,
      reason: `root.${mode}`,
    },
    {
      id: 'mount-transient-tmpfs',
      kind: 'tmpfs',
      target: dir,
      options: ['mode=0755', ...size],
      reason: `root.${mode}: writes to / go to this tmpfs${size.length ? ` (root.transient-size=${config.transientSize})` : ''}`,
    },
    ...rootUpperWork('transient', dir, false, selinux, lower),
  ];
}

/**
 * / as the composefs image: the EROFS metadata image mounted read-only at a private scratch
 * point, an overlay of it with the repo's objects as data-only layer (metacopy and redirects point
 * there), then the scratch mount detached (the overlay keeps it alive).
 */
export function composefsRootSteps(
  config: SharedConfig,
  facts: Facts,
  image: Extract<ComposefsImage, { state: 'valid' }>,
  integrity: Integrity,
  mode: Mode,
): Step[] {
  const transient = mode !== 'composefs';
  const verity = integrity !== 'none';
  return [
    {
      id: 'mount-composefs-image',
      kind: 'erofs',
      image: image.path,
      target: COMPOSEFS_SCRATCH,
      noacl: !image.hasAcl,
      reason: 'the composefs metadata image (EROFS)',
    },
    ...(transient ? transientUpperSteps(config, TRANSIENT_ROOT_DIR, facts.selinux, COMPOSEFS_SCRATCH) : []),
    {
      id: 'mount-composefs',
      kind: 'overlay',
      source: 'composefs',
      target: STAGING_ROOT,
      lower: [COMPOSEFS_SCRATCH],
      dataLower: [under(facts.sysroot, '/ostree/repo/objects')],
      upper: transient ? `${TRANSIENT_ROOT_DIR}/upper` : null,
      work: transient ? `${TRANSIENT_ROOT_DIR}/work` : null,
      readonly: !transient,
      options: ['metacopy=on', 'redirect_dir=on', ...(verity ? ['verity=require'] : [])],
      reason: `composefs: / is the deployment's image over the repo objects${verity ? ', every file fs-verity checked' : ''}${transient ? `, with a tmpfs upper (root.${mode})` : ''}`,
    },
    {
      id: 'detach-composefs-image',
      kind: 'detach',
      target: COMPOSEFS_SCRATCH,
      restoreFrom: null,
      endsUndoOf: 'mount-composefs-image',
      reason:
        'the overlay keeps the image mounted (unmounting it releases the image and its loop device); the scratch point is left empty',
    },
  ];
}
