// The kernel log is the console of a booting system: errors and warnings go there too.
import { utf8Encode } from '../base/text.js';
import type { System } from '../platform/system.js';

export const KMSG_ERR = 3;
export const KMSG_WARNING = 4;
export const KMSG_NOTICE = 5;

export function toKmsg(sys: System, level: number, line: string): void {
  try {
    sys.appendToFile('/dev/kmsg', utf8Encode(`<${level}>${line}\n`));
  } catch {
    // Not writable (unprivileged, no /dev): the line went to stderr, which is enough.
  }
}
