// Reusable volatile uppers. overlayfs `volatile` skips every sync, so after a crash the upper may
// be torn, and overlayfs marks it (WORKDIR/work/incompat/volatile) and refuses to mount it again. We make
// it reusable safely: each volatile mount gets a fresh token (file volatile-mount); a clean
// shutdown (`prepare-root checkpoint`) syncs the upper's filesystem, checks that no write-back
// error was recorded, and writes checkpoint = that token. At the next boot, only a checkpoint with
// the token of the last mount lets the upper be reused; anything else quarantines it.
import { reasonOf } from '../base/errors.js';
import { PROC_FILE_MAX, STATE_FILE_MAX } from '../base/limits.js';
import { exists, readOptional, readText } from '../fs/files.js';
import { utf8Decode } from '../base/text.js';
import type { System } from '../platform/system.js';

export const VOLATILE_MOUNT_FILE = 'volatile-mount';
export const CHECKPOINT_FILE = 'checkpoint';
export const QUARANTINE_DIR = 'quarantine';

export interface VolatileMount {
  readonly token: string;
  readonly bootId: string;
}

export interface Checkpoint {
  readonly token: string;
  readonly bootId: string;
  readonly result: 'ok' | 'error';
  readonly time: string;
  readonly detail?: string;
}

/** What the next mount of a volatile upper may do. */
export type VolatileState =
  | { readonly state: 'fresh' }
  | { readonly state: 'clean' }
  /** `quarantine`: what is there to move aside (upper, work, and records that cannot be read). */
  | { readonly state: 'torn'; readonly why: string; readonly quarantine: readonly string[] };

/** A record file: absent, readable and of its shape, or unusable (with why). */
type Read<T> =
  | { readonly state: 'absent' }
  | { readonly state: 'ok'; readonly value: T }
  | { readonly state: 'bad'; readonly why: string };

/** A record's value, or why it is not one (it lies on the physical root: not trusted). */
type Decoder<T> = (v: unknown) => T | string;

const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;

/** An object with these text fields (and only those `optional` adds), or why not. */
function textRecord(v: unknown, fields: readonly string[], optional: readonly string[] = []): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'is not a JSON object';
  const o = v as Record<string, unknown>;
  const missing = fields.find((f) => !isText(o[f]));
  if (missing !== undefined) return `has no ${missing} (a string of 1 to 256 characters)`;
  const other = Object.keys(o).find((k) => !fields.includes(k) && !optional.includes(k));
  if (other !== undefined) return `has an unknown field ${other}`;
  const bad = optional.find((f) => f in o && typeof o[f] !== 'string');
  return bad === undefined ? null : `has a ${bad} that is not a string`;
}

export const decodeVolatileMount: Decoder<VolatileMount> = (v) =>
  textRecord(v, ['token', 'bootId']) ?? { token: (v as VolatileMount).token, bootId: (v as VolatileMount).bootId };

export const decodeCheckpoint: Decoder<Checkpoint> = (v) => {
  const refused = textRecord(v, ['token', 'bootId', 'result', 'time'], ['detail']);
  if (refused !== null) return refused;
  const c = v as Checkpoint;
  if (c.result !== 'ok' && c.result !== 'error') return `has a result that is not ok or error`;
  return {
    token: c.token,
    bootId: c.bootId,
    result: c.result,
    time: c.time,
    ...(c.detail === undefined ? {} : { detail: c.detail }),
  };
};

/** The record in `file`, decoded. */
export function readRecord<T>(sys: System, file: string, decode: Decoder<T>): Read<T> {
  let bytes: Uint8Array | null;
  try {
    bytes = readOptional(sys, file, STATE_FILE_MAX);
  } catch (e) {
    return { state: 'bad', why: `${file} is unreadable (${reasonOf(e)})` };
  }
  if (bytes === null) return { state: 'absent' };
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(bytes));
  } catch {
    return { state: 'bad', why: `${file} is not JSON` };
  }
  const decoded = decode(value);
  return typeof decoded === 'string' ? { state: 'bad', why: `${file} ${decoded}` } : { state: 'ok', value: decoded };
}

/**
 * Whether the upper a volatile mount left may be reused. A record that cannot be read counts as
 * no record: the upper is then quarantined, never trusted, and the reason is the warning's.
 */
export function volatileState(sys: System, dir: string, upperUsedVolatile: boolean): VolatileState {
  const verdict = judge(sys, dir, upperUsedVolatile);
  if (verdict.state !== 'torn') return verdict;
  const present = ['upper', 'work'].filter((name) => exists(sys, `${dir}/${name}`));
  return { state: 'torn', why: verdict.why, quarantine: [...present, ...verdict.unusable] };
}

type Verdict =
  | { readonly state: 'fresh' | 'clean' }
  | { readonly state: 'torn'; readonly why: string; readonly unusable: readonly string[] };

function judge(sys: System, dir: string, upperUsedVolatile: boolean): Verdict {
  const mounted = readRecord(sys, `${dir}/${VOLATILE_MOUNT_FILE}`, decodeVolatileMount);
  if (mounted.state === 'absent' && !upperUsedVolatile) return { state: 'fresh' };
  if (mounted.state === 'bad') {
    const checkpointBad = readRecord(sys, `${dir}/${CHECKPOINT_FILE}`, decodeCheckpoint).state === 'bad';
    return {
      state: 'torn',
      why: `its mount record is unusable: ${mounted.why}`,
      unusable: [VOLATILE_MOUNT_FILE, ...(checkpointBad ? [CHECKPOINT_FILE] : [])],
    };
  }
  if (mounted.state === 'absent')
    return { state: 'torn', why: 'it was mounted volatile without a record of that mount', unusable: [] };
  const checkpoint = readRecord(sys, `${dir}/${CHECKPOINT_FILE}`, decodeCheckpoint);
  if (checkpoint.state === 'bad')
    return { state: 'torn', why: `its checkpoint is unusable: ${checkpoint.why}`, unusable: [CHECKPOINT_FILE] };
  if (checkpoint.state === 'absent' || checkpoint.value.token !== mounted.value.token) {
    return {
      state: 'torn',
      why: `no checkpoint for its last mount (boot ${mounted.value.bootId}): a crash or power loss`,
      unusable: [],
    };
  }
  if (checkpoint.value.result !== 'ok')
    return {
      state: 'torn',
      why: `its checkpoint recorded a write-back error (${checkpoint.value.detail ?? 'unknown'})`,
      unusable: [],
    };
  return { state: 'clean' };
}

/** This boot's id; `unknown` where there is no /proc (a bare root), which only weakens a record's label. */
export function currentBootId(sys: System): string {
  try {
    return readText(sys, '/proc/sys/kernel/random/boot_id', PROC_FILE_MAX).trim();
  } catch {
    return 'unknown';
  }
}
