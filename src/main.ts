// Entry point: run the CLI, print any error once as `prepare-root: <what>: <why>` on stderr and
// to the kernel log (the console of a failing boot), exit 1.
import { isBootRun, runCli } from './cli/index.js';
import { formatError, isPrepareRootError } from './errors.js';
import { KMSG_ERR, toKmsg } from './kmsg.js';

let code: number;
try {
  code = runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
} catch (e) {
  const line = formatError(e);
  process.stderr.write(`${line}\n`);
  // The kernel log is the console of a failing boot; other commands are interactive.
  if (isBootRun(process.argv.slice(2)) && !(isPrepareRootError(e) && e.what === 'usage')) toKmsg(KMSG_ERR, line);
  code = 1;
}
process.exitCode = code;
