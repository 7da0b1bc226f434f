// overlayfs keeps its bookkeeping in xattrs, as trusted.overlay.* (or user.overlay.* for a mount
// with userxattr): whiteout, opaque, redirect, metacopy.
import { utf8Decode } from '../base/text.js';
import type { System } from '../platform/system.js';

const PREFIXES = ['trusted.overlay.', 'user.overlay.'];

/** The overlay xattrs of one entry (not followed if a symlink), by name without the prefix. */
export type OverlayXattrs = ReadonlyMap<string, Uint8Array>;

export function readOverlayXattrs(sys: System, path: string): OverlayXattrs {
  const found = new Map<string, Uint8Array>();
  for (const name of sys.listXattrs(path)) {
    const prefix = PREFIXES.find((p) => name.startsWith(p));
    if (prefix === undefined) continue;
    const value = sys.getXattr(path, name);
    const key = name.slice(prefix.length);
    if (value !== null && !found.has(key)) found.set(key, value);
  }
  return found;
}

export function xattrText(x: OverlayXattrs, name: string): string | undefined {
  const v = x.get(name);
  return v === undefined ? undefined : utf8Decode(v);
}
