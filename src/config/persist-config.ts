// `[persist] paths=/etc/ssh;/opt/app/data;/root`: paths of the new root kept across reboots even
// when / or /etc is transient, each bind-mounted from a store under the stateroot's /var. GLib
// string-list syntax (`;`-separated, `\;` for a literal semicolon, a trailing `;` allowed).
import path from 'node:path';
import { PrepareRootError } from './errors.js';
import type { KeyFileEntry } from './keyfile.js';

/** Already persistent, or API filesystems and boot-time mounts that are not part of the image. */
const REFUSED = ['/var', '/sysroot', '/proc', '/sys', '/dev', '/run', '/tmp', '/boot'];

export function isUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(`${dir}/`);
}

/** GLib list: split on unescaped ';', then unescape each element; a trailing empty element is dropped. */
export function splitGlibList(value: string): string[] {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      const n = value[++i]!;
      current += n === 's' ? ' ' : n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
    } else if (c === ';') {
      items.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (current !== '') items.push(current);
  return items;
}

/** The persisted paths of `[persist] paths`, validated: absolute, normal, not nested, not refused. */
export function parsePersistPaths(entry: KeyFileEntry, file: string): string[] {
  const where = `${file}:${entry.line}`;
  const paths = splitGlibList(entry.value.trimEnd());
  for (const p of paths) {
    const fail = (why: string) => new PrepareRootError(where, `persist.paths: “${p}” ${why}`);
    if (!p.startsWith('/')) throw fail('is not an absolute path');
    if (p === '/') throw fail('is the whole root (use a persistent root instead)');
    if (path.posix.normalize(p) !== p || p.endsWith('/')) throw fail(`is not in normal form (${path.posix.normalize(p).replace(/(.)\/$/, '$1')})`);
    const refused = REFUSED.find((d) => isUnder(p, d));
    if (refused === '/var') throw fail('is under /var, which already persists');
    if (refused !== undefined) throw fail(`is under ${refused}, which is not part of the root image`);
  }
  paths.forEach((a, i) => paths.slice(i + 1).forEach((b) => {
    if (a === b) throw new PrepareRootError(where, `persist.paths: “${a}” is listed twice`);
    if (isUnder(a, b) || isUnder(b, a)) throw new PrepareRootError(where, `persist.paths: “${a}” and “${b}” overlap: persist only the outer one`);
  }));
  return paths;
}
