// prepare-root as the kernel's init, without an initramfs (init=/usr/lib/prepare-root/prepare-root):
// its arguments are the real init's (the kernel passes the command line's bare words), never
// ours. It makes the initramfs there was not (boot/init-root.ts), prepares /sysroot as from one,
// and hands over; a failure never ends PID 1 (an emergency shell from the physical root).
import { environment } from '../boot/handover.js';
import { type ShellSource, neverExit } from '../boot/emergency.js';
import { INIT_SYSROOT, afterInitramfs, inInitRoot, initOf, makeInitRoot } from '../boot/init-root.js';
import { readKernelCmdline } from '../boot/prepare.js';
import { oneLine } from '../base/text.js';
import type { System } from '../platform/system.js';
import type { Output } from './args.js';
import { prepareAndHandOver } from './run.js';

const FROM_PHYSICAL_ROOT: ShellSource = { root: INIT_SYSROOT, name: 'the physical root' };

export function commandInit(sys: System, initArgs: readonly string[], io: Output): never {
  const say = (line: string) => io.out(oneLine(`prepare-root: ${line}`));
  if (afterInitramfs(sys)) {
    const init = initOf(readKernelCmdline(sys, undefined));
    say(`an initramfs has prepared this root already: executing ${init}`);
    return sys.execve(init, [init, ...initArgs], environment(sys));
  }
  return neverExit(
    sys,
    () => {
      const root = makeInitRoot(sys);
      const loaded = root.modules.filter((m) => m.state === 'loaded').map((m) => m.name);
      if (loaded.length > 0) say(`kernel modules loaded from the root: ${loaded.join(', ')}`);
      for (const m of root.modules.filter((m) => m.state === 'missing' && root.asked.includes(m.name))) {
        io.err(
          oneLine(`prepare-root: rd.modules-load=${m.name}: no such module in the root, nor built in: not loaded`),
        );
      }
      prepareAndHandOver(sys, io, {
        sysrootArg: INIT_SYSROOT,
        verbose: false,
        pivot: true,
        init: root.init,
        initArgs,
        initramfs: false,
      });
    },
    io.err,
    // Until the tmpfs root is in place, / is the physical root itself.
    () => (inInitRoot(sys) ? FROM_PHYSICAL_ROOT : { root: '/', name: 'the physical root' }),
  );
}
