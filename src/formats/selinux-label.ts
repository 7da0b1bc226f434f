// SELinux file labels, the security.selinux xattr, as prepare-root copies them. A label read from
// the physical root (an unverified deployment) is data from an attacker until checked: only the
// shape of a context (user:role:type, then an optional MLS/MCS range) in plain ASCII passes, so
// nothing with control characters, quotes, spaces or a runaway length reaches an xattr, a file
// or a message. Commas are legitimate in a category set (s0:c1,c5), and labels never go into
// mount options (the kernel refuses context options before the policy is loaded), so they pass.
import { SELINUX_LABEL_MAX } from '../base/limits.js';
import { utf8Encode } from '../base/text.js';

export const SELINUX_XATTR = 'security.selinux';

const NAME = '[A-Za-z0-9_.-]+';
const CONTEXT = new RegExp(`^${NAME}:${NAME}:${NAME}(?::[A-Za-z0-9_.,:-]+)?$`);

/** Bytes as a JSON-ish string, non-printable ones escaped: safe to show in a one-line message. */
function shown(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes.subarray(0, 64)) {
    s +=
      b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c
        ? String.fromCharCode(b)
        : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `"${s}${bytes.length > 64 ? '…' : ''}"`;
}

/** The label in an xattr value (one trailing NUL, as libselinux writes it, is dropped), or why it is refused. */
export function parseLabel(value: Uint8Array): { readonly label: string } | { readonly refused: string } {
  const end = value.length > 0 && value[value.length - 1] === 0 ? value.length - 1 : value.length;
  const body = value.subarray(0, end);
  if (body.length > SELINUX_LABEL_MAX)
    return { refused: `${body.length} bytes ${shown(body)}, over the ${SELINUX_LABEL_MAX} a label may have` };
  const text = String.fromCharCode(...body);
  if (!body.every((b) => b > 0x20 && b < 0x7f) || !CONTEXT.test(text))
    return { refused: `${shown(body)} is not an SELinux context (user:role:type[:range] in plain ASCII)` };
  return { label: text };
}

/** The xattr value for a label: NUL-terminated, as libselinux and ostree write it. */
export function labelValue(label: string): Uint8Array {
  return utf8Encode(`${label}\0`);
}
