// What depmod leaves in lib/modules/RELEASE, for loading modules without kmod: modules.dep (each
// module's file and, transitively, the files it needs, nearest last), modules.builtin (what the
// kernel has built in) and modules.softdep (modules to load before another, if there are any).
// Pure: the caller reads the files.
import { PrepareRootError } from '../base/errors.js';

/** A module's name as the kernel knows it: the file's name without .ko and compression, `-` as `_`. */
export function moduleName(file: string): string {
  return file
    .slice(file.lastIndexOf('/') + 1)
    .replace(/\.ko(?:\.(?:xz|zst|gz))?$/, '')
    .replaceAll('-', '_');
}

/** How a module file is compressed, as /sys/module/compression names it; null when it is not. */
export function compressionOf(file: string): 'xz' | 'zstd' | 'gzip' | null {
  if (file.endsWith('.ko.xz')) return 'xz';
  if (file.endsWith('.ko.zst')) return 'zstd';
  if (file.endsWith('.ko.gz')) return 'gzip';
  return null;
}

export interface ModuleEntry {
  /** Relative to the modules directory. */
  readonly file: string;
  /** What it needs, relative too, as depmod lists them: load them last to first. */
  readonly needs: readonly string[];
}

const MODULE_FILE = /^[A-Za-z0-9._+/-]+\.ko(?:\.(?:xz|zst|gz))?$/;

/** modules.dep: `file: needed...` a line. A line that is not one is an error naming it. */
export function parseModulesDep(text: string, path: string): Map<string, ModuleEntry> {
  const modules = new Map<string, ModuleEntry>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const file = line.slice(0, colon);
    const needs = line
      .slice(colon + 1)
      .split(' ')
      .filter((f) => f !== '');
    if (colon < 0 || ![file, ...needs].every((f) => MODULE_FILE.test(f) && !f.split('/').includes('..')))
      throw new PrepareRootError({ file: path, line: i + 1 }, "not a line of depmod's (“file.ko: needed.ko ...”)");
    modules.set(moduleName(file), { file, needs });
  }
  return modules;
}

/** modules.builtin: a file a line; the names of what is built in. */
export function parseModulesBuiltin(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => moduleName(l.trim())),
  );
}

/** modules.softdep: `softdep NAME pre: A B post: C` → the `pre:` modules of each name. */
export function parseSoftdeps(text: string): Map<string, readonly string[]> {
  const pre = new Map<string, readonly string[]>();
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== 'softdep' || words[1] === undefined) continue;
    const names: string[] = [];
    let inPre = false;
    for (const w of words.slice(2)) {
      if (w.endsWith(':')) inPre = w === 'pre:';
      else if (inPre) names.push(w.replaceAll('-', '_'));
    }
    pre.set(words[1].replaceAll('-', '_'), names);
  }
  return pre;
}
