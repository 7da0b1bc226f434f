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
  const trailing = p.endsWith('/') && joined !== '' ? '/' : '';
  return absolute ? `/${joined}${trailing}` : (joined === '' ? '.' : `${joined}${trailing}`);
}

export function join(...parts: string[]): string {
  return normalize(parts.filter((p) => p !== '').join('/'));
}

export function dirname(p: string): string {
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
