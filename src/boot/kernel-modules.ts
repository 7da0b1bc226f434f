// The kernel modules a prepare needs (overlay; erofs and loop for composefs), loaded without kmod
// and without an initramfs: from the root's own lib/modules/RELEASE as depmod described it, each
// module after what it needs (modules.dep, modules.softdep's pre:), compressed files decompressed
// by the kernel itself, with the parameters the kernel command line gives them (NAME.KEY=VALUE),
// as modprobe would. What is built in or loaded already is left alone.
import { PrepareRootError, isSysError, reasonOf } from '../base/errors.js';
import { PROC_FILE_MAX } from '../base/limits.js';
import { utf8Decode } from '../base/text.js';
import { exists, readOptional } from '../fs/files.js';
import {
  compressionOf,
  moduleName,
  parseModulesBuiltin,
  parseModulesDep,
  parseSoftdeps,
} from '../formats/modules-dep.js';
import type { System } from '../platform/system.js';

/** What became of a module asked for. */
export interface ModuleLoad {
  readonly name: string;
  /**
   * built-in or present: nothing to do; loaded: by this run (with what it needs); missing: no
   * file for it (built in without a trace, or the mount that needs it fails and says so).
   */
  readonly state: 'built-in' | 'present' | 'loaded' | 'missing';
}

/** `NAME.KEY=VALUE` tokens of the kernel command line for this module, as finit_module takes them. */
export function moduleParams(cmdline: string, name: string): string {
  return cmdline
    .split(' ')
    .filter((t) => {
      const dot = t.indexOf('.');
      return dot > 0 && t.indexOf('=') > dot && t.slice(0, dot).replaceAll('-', '_') === name;
    })
    .map((t) => t.slice(t.indexOf('.') + 1))
    .join(' ');
}

/** Why the kernel refused a module, in words, for the errnos finit_module documents. */
function refusal(e: unknown): string {
  if (isSysError(e, 'ENOENT')) return 'it needs a symbol no loaded module has (a module it needs is missing)';
  if (isSysError(e, 'ENOEXEC')) return 'it is not a module for this kernel';
  if (isSysError(e, 'EKEYREJECTED') || isSysError(e, 'ENOKEY') || isSysError(e, 'EBADMSG'))
    return `its signature is not accepted (${reasonOf(e)})`;
  return reasonOf(e);
}

export function loadKernelModules(sys: System, dir: string, names: readonly string[], cmdline: string): ModuleLoad[] {
  const read = (name: string) => {
    const bytes = readOptional(sys, `${dir}/${name}`, PROC_FILE_MAX);
    return bytes === null ? '' : utf8Decode(bytes);
  };
  const loaded = (name: string) => exists(sys, `/sys/module/${name}`);
  if (names.every(loaded)) return names.map((name) => ({ name, state: 'present' }));
  const deps = parseModulesDep(read('modules.dep'), `${dir}/modules.dep`);
  const builtin = parseModulesBuiltin(read('modules.builtin'));
  const softPre = parseSoftdeps(read('modules.softdep'));
  const kernelDecompresses = utf8Decode(readOptional(sys, '/sys/module/compression', 64) ?? new Uint8Array()).trim();

  const loadFile = (file: string, neededBy: string | null) => {
    const name = moduleName(file);
    if (loaded(name) || builtin.has(name)) return;
    const compression = compressionOf(file);
    if (compression !== null && compression !== kernelDecompresses) {
      throw new PrepareRootError(
        { path: `${dir}/${file}` },
        `cannot load module ${name}: it is ${compression}-compressed and this kernel decompresses ${kernelDecompresses === '' ? 'no module' : `only ${kernelDecompresses}`} (CONFIG_MODULE_DECOMPRESS)`,
      );
    }
    try {
      sys.loadModule(`${dir}/${file}`, moduleParams(cmdline, name), compression !== null);
    } catch (e) {
      throw new PrepareRootError(
        { path: `${dir}/${file}` },
        `cannot load module ${name}${neededBy === null ? '' : ` (needed by ${neededBy})`}: ${refusal(e)}`,
        { cause: e },
      );
    }
  };
  const load = (name: string, seen: Set<string>, neededBy: string | null): void => {
    if (seen.has(name) || loaded(name) || builtin.has(name)) return;
    seen.add(name);
    const entry = deps.get(name);
    if (entry === undefined) return;
    for (const pre of softPre.get(name) ?? []) load(pre, seen, name);
    for (const need of [...entry.needs].reverse()) loadFile(need, name);
    loadFile(entry.file, neededBy);
  };
  return names.map((name) => {
    if (loaded(name)) return { name, state: 'present' };
    if (builtin.has(name)) return { name, state: 'built-in' };
    if (!deps.has(name)) return { name, state: 'missing' };
    load(name, new Set(), null);
    return { name, state: 'loaded' };
  });
}
