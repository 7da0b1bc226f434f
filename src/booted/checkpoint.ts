// `prepare-root checkpoint`, run at clean shutdown (systemd/prepare-root-checkpoint.service):
// for every volatile overlay of this boot, sync the filesystem holding its upper, and record
// whether that reported a write-back error, against the token of this boot's mount.
import { spawnSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { PrepareRootError } from './errors.js';
import { STATUS_FILE } from './paths.js';
import type { StatusFile } from './status-file.js';
import { CHECKPOINT_FILE, type Checkpoint, VOLATILE_MOUNT_FILE, type VolatileMount, currentBootId } from './volatile-state.js';

export interface CheckpointResult {
  readonly path: string;
  readonly result: Checkpoint['result'];
  readonly detail?: string;
}

/** `root`: where the booted root is (/ normally); /run is always this system's. */
export function checkpointVolatileOverlays(root: string): CheckpointResult[] {
  const at = (p: string) => (root === '/' ? p : `${root}${p}`);
  let status: StatusFile;
  try {
    status = JSON.parse(readFileSync(STATUS_FILE, 'utf8')) as StatusFile;
  } catch (e) {
    throw new PrepareRootError(STATUS_FILE, `unreadable: ${(e as Error).message}`, { cause: e });
  }
  return (status.overlays ?? []).filter((o) => o.volatile).map((o) => {
    const dir = at(o.dir);
    let mount: VolatileMount;
    try {
      mount = JSON.parse(readFileSync(`${dir}/${VOLATILE_MOUNT_FILE}`, 'utf8')) as VolatileMount;
    } catch (e) {
      throw new PrepareRootError(`${dir}/${VOLATILE_MOUNT_FILE}`, `unreadable: ${(e as Error).message}`, { cause: e });
    }
    // syncfs(2) reports a write-back error recorded on the filesystem since it was last checked.
    const sync = spawnSync('sync', ['--file-system', `${dir}/upper`], { encoding: 'utf8', stdio: 'pipe', input: '' });
    const ok = sync.error === undefined && sync.status === 0;
    const detail = ok ? undefined : (sync.error?.message ?? sync.stderr.trim()) || `sync exited ${sync.status}`;
    const checkpoint: Checkpoint = {
      token: mount.token, bootId: currentBootId(), result: ok ? 'ok' : 'error', time: new Date().toISOString(), ...(detail === undefined ? {} : { detail }),
    };
    const tmp = `${dir}/.${CHECKPOINT_FILE}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(checkpoint)}\n`, { mode: 0o644, flush: true });
    renameSync(tmp, `${dir}/${CHECKPOINT_FILE}`);
    spawnSync('sync', ['--file-system', dir], { stdio: 'ignore' });
    return { path: o.path, result: checkpoint.result, ...(detail === undefined ? {} : { detail }) };
  });
}
