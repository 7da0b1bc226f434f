// Pivot mode: for an initramfs without systemd (or prepare-root as its init), hand the prepared
// root over ourselves. util-linux switch_root does exactly what is needed and works where
// pivot_root(2) cannot (the initramfs rootfs): it moves /dev, /proc, /sys and /run into the new
// root (/run carries /run/ostree-booted, ostree#3418), frees the initramfs, moves the new root
// onto / and chroots into it, then executes init. We replace this process with it. (That init
// exists was checked in the deployment before preparing: after this point there is no way back.)
import { existsSync } from 'node:fs';
import { PrepareRootError } from './errors.js';

export function handOver(root: string, init: string, info: (line: string) => void): never {
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (execve === undefined) {
    throw new PrepareRootError('handover', `this Node.js (${process.version}) has no process.execve; pivot mode needs the prepare-root binary`);
  }
  const switchRoot = which('switch_root');
  info(`switching root to ${root} and executing ${init}`);
  return execve(switchRoot, ['switch_root', root, init], process.env);
}

function which(name: string): string {
  for (const dir of (process.env.PATH || '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    if (existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  throw new PrepareRootError('handover', `${name} not found in PATH (util-linux is required)`);
}
