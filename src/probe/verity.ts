// The fs-verity digest of a file as the kernel measures it (FS_IOC_MEASURE_VERITY). A userspace
// digest would prove nothing: only a kernel-measured one means the kernel enforces it on every read.
import { PrepareRootError, isSysError, reasonOf } from '../base/errors.js';
import { toHex } from '../base/text.js';
import type { FsVerityDigest, System } from '../platform/system.js';

const SHA256 = 1;

export function measureVerity(sys: System, path: string): string {
  let measured: FsVerityDigest;
  try {
    measured = sys.measureVerity(path);
  } catch (e) {
    const why = isSysError(e, 'ENODATA')
      ? 'the file has no fs-verity'
      : isSysError(e, 'ENOTTY') || isSysError(e, 'EOPNOTSUPP')
        ? 'its filesystem or this kernel has no fs-verity'
        : reasonOf(e);
    throw new PrepareRootError(
      `fs-verity of ${path}`,
      `the image has no fs-verity digest the kernel can vouch for (${why})`,
      { cause: e },
    );
  }
  if (measured.algorithm !== SHA256) {
    throw new PrepareRootError(
      `fs-verity of ${path}`,
      `the image's fs-verity uses hash algorithm ${measured.algorithm}, not sha256 (1) as the commit's digest does`,
    );
  }
  return toHex(measured.digest);
}
