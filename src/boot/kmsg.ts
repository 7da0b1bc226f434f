// The kernel log is the console of a booting system: errors and warnings go there too.
import { appendFileSync } from 'node:fs';

export const KMSG_ERR = 3;
export const KMSG_WARNING = 4;

export function toKmsg(level: number, line: string): void {
  try {
    appendFileSync('/dev/kmsg', `<${level}>${line}\n`);
  } catch {
    // Not writable (unprivileged, no /dev): stderr is enough.
  }
}
