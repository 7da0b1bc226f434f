// Reading and setting a file's SELinux label (never through a symlink: the xattr calls act on
// the link itself).
import { PrepareRootError, isSysError } from '../base/errors.js';
import { SELINUX_XATTR, labelValue, parseLabel } from '../formats/selinux-label.js';
import type { System } from '../platform/system.js';

/**
 * The label of `path`, null when it has none (or its filesystem keeps no xattrs); a malformed
 * one is refused with the path named.
 */
export function readLabel(sys: System, path: string): string | null {
  let value: Uint8Array | null;
  try {
    value = sys.getXattr(path, SELINUX_XATTR);
  } catch (e) {
    if (isSysError(e, 'EOPNOTSUPP')) return null;
    throw e;
  }
  if (value === null) return null;
  const parsed = parseLabel(value);
  if ('refused' in parsed)
    throw new PrepareRootError(`${path} ${SELINUX_XATTR}`, `refusing the label ${parsed.refused}`);
  return parsed.label;
}

export function writeLabel(sys: System, path: string, label: string): void {
  sys.setXattr(path, SELINUX_XATTR, labelValue(label));
}
