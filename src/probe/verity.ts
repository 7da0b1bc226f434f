// The fs-verity digest of a file as the kernel measures it (FS_IOC_MEASURE_VERITY). Node.js has
// no ioctl, so fsverity-utils' `fsverity measure` asks the kernel. A userspace digest would prove
// nothing: only a kernel-measured one means the kernel enforces it on every read.
import { spawnSync } from 'node:child_process';
import { PrepareRootError } from './errors.js';

export function measureVerity(path: string): string {
  const r = spawnSync('fsverity', ['measure', path], { encoding: 'utf8', stdio: 'pipe', input: '' });
  if (r.error !== undefined) {
    throw new PrepareRootError(`fs-verity of ${path}`, (r.error as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'fsverity not found: measuring the composefs image needs it (package fsverity / fsverity-utils)' : r.error.message);
  }
  const m = /^sha256:([0-9a-f]{64}) /.exec(r.stdout);
  if (r.status !== 0 || m === null) {
    const why = r.stderr.trim().split('\n').at(-1) ?? `fsverity exited ${r.status}`;
    throw new PrepareRootError(`fs-verity of ${path}`, `the image has no fs-verity digest the kernel can vouch for (${why})`);
  }
  return m[1]!;
}
