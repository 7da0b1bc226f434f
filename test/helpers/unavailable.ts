// What the test Systems cannot do (they have no kernel behind them for it): each throws, naming itself.
import type { System } from '../../src/platform/system.js';

export const unavailable = (what: string, where: string) => (): never => {
  throw new Error(`${what} is not available in the ${where}`);
};

/** Mounts, loop devices, fs-verity, modules, chroot, execve and spawning, as one spread-in part of a System. */
export function withoutKernel(
  where: string,
): Pick<
  System,
  | 'bindMount'
  | 'mountFs'
  | 'moveMount'
  | 'setMountAttrs'
  | 'setFsReadonly'
  | 'unmount'
  | 'attachLoop'
  | 'measureVerity'
  | 'chroot'
  | 'execve'
  | 'spawn'
  | 'sleep'
  | 'fillStdio'
  | 'tryLock'
  | 'enterTmpfsRoot'
  | 'loadModule'
> {
  return {
    bindMount: unavailable('mount', where),
    mountFs: unavailable('mount', where),
    moveMount: unavailable('mount', where),
    setMountAttrs: unavailable('mount', where),
    setFsReadonly: unavailable('mount', where),
    unmount: unavailable('umount', where),
    attachLoop: unavailable('loop devices', where),
    measureVerity: unavailable('fs-verity', where),
    chroot: unavailable('chroot', where),
    execve: unavailable('execve', where),
    spawn: unavailable('spawn', where),
    sleep: unavailable('sleep', where),
    fillStdio: unavailable('fds 0-2', where),
    tryLock: unavailable('flock', where),
    enterTmpfsRoot: unavailable('mount', where),
    loadModule: unavailable('kernel modules', where),
  };
}
