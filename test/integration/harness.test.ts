// The harness itself, proven with the reference binary: if these fail, no other integration
// result means anything.
import { describe, expect, it } from 'vitest';
import { hostSnapshot, isRoot, reference, runScenario } from './harness.js';

describe.skipIf(!isRoot())('harness (reference ostree-prepare-root 2026.4)', () => {
  it('prepares a real deployment, reports rc, mounts, /run and /run/ostree-booted, and leaves the host alone', () => {
    const before = hostSnapshot();
    const [ok, ro, bad] = runScenario({
      runs: [
        { impl: reference() },
        { impl: reference(), conf: '[sysroot]\nreadonly=true\n' },
        { impl: reference(), args: ['quiet'] },
      ],
    });
    expect(ok!.rc).toBe(0);
    expect(ok!.mounts).toEqual([
      '/sysroot /ostree/deploy/probeos/deploy/CSUM.0 tmpfs rw,relatime private',
      '/sysroot/usr /ostree/deploy/probeos/deploy/CSUM.0/usr tmpfs ro,relatime private',
      '/sysroot/sysroot / tmpfs rw,relatime private',
    ]);
    expect(ok!.run).toContain('-rw-r--r-- /run/ostree-booted');
    expect(ok!.ostreeBooted).toMatch(/^62 61 63 6b( [0-9a-f]{2})+$/);
    expect(ro!.mounts).toContain('/sysroot/sysroot / tmpfs ro,relatime private');
    expect(ro!.mounts).toContain('/sysroot/etc /ostree/deploy/probeos/deploy/CSUM.0/etc tmpfs rw,relatime private');
    expect(bad!.rc).toBe(1);
    expect(bad!.stderr).toContain('No ostree target');
    expect(bad!.ostreeBooted).toBeNull();
    expect(hostSnapshot()).toEqual(before);
  });
});
