// Entry point: run the CLI, print any error once as `prepare-root: <what>: <why>` on stderr and
// to the kernel log (the console of a failing boot), exit 1.
import { appendFileSync } from 'node:fs';
import { runCli } from './cli.js';
import { formatError } from './errors.js';

function toKmsg(line: string): void {
  try {
    appendFileSync('/dev/kmsg', `<3>${line}\n`);
  } catch {
    // Not writable (unprivileged, no /dev): stderr is enough.
  }
}

let code: number;
try {
  code = runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
} catch (e) {
  const line = formatError(e);
  process.stderr.write(`${line}\n`);
  toKmsg(line);
  code = 1;
}
process.exitCode = code;
