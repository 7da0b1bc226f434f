// Pivot mode: for an initramfs without systemd (or prepare-root as its init), hand the prepared
// root over ourselves: carry /proc, /sys, /dev and /run into it (/run holds /run/ostree-booted,
// ostree#3418), make it the root, and exec the real init in place of this process.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PrepareRootError } from './errors.js';
import type { Mounter } from './mounter.js';
import { mountAt } from './mountinfo.js';
import { readMountInfo } from './probe.js';

export const API_FILESYSTEMS = ['/proc', '/sys', '/dev', '/run'] as const;

export function handOver(root: string, init: string, mounter: Mounter, info: (line: string) => void): never {
  const mounts = readMountInfo();
  if (!existsSync(`${root}${init}`)) {
    throw new PrepareRootError(`init ${init}`, `does not exist in the new root ${root}`);
  }
  for (const fs of API_FILESYSTEMS) {
    if (mountAt(mounts, fs) === undefined) continue;
    if (!existsSync(`${root}${fs}`)) throw new PrepareRootError(`handover ${fs}`, `${root}${fs} does not exist to receive it`);
    mounter.exec(['mount', '--move', fs, `${root}${fs}`]);
  }
  // pivot_root(".", "."): the old root ends up stacked on the new one and is detached lazily;
  // pivot_root(2) moves the root and cwd of every process whose root was the old one, us included.
  const pivot = spawnSync('pivot_root', ['.', '.'], { cwd: root, encoding: 'utf8' });
  if (pivot.status === 0) {
    process.chdir('/');
    mounter.exec(['umount', '--lazy', '.'], '/');
    info(`switched root to ${root}, executing ${init}`);
    execInit(init, [init]);
  }
  // The initramfs root (rootfs) cannot be pivoted away; util-linux switch_root handles that case
  // by moving the new root over / and chrooting (it moves the API filesystems again if needed).
  info(`pivot_root not possible here (${pivot.stderr.trim() || pivot.error?.message}); using switch_root`);
  execInit('switch_root', ['switch_root', root, init]);
}

function execInit(file: string, argv: string[]): never {
  const execve = (process as unknown as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (execve === undefined) throw new PrepareRootError('handover', `this Node.js (${process.version}) has no process.execve; pivot mode needs the prepare-root binary`);
  const path = file.startsWith('/') ? file : whichOrThrow(file);
  return execve(path, argv, process.env);
}

function whichOrThrow(name: string): string {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    if (existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  throw new PrepareRootError('handover', `${name} not found in PATH`);
}
