// `prepare-root checkpoint`, run at clean shutdown (systemd/prepare-root-checkpoint.service):
// for every volatile overlay of this boot, sync the filesystem holding its upper, and record
// whether that reported a write-back error, against the token of this boot's mount.
import { messageOf, PrepareRootError, reasonOf } from '../base/errors.js';
import { STATE_FILE_MAX } from '../base/limits.js';
import { under } from '../base/posix-path.js';
import { utf8Encode } from '../base/text.js';
import { writeFileAtomic } from '../fs/atomic-write.js';
import type { System } from '../platform/system.js';
import {
  CHECKPOINT_FILE,
  type Checkpoint,
  VOLATILE_MOUNT_FILE,
  currentBootId,
  decodeVolatileMount,
  readRecord,
} from '../probe/volatile-state.js';
import { readStatusFile } from './state-files.js';

export interface CheckpointResult {
  readonly path: string;
  readonly result: Checkpoint['result'];
  readonly detail?: string;
}

/** `root`: where the booted root is (/ normally); /run is always this system's. */
export function checkpointVolatileOverlays(sys: System, root: string): CheckpointResult[] {
  const status = readStatusFile(sys);
  if (status === null)
    throw new PrepareRootError(
      'checkpoint',
      'this boot has no /run/prepare-root/status.json: it was not prepared by prepare-root',
    );
  return status.overlays
    .filter((o) => o.volatile)
    .map((o) => {
      const dir = under(root, o.dir);
      const file = `${dir}/${VOLATILE_MOUNT_FILE}`;
      const record = readRecord(sys, file, decodeVolatileMount);
      if (record.state !== 'ok')
        throw new PrepareRootError(
          file,
          record.state === 'absent' ? 'missing: this boot mounted no volatile overlay here' : record.why,
        );
      const mount = record.value;
      // syncfs(2) reports a write-back error recorded on the filesystem since it was last checked.
      let detail: string | undefined;
      try {
        sys.syncFilesystem(`${dir}/upper`);
      } catch (e) {
        detail = messageOf(e);
      }
      const checkpoint: Checkpoint = {
        token: mount.token,
        bootId: currentBootId(sys),
        result: detail === undefined ? 'ok' : 'error',
        time: new Date().toISOString(),
        ...(detail === undefined ? {} : { detail }),
      };
      try {
        // Durable: the atomic writer fsyncs the file and its directory.
        writeFileAtomic(
          sys,
          `${dir}/${CHECKPOINT_FILE}`,
          utf8Encode(`${JSON.stringify(checkpoint)}\n`),
          0o644,
          STATE_FILE_MAX,
        );
      } catch (e) {
        throw new PrepareRootError(`${dir}/${CHECKPOINT_FILE}`, `not written: ${reasonOf(e)}`, {
          cause: e,
        });
      }
      return { path: o.path, result: checkpoint.result, ...(detail === undefined ? {} : { detail }) };
    });
}
