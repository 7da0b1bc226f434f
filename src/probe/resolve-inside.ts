// Resolve a path as the booted system will see it, with `root` as its / : absolute symlinks are
// followed relative to `root`, and `..` never leaves it. Used to look into a deployment before
// it is mounted.
import { join } from '../base/posix-path.js';
import { tryLstat } from '../fs/files.js';
import type { System } from '../platform/system.js';

const MAX_LINKS = 40;

/**
 * Where `target` lands inside `root` once symlinks are followed as the booted system will follow
 * them, as a path of that system; the part that does not exist is kept as written (a link loop
 * counts as not existing).
 */
export function locateInside(sys: System, root: string, target: string): { path: string; exists: boolean } {
  const pending = target.split('/').filter((c) => c !== '' && c !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '..') {
      resolved.pop();
      continue;
    }
    const st = tryLstat(sys, join(root, ...resolved, name));
    if (st === null) return { path: `/${[...resolved, name, ...pending].join('/')}`, exists: false };
    if (st.kind === 'symlink') {
      if (++links > MAX_LINKS) return { path: `/${[...resolved, name, ...pending].join('/')}`, exists: false };
      const link = sys.readlink(join(root, ...resolved, name));
      if (link.startsWith('/')) resolved.length = 0;
      pending.unshift(...link.split('/').filter((c) => c !== '' && c !== '.'));
      continue;
    }
    resolved.push(name);
  }
  return { path: `/${resolved.join('/')}`, exists: true };
}

/** Where `target` lands inside `root` (as locateInside), and what is there. */
export function locateKind(
  sys: System,
  root: string,
  target: string,
): { inRoot: string; kind: 'dir' | 'file' | 'absent' | 'other' } {
  const { path: inRoot, exists } = locateInside(sys, root, target);
  if (!exists) return { inRoot, kind: 'absent' };
  const kind = sys.lstat(join(root, inRoot)).kind;
  return { inRoot, kind: kind === 'dir' || kind === 'file' ? kind : 'other' };
}

/** The host path of `target` inside `root`, or null when it does not exist (or loops). */
export function resolveInside(sys: System, root: string, target: string): string | null {
  const found = locateInside(sys, root, target);
  return found.exists ? join(root, found.path) : null;
}
