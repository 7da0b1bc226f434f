// Pivot mode: for an initramfs without systemd (or prepare-root as its init), hand the prepared
// root over ourselves, as switch_root(8) does (pivot_root(2) cannot leave the initramfs rootfs):
// move /dev, /proc, /sys and /run into the new root (/run carries /run/ostree-booted,
// ostree#3418), free the initramfs' files, move the new root onto / and chroot into it, then
// execute init. That init exists was checked in the deployment before preparing: after this
// point there is no way back.
import { failingAt, messageOf, reasonOf } from '../base/errors.js';
import { tryLstat } from '../fs/files.js';
import type { System } from '../platform/system.js';

const API_MOUNTS = ['/dev', '/proc', '/sys', '/run'];
const RAMFS_MAGIC = 0x858458f6;
const TMPFS_MAGIC = 0x01021994;

/** / is an initramfs' ramfs or tmpfs (or our own tmpfs root, without an initramfs). */
export const rootOnRamfs = (sys: System): boolean => [RAMFS_MAGIC, TMPFS_MAGIC].includes(sys.statfs('/').type);

const step = <T>(what: string, fn: () => T): T => failingAt(`handover: ${what}`, fn);

/** Remove the initramfs' own files (they would stay in RAM for good), never crossing into another filesystem. */
function freeInitramfs(sys: System, newRoot: string, log: (line: string) => void): void {
  if (!rootOnRamfs(sys)) return;
  const root = sys.lstat('/');
  const remove = (path: string): void => {
    const st = tryLstat(sys, path);
    if (
      st === null ||
      path === newRoot ||
      st.mountRoot ||
      st.dev.major !== root.dev.major ||
      st.dev.minor !== root.dev.minor
    )
      return;
    if (st.kind === 'dir') {
      for (const name of sys.readdir(path)) remove(`${path === '/' ? '' : path}/${name}`);
      if (path !== '/') sys.rmdir(path);
    } else {
      sys.unlink(path);
    }
  };
  try {
    remove('/');
  } catch (e) {
    // Freeing memory is a courtesy: the boot goes on without it.
    log(`warning: could not free all of the initramfs (${messageOf(e)}); continuing`);
  }
}

/** This process's environment as execve takes it (`KEY=value`), for what it runs next. */
export function environment(sys: System): string[] {
  return Object.entries(sys.env()).map(([k, v]) => `${k}=${v}`);
}

export function handOver(
  sys: System,
  newRoot: string,
  init: string,
  args: readonly string[],
  log: (line: string) => void,
): never {
  log(`switching root to ${newRoot} and executing ${init}`);
  for (const dir of API_MOUNTS) {
    const st = tryLstat(sys, dir);
    if (st === null || !st.mountRoot) continue;
    const target = `${newRoot}${dir}`;
    try {
      sys.moveMount(dir, target);
    } catch (e) {
      // As switch_root: what cannot move (no such dir in the new root) is detached instead.
      log(`warning: could not move ${dir} to ${target} (${reasonOf(e)}); detaching it`);
      try {
        sys.unmount(dir, true);
      } catch {
        /* it goes away with the initramfs anyway */
      }
    }
  }
  step(`chdir ${newRoot}`, () => sys.chdir(newRoot));
  freeInitramfs(sys, newRoot, log);
  step(`move ${newRoot} to /`, () => sys.moveMount('.', '/'));
  step('chroot', () => sys.chroot('.'));
  step('chdir /', () => sys.chdir('/'));
  return step(`execute ${init}`, () => sys.execve(init, [init, ...args], environment(sys)));
}
