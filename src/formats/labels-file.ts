// /run/prepare-root/labels.json: the SELinux label of every entry in each tmpfs upper, as the
// initramfs left them. Loading the policy after switch-root resets every tmpfs file to the
// policy's tmpfs label, whatever xattr it was given before; `prepare-root relabel` reads this
// record and gives each entry its label back through the overlay. Written by us on a /run we
// created; still checked on reading, as everything in /run is.
import { utf8Encode } from '../base/text.js';
import { parseLabel } from './selinux-label.js';

export const LABELS_SCHEMA = 1;

export interface LabelledOverlay {
  /** Where the overlay is mounted in the booted system. */
  readonly path: string;
  /** Its upper dir (under /run). */
  readonly upper: string;
  /** [path relative to the upper ('' is its root), label], parents before children. */
  readonly entries: ReadonlyArray<readonly [string, string]>;
  /**
   * [name, label] of each entry at the top of the overlay (its lower's, unless copied up): for
   * what is copied up after the record (systemd's switch-root makes /mnt, through /mnt -> var/mnt).
   */
  readonly top: ReadonlyArray<readonly [string, string]>;
  /** More entries than were recorded (base/limits.ts). */
  readonly truncated: boolean;
  /** Entries whose own label was refused (formats/selinux-label.ts): recorded with their parent's. */
  readonly refused: ReadonlyArray<{ readonly path: string; readonly why: string }>;
}

export interface LabelsFile {
  readonly schema: typeof LABELS_SCHEMA;
  readonly overlays: readonly LabelledOverlay[];
}

export function serializeLabels(file: LabelsFile): Uint8Array {
  return utf8Encode(`${JSON.stringify(file)}\n`);
}

const absolute = (p: unknown): p is string => typeof p === 'string' && p.startsWith('/') && !p.includes('\0');
const relative = (p: unknown): boolean =>
  p === '' ||
  (typeof p === 'string' && p.split('/').every((c) => c !== '' && c !== '.' && c !== '..' && !c.includes('\0')));
const label = (l: unknown): boolean => typeof l === 'string' && 'label' in parseLabel(utf8Encode(l));

function overlay(v: unknown): v is LabelledOverlay {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    absolute(o.path) &&
    absolute(o.upper) &&
    typeof o.truncated === 'boolean' &&
    Array.isArray(o.entries) &&
    [o.entries, o.top].every(
      (list) =>
        Array.isArray(list) && list.every((e) => Array.isArray(e) && e.length === 2 && relative(e[0]) && label(e[1])),
    ) &&
    (o.top as unknown[][]).every((e) => !(e[0] as string).includes('/') && e[0] !== '') &&
    Array.isArray(o.refused) &&
    o.refused.every(
      (r) =>
        typeof r === 'object' &&
        r !== null &&
        relative((r as Record<string, unknown>).path) &&
        typeof (r as Record<string, unknown>).why === 'string',
    )
  );
}

/** The record, or a one-line reason why it is not one. */
export function parseLabelsFile(text: string): LabelsFile | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  if (typeof v !== 'object' || v === null) return 'not a JSON object';
  const f = v as Record<string, unknown>;
  if (f.schema !== LABELS_SCHEMA) return `schema ${JSON.stringify(f.schema)} is not ${LABELS_SCHEMA}`;
  if (!Array.isArray(f.overlays)) return 'no overlays list';
  const bad = f.overlays.findIndex((o) => !overlay(o));
  return bad === -1 ? (v as LabelsFile) : `overlay ${bad} is malformed (a path, a label or a field)`;
}
