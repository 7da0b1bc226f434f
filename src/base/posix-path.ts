// POSIX path helpers (node:path is not available at boot).

/** Collapse `//`, `.` and `..` (never above the root for absolute paths), as path.posix.normalize. */
export function normalize(p: string): string {
  if (p === '') return '.';
  const absolute = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out.at(-1) !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  const trailing = p.endsWith('/') ? '/' : '';
  if (absolute) return joined === '' ? '/' : `/${joined}${trailing}`;
  return `${joined === '' ? '.' : joined}${trailing}`;
}

export function join(...parts: string[]): string {
  return normalize(parts.filter((p) => p !== '').join('/'));
}

export function dirname(p: string): string {
  if (/^\/+$/.test(p)) return '/';
  const trimmed = p.length > 1 ? p.replace(/\/+$/, '') : p;
  const i = trimmed.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return trimmed.slice(0, i);
}

export function basename(p: string): string {
  const trimmed = p.length > 1 ? p.replace(/\/+$/, '') : p;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** `p` is `dir` or inside it (both normal absolute paths). */
export function isUnder(p: string, dir: string): boolean {
  return dir === '/' || p === dir || p.startsWith(`${dir}/`);
}

/** `path` seen from a root mounted at `root`: `/` maps to `root`, everything else below it. */
export function under(root: string, path: string): string {
  return root === '/' ? path : path === '/' ? root : `${root}${path}`;
}

/** Order of paths component by component, so that a directory sorts right before what is inside it. */
function byComponents(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return x.length - y.length;
}

/**
 * The first two of `items` (in their given order) whose paths are equal or one inside the other,
 * or null: O(n log n). Sorted by components, a path inside another follows it, with only paths
 * inside that one between them, so neighbours tell.
 */
export function findNested<T>(items: readonly T[], pathOf: (item: T) => string): [T, T] | null {
  const sorted = items
    .map((item, index) => ({ item, index, path: pathOf(item) }))
    .sort((a, b) => byComponents(a.path, b.path) || a.index - b.index);
  let found: [(typeof sorted)[number], (typeof sorted)[number]] | null = null;
  for (let i = 1; i < sorted.length; i++) {
    const [outer, inner] = [sorted[i - 1]!, sorted[i]!];
    if (!isUnder(inner.path, outer.path)) continue;
    const pair: [typeof outer, typeof inner] = outer.index < inner.index ? [outer, inner] : [inner, outer];
    if (found === null || Math.max(pair[0].index, pair[1].index) < Math.max(found[0].index, found[1].index))
      found = pair;
  }
  return found === null ? null : [found[0].item, found[1].item];
}
