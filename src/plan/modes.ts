// The modes a root is prepared in, and every question asked of one. status.json names them
// (formats/status-file.ts holds the names, as its format); everything else asks here.
import { isUnder } from '../base/posix-path.js';
import type { RootMode } from '../config/config.js';
import type { RootModeName } from '../formats/status-file.js';

export type Mode = RootModeName;

/** An ostree boot: the deployment bound (legacy), its composefs image, or a transient root over either. */
export function ostreeMode(root: RootMode, composefs: boolean): Mode {
  if (root !== 'persistent') return root;
  return composefs ? 'composefs' : 'legacy';
}

/** A plain root: itself, a transient overlay over it in memory, or with its upper on a device. */
export function plainMode(root: RootMode, upperOnDevice: boolean): Mode {
  if (root === 'persistent') return 'plain';
  return upperOnDevice ? 'plain-overlay' : `plain-${root}`;
}

/** The mode an ostree boot was prepared in, read back from /run/ostree-booted's metadata. */
export function modeOfOstreeBooted(booted: Readonly<Record<string, unknown>>): Mode {
  const root: RootMode =
    booted['root.transient-ro'] === true
      ? 'transient-ro'
      : booted['root.transient'] === true
        ? 'transient'
        : 'persistent';
  return ostreeMode(root, booted.composefs === true);
}

/** / is an overlay with a writable upper: in memory (transient), or on its own device (plain-overlay). */
export function hasRootUpper(mode: Mode): boolean {
  return mode !== 'legacy' && mode !== 'composefs' && mode !== 'plain';
}

/** / is made read-only once it is assembled. */
export function isReadonlyRoot(mode: Mode): boolean {
  return mode === 'transient-ro' || mode === 'plain-transient-ro';
}

/**
 * Whether a path the image lacks can get a mount point (for an overlay or a persisted path): in
 * the upper of an overlay over /, or, in a legacy root, under /etc, which is the deployment's own
 * mutable /etc (or a transient one). Elsewhere it would be made in the image itself: a composefs
 * image is read-only, the rest of an ostree deployment is not to be changed, and a plain root's
 * physical root is what the user asked to keep as it is.
 */
export function canMakeMountPoint(mode: Mode, path: string): boolean {
  return hasRootUpper(mode) || (mode === 'legacy' && isUnder(path, '/etc'));
}
