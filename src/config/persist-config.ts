// `[persist] paths=/etc/ssh;/opt/app/data;/root`: paths of the new root kept across reboots even
// when / or /etc is transient, each bind-mounted from a store under the stateroot's /var. GLib
// string-list syntax (`;`-separated, `\;` for a literal semicolon, a trailing `;` allowed).
import { PrepareRootError } from '../base/errors.js';
import { isUnder } from '../base/posix-path.js';
import { type KeyFileEntry, splitGlibList } from '../formats/keyfile.js';
import { refusedPath } from './path-rules.js';

/** The persisted paths of `[persist] paths`, validated: absolute, normal, not nested, not refused. */
export function parsePersistPaths(entry: KeyFileEntry, file: string): string[] {
  const where = `${file}:${entry.line}`;
  const paths = splitGlibList(entry.value.trimEnd());
  for (const p of paths) {
    const refused = refusedPath(p, 'use a persistent root instead', false);
    if (refused !== null) throw new PrepareRootError(where, `persist.paths: “${p}” ${refused}`);
  }
  paths.forEach((a, i) => paths.slice(i + 1).forEach((b) => {
    if (a === b) throw new PrepareRootError(where, `persist.paths: “${a}” is listed twice`);
    if (isUnder(a, b) || isUnder(b, a)) throw new PrepareRootError(where, `persist.paths: “${a}” and “${b}” overlap: persist only the outer one`);
  }));
  return paths;
}
