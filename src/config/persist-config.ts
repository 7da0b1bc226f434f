// `[persist] paths=/etc/ssh;/opt/app/data;/root`: paths of the new root kept across reboots even
// when / or /etc is transient, each bind-mounted from a store under the stateroot's /var (a plain
// root's own /var). GLib
// string-list syntax (`;`-separated, `\;` for a literal semicolon, a trailing `;` allowed).
import { PrepareRootError } from '../base/errors.js';
import { MAX_PERSIST_PATHS } from '../base/limits.js';
import { findNested } from '../base/posix-path.js';
import { type KeyFileEntry, splitGlibList } from '../formats/keyfile.js';
import { refusedPath } from './path-rules.js';

/**
 * The persisted paths of `[persist] paths`, validated: absolute, normal, not nested, not refused
 * (`varPersists`: /var persists anyway, so paths under it are refused).
 */
export function parsePersistPaths(entry: KeyFileEntry, file: string, varPersists: boolean): string[] {
  const where = { file, line: entry.line };
  const paths = splitGlibList(entry.value.trimEnd());
  if (paths.length > MAX_PERSIST_PATHS) {
    throw new PrepareRootError(
      where,
      `persist.paths: ${paths.length} paths, more than ${MAX_PERSIST_PATHS} (a limit of prepare-root)`,
    );
  }
  for (const p of paths) {
    const refused = refusedPath(p, 'use a persistent root instead', false, varPersists);
    if (refused !== null) throw new PrepareRootError(where, `persist.paths: “${p}” ${refused}`);
  }
  const nested = findNested(paths, (p) => p);
  if (nested !== null) {
    const [a, b] = nested;
    throw new PrepareRootError(
      where,
      a === b
        ? `persist.paths: “${a}” is listed twice`
        : `persist.paths: “${a}” and “${b}” overlap: persist only the outer one`,
    );
  }
  return paths;
}
