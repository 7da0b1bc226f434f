// PID 1 must never exit: the kernel would panic ("Attempted to kill init") and the user would see
// that instead of why the boot failed. As PID 1 (an /init that execs us, or the dracut shell
// flavour's hand-over), a failed attempt puts its error on the console, then starts an emergency
// shell from the initramfs, and tries again when the shell exits; with no shell, or no console
// for one, it holds with the message on the console.
import { formatError } from '../base/errors.js';
import { under } from '../base/posix-path.js';
import { exists } from '../fs/files.js';
import type { System } from '../platform/system.js';
import { environment } from './handover.js';
import { KMSG_ERR, toKmsg } from './kmsg.js';

export const EMERGENCY_SHELLS = ['/bin/sh', '/usr/bin/sh', '/bin/bash', '/usr/bin/bash'];

/** A shell that ends sooner than this had nothing to read (no console): trying again would only loop. */
const NO_CONSOLE_SECONDS = 2;

/** Run `attempt` (which hands over, never returning, on success) until it succeeds; never return. */
/** Where the emergency shell comes from: a root to look for one in (and run it chrooted there), and its name. */
export interface ShellSource {
  readonly root: string;
  readonly name: string;
}

const FROM_INITRAMFS: ShellSource = { root: '/', name: 'the initramfs' };

export function neverExit(
  sys: System,
  attempt: () => void,
  err: (line: string) => void,
  shells: () => ShellSource = () => FROM_INITRAMFS,
): never {
  const say = (line: string) => {
    err(line);
    toKmsg(sys, KMSG_ERR, line);
  };
  for (;;) {
    try {
      attempt();
      say('prepare-root: internal error: the hand-over returned');
    } catch (e) {
      say(formatError(e));
    }
    const from = shells();
    const shell = EMERGENCY_SHELLS.find((s) => exists(sys, under(from.root, s)));
    if (shell === undefined) hold(sys, say, `no emergency shell in ${from.name} (${EMERGENCY_SHELLS.join(', ')})`);
    say(
      `prepare-root: the boot cannot go on; starting an emergency shell (${shell}${from.root === '/' ? '' : ` in ${from.name}`}): fix the cause and exit the shell to try again, or reboot (reboot -f) and add rd.prepare-root=off (a plain root) or pick the previous deployment (ostree)`,
    );
    const started = Date.now();
    let status: number;
    try {
      status = sys.spawn(shell, [shell], environment(sys), from.root === '/' ? undefined : from.root);
    } catch (e) {
      hold(sys, say, `the emergency shell could not be started (${formatError(e)})`);
    }
    if ((Date.now() - started) / 1000 < NO_CONSOLE_SECONDS)
      hold(sys, say, `the emergency shell ended at once (status ${status}): no console to read from`);
    say('prepare-root: the emergency shell exited: trying again');
  }
}

function hold(sys: System, say: (line: string) => void, why: string): never {
  say(
    `prepare-root: ${why}; holding here so that the error above stays on the console (reboot, then add rd.prepare-root=off for a plain root, or pick the previous deployment for ostree)`,
  );
  for (;;) sys.sleep(3600);
}
