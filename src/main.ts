// Entry point of the executable: run the CLI on QuickJS's System, print any error once as
// `prepare-root: <what>: <why>` on stderr and to the kernel log (the console of a failing boot),
// exit 1 (2 for a usage error, which touches nothing and is not logged).
import { formatError, isPrepareRootError } from './base/errors.js';
import { KMSG_ERR, toKmsg } from './boot/kmsg.js';
import { isBootRun, runCli } from './cli/index.js';
import { quickjsSystem } from './platform/quickjs.js';

const sys = quickjsSystem();
let code: number;
try {
  code = await runCli(sys, sys.args, {
    out: (line) => sys.writeOut(`${line}\n`),
    err: (line) => sys.writeErr(`${line}\n`),
  });
} catch (e) {
  const line = formatError(e);
  sys.writeErr(`${line}\n`);
  // The kernel log is the console of a failing boot; other commands are interactive.
  const usage = isPrepareRootError(e) && e.kind === 'usage';
  if (isBootRun(sys.args) && !usage) toKmsg(sys, KMSG_ERR, line);
  code = usage ? 2 : 1;
}
sys.exit(code);
