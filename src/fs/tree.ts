// Whole trees: create the missing parents of a path, remove a tree that must hold no mounts, and
// copy a tree with everything cp --archive --preserve=all keeps (owner, mode, times, xattrs,
// hard links, symlinks, device nodes), so seeding a persisted path needs no coreutils.
import { SysError } from '../base/errors.js';
import { dirname } from '../base/posix-path.js';
import type { FileStat, System } from '../platform/system.js';
import { tryLstat } from './files.js';

/** mkdir -p; returns the directories it created, outermost first. */
export function mkdirp(sys: System, dir: string, mode: number): string[] {
  const missing: string[] = [];
  let d = dir;
  for (let st = tryLstat(sys, d); st === null; st = tryLstat(sys, d)) {
    missing.unshift(d);
    d = dirname(d);
  }
  // What is there must be a directory: never create through a link (or onto a file).
  const there = sys.lstat(d);
  if (there.kind === 'symlink') throw new SysError(`mkdir -p ${dir}`, 'ELOOP', `refusing: ${d} is a symbolic link`);
  if (there.kind !== 'dir') throw new SysError(`mkdir -p ${dir}`, 'ENOTDIR', `${d} is not a directory`);
  const made: string[] = [];
  try {
    for (const d of missing) {
      sys.mkdir(d, mode);
      made.push(d);
    }
  } catch (e) {
    // All or nothing: the directories made so far are ours and empty.
    for (const d of made.reverse()) {
      try {
        sys.rmdir(d);
      } catch {
        /* the original error says more */
      }
    }
    throw e;
  }
  return missing;
}

/**
 * rm -r of `tree`; refuses (before removing anything) when something is mounted inside it, so
 * that removing never reaches into another filesystem. Nothing there is fine.
 */
export function removeTree(sys: System, tree: string): void {
  const top = tryLstat(sys, tree);
  if (top === null) return;
  const mounted = findMount(sys, tree, top);
  if (mounted !== null) throw new SysError(`rm -r ${tree}`, 'EBUSY', `refusing: ${mounted} is mounted inside it`);
  const remove = (path: string, st: FileStat): void => {
    if (st.kind !== 'dir') {
      sys.unlink(path);
      return;
    }
    for (const name of sys.readdir(path)) remove(`${path}/${name}`, sys.lstat(`${path}/${name}`));
    sys.rmdir(path);
  };
  remove(tree, top);
}

function findMount(sys: System, path: string, st: FileStat, top = st): string | null {
  if (st.mountId !== top.mountId || (st !== top && st.mountRoot)) return path;
  if (st.kind !== 'dir') return null;
  for (const name of sys.readdir(path)) {
    const found = findMount(sys, `${path}/${name}`, sys.lstat(`${path}/${name}`), top);
    if (found !== null) return found;
  }
  return null;
}

/** Copy `from` to `to` (which must not exist), keeping metadata; dirs get theirs after their content. */
export function copyTree(sys: System, from: string, to: string): void {
  const linked = new Map<string, string>();
  const copy = (src: string, dst: string): void => {
    const st = sys.lstat(src);
    if (st.kind !== 'dir' && st.nlink > 1) {
      const key = `${st.dev.major}:${st.dev.minor}:${st.ino}`;
      const first = linked.get(key);
      if (first !== undefined) {
        sys.link(first, dst);
        return;
      }
      linked.set(key, dst);
    }
    switch (st.kind) {
      case 'dir':
        sys.mkdir(dst, 0o700);
        for (const name of sys.readdir(src).sort()) copy(`${src}/${name}`, `${dst}/${name}`);
        break;
      case 'file':
        sys.copyFileData(src, dst);
        break;
      case 'symlink':
        sys.symlink(sys.readlink(src), dst);
        break;
      default:
        sys.mknod(dst, st.kind, 0o600, st.rdev);
    }
    for (const name of sys.listXattrs(src)) {
      const value = sys.getXattr(src, name);
      if (value !== null) sys.setXattr(dst, name, value);
    }
    sys.lchown(dst, st.uid, st.gid);
    // chown clears setuid/setgid: the mode goes on after it. A symlink has no mode of its own.
    if (st.kind !== 'symlink') sys.chmod(dst, st.mode);
    sys.lutimes(dst, st.atime, st.mtime);
  };
  copy(from, to);
}
