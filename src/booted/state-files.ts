// The booted system's records of its boot: /run/prepare-root/status.json (ours), /run/ostree-booted
// (ours or ostree-prepare-root's), and the live mount table. One reader for each.
import { PrepareRootError, reasonOf } from '../base/errors.js';
import { OSTREE_BOOTED_MAX, PROC_FILE_MAX, STATE_FILE_MAX } from '../base/limits.js';
import { LABELS_FILE, RUN_OSTREE_BOOTED, STATUS_FILE } from '../base/paths.js';
import { utf8Decode } from '../base/text.js';
import { readOptional } from '../fs/files.js';
import { type LabelsFile, parseLabelsFile } from '../formats/labels-file.js';
import { type MountEntry, parseMountInfo } from '../formats/mountinfo.js';
import { decodeOstreeBooted } from '../formats/ostree-booted.js';
import { type StatusFile, parseStatusFile } from '../formats/status-file.js';
import type { System } from '../platform/system.js';

function unreadable(file: string, e: unknown): PrepareRootError {
  return new PrepareRootError({ path: file }, `unreadable: ${reasonOf(e)}`, { cause: e });
}

/** status.json, checked against its schema; null when this boot has none. */
export function readStatusFile(sys: System): StatusFile | null {
  let bytes: Uint8Array | null;
  try {
    bytes = readOptional(sys, STATUS_FILE, STATE_FILE_MAX);
  } catch (e) {
    throw unreadable(STATUS_FILE, e);
  }
  if (bytes === null) return null;
  const status = parseStatusFile(utf8Decode(bytes));
  if (typeof status === 'string') throw new PrepareRootError(STATUS_FILE, `not a prepare-root status file: ${status}`);
  return status;
}

/** labels.json, checked; null when this boot recorded none (SELinux off, or no tmpfs upper). */
export function readLabelsFile(sys: System): LabelsFile | null {
  let bytes: Uint8Array | null;
  try {
    bytes = readOptional(sys, LABELS_FILE, STATE_FILE_MAX);
  } catch (e) {
    throw unreadable(LABELS_FILE, e);
  }
  if (bytes === null) return null;
  const labels = parseLabelsFile(utf8Decode(bytes));
  if (typeof labels === 'string')
    throw new PrepareRootError(LABELS_FILE, `not a prepare-root labels record: ${labels}`);
  return labels;
}

/** /run/ostree-booted decoded; null when this is not an ostree boot. */
export function readOstreeBooted(sys: System): Record<string, unknown> | null {
  let bytes: Uint8Array | null;
  try {
    bytes = readOptional(sys, RUN_OSTREE_BOOTED, OSTREE_BOOTED_MAX);
  } catch (e) {
    throw unreadable(RUN_OSTREE_BOOTED, e);
  }
  if (bytes === null) return null;
  try {
    return decodeOstreeBooted(bytes);
  } catch (e) {
    throw new PrepareRootError(RUN_OSTREE_BOOTED, `not a valid a{sv}: ${(e as Error).message}`, { cause: e });
  }
}

export function readMountInfo(sys: System): MountEntry[] {
  try {
    return parseMountInfo(utf8Decode(sys.readFile('/proc/self/mountinfo', PROC_FILE_MAX)));
  } catch (e) {
    throw new PrepareRootError('/proc/self/mountinfo', `cannot read the mount table: ${reasonOf(e)}`, { cause: e });
  }
}
