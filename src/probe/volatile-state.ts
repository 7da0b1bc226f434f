// Reusable volatile uppers. overlayfs `volatile` skips every sync, so after a crash the upper may
// be torn, and overlayfs marks it (WORKDIR/work/incompat/volatile) and refuses to mount it again. We make
// it reusable safely: each volatile mount gets a fresh token (file volatile-mount); a clean
// shutdown (`prepare-root checkpoint`) syncs the upper's filesystem, checks that no write-back
// error was recorded, and writes checkpoint = that token. At the next boot, only a checkpoint with
// the token of the last mount lets the upper be reused; anything else quarantines it.
import { readFileSync } from 'node:fs';

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
  | { readonly state: 'torn'; readonly why: string };

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

export function volatileState(dir: string, upperUsedVolatile: boolean): VolatileState {
  const mounted = readJson<VolatileMount>(`${dir}/${VOLATILE_MOUNT_FILE}`);
  if (mounted === null && !upperUsedVolatile) return { state: 'fresh' };
  const checkpoint = readJson<Checkpoint>(`${dir}/${CHECKPOINT_FILE}`);
  if (mounted === null) return { state: 'torn', why: 'it was mounted volatile without a record of that mount' };
  if (checkpoint === null || checkpoint.token !== mounted.token) {
    return { state: 'torn', why: `no checkpoint for its last mount (boot ${mounted.bootId}): a crash or power loss` };
  }
  if (checkpoint.result !== 'ok') return { state: 'torn', why: `its checkpoint recorded a write-back error (${checkpoint.detail ?? 'unknown'})` };
  return { state: 'clean' };
}

export function currentBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
