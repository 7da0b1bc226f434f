// Without an initramfs: prepare-root as the kernel's init (init=.../prepare-root). The kernel has
// mounted the physical root (root=, read-only unless rw) on / and started us as PID 1 with
// nothing else: no /proc, /sys, /dev or /run. We make the initramfs there was not: a tmpfs over
// / (nothing is written to the physical root), the physical root at /sysroot inside it, the API
// filesystems, the config files and the kernel modules the prepare needs, both from the root
// itself (without an initramfs, the root the kernel booted is what there is to trust). From
// there the boot is the one from an initramfs without systemd, handed over in pivot mode.
import { PrepareRootError, failingAt, reasonOf } from '../base/errors.js';
import { CONFIG_MAX } from '../base/limits.js';
import { DEFAULT_INIT } from '../base/paths.js';
import { dirname, under } from '../base/posix-path.js';
import { findLastKarg, findOstreeTarget, modulesToLoadOf } from '../config/cmdline.js';
import { type BootTarget, rootKargOf } from '../config/config.js';
import { exists, isMissing, readOptional, tryLstat } from '../fs/files.js';
import { mkdirp } from '../fs/tree.js';
import type { FsOption, System } from '../platform/system.js';
import { resolveDeployment } from '../probe/deployment.js';
import { rootOnRamfs } from './handover.js';
import { type ModuleLoad, loadKernelModules } from './kernel-modules.js';
import { readKernelCmdline } from './prepare.js';
import { bootTarget, configPathsFor } from './targets/index.js';

/** Ours: the init to execute after preparing, instead of /sbin/init (the last one wins). */
export const INIT_KARG = 'prepare-root.init';
/** Where the physical root is, inside the tmpfs root: where an initramfs has it. */
export const INIT_SYSROOT = '/sysroot';

/** The API filesystems systemd and every init expect, mounted in the tmpfs root. */
const API_FILESYSTEMS: ReadonlyArray<readonly [string, string, readonly FsOption[]]> = [
  ['proc', '/proc', []],
  ['sysfs', '/sys', []],
  ['devtmpfs', '/dev', [['mode', '0755']]],
  ['tmpfs', '/run', [['mode', '0755']]],
];

/** The modules each kind of root may need to mount (composefs: erofs, and loop where erofs cannot use the file). */
const NEEDED_MODULES: { readonly [K in BootTarget]: readonly string[] } = {
  plain: ['overlay'],
  ostree: ['overlay', 'erofs', 'loop'],
};

/**
 * PID 1 started by the kernel on the physical root, not by an initramfs: / is a disk's
 * filesystem, not the initramfs' ramfs or tmpfs.
 */
export function isKernelInit(sys: System): boolean {
  return sys.pid === 1 && !rootOnRamfs(sys);
}

/** Our tmpfs root is in place: / was the physical root when we started (a retry finds it covered). */
export const inInitRoot = rootOnRamfs;

/** What the boot goes on with. */
export interface InitRoot {
  readonly cmdline: string;
  /** The init to execute in the new root. */
  readonly init: string;
  readonly modules: readonly ModuleLoad[];
  /** The modules rd.modules-load= asked for (a storage driver for root.upper-device, say). */
  readonly asked: readonly string[];
}

/**
 * An initramfs ran before us and executed init= in the root it prepared (Raspberry Pi firmware
 * loads one when it finds one): there is nothing left for us to do.
 */
export function afterInitramfs(sys: System): boolean {
  return !inInitRoot(sys) && exists(sys, '/proc/self');
}

export function initOf(cmdline: string): string {
  return findLastKarg(cmdline, INIT_KARG) ?? DEFAULT_INIT;
}

const step = <T>(what: string, fn: () => T): T => failingAt(`init: ${what}`, fn);

/** Make (or, on a retry, refresh) the tmpfs root an initramfs would have been. */
export function makeInitRoot(sys: System): InitRoot {
  if (!inInitRoot(sys)) step('a tmpfs over /', () => sys.enterTmpfsRoot(INIT_SYSROOT, [['mode', '0755']]));
  for (const [fstype, target, options] of API_FILESYSTEMS) {
    if (tryLstat(sys, target)?.mountRoot === true) continue;
    step(`mount ${fstype} on ${target}`, () => {
      if (!exists(sys, target)) sys.mkdir(target, 0o755);
      sys.mountFs(fstype, fstype, target, options, { readonly: false });
    });
  }
  // The kernel gives PID 1 no fds 0-2 when it found no console: a file opened now would be one.
  step('fds 0-2', () => {
    try {
      sys.fillStdio('/dev/console');
    } catch {
      sys.fillStdio('/dev/null');
    }
  });
  const cmdline = readKernelCmdline(sys, undefined);
  const init = initOf(cmdline);
  const target = bootTarget(cmdline);
  const image = configImage(sys, INIT_SYSROOT, cmdline);
  copyConfig(sys, image, configPathsFor(target));
  // rd.prepare-root=off: the real init at once, with nothing loaded for a prepare that is not made.
  if (target === 'plain' && rootKargOf(cmdline) === 'off') return { cmdline, init, modules: [], asked: [] };
  const release = step('uname', () => sys.kernelRelease());
  const dir = [`${image}/usr/lib/modules/${release}`, `${image}/lib/modules/${release}`].find((d) => exists(sys, d));
  // As an initramfs would, the modules rd.modules-load= names too: udev is not there to load drivers.
  const asked = modulesToLoadOf(cmdline);
  const names = [...new Set([...NEEDED_MODULES[target], ...asked])];
  const modules = loadKernelModules(sys, dir ?? `${image}/usr/lib/modules/${release}`, names, cmdline);
  return { cmdline, init, modules, asked };
}

/**
 * Where the config, the init and the modules come from without an initramfs: a plain root
 * itself, or the deployment ostree= names in it.
 */
export function configImage(sys: System, sysroot: string, cmdline: string): string {
  const ostree = findOstreeTarget(cmdline);
  return ostree === null ? sysroot : resolveDeployment(sys, sysroot, ostree).path;
}

/**
 * The config files of that kind of boot, from the image to the same paths in the tmpfs root,
 * where the boot reads them; one the image does not have is not there either (a retry after it
 * was removed from the image in the emergency shell must not find the old copy).
 */
function copyConfig(sys: System, image: string, paths: readonly string[]): void {
  for (const path of paths) {
    const from = under(image, path);
    let data: Uint8Array | null;
    try {
      data = readOptional(sys, from, CONFIG_MAX);
    } catch (e) {
      throw new PrepareRootError({ path: from }, `cannot read config: ${reasonOf(e)}`, { cause: e });
    }
    step(`copy ${from}`, () => {
      if (data === null) {
        try {
          sys.unlink(path);
        } catch (e) {
          if (!isMissing(e)) throw e;
        }
        return;
      }
      mkdirp(sys, dirname(path), 0o755);
      sys.writeFile(path, data, { mode: 0o644, exclusive: false, sync: false });
    });
  }
}
