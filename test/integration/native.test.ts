// The native module refuses what the product never passes (test/native/probe.ts calls it
// directly): negative or oversized lengths are RangeErrors, a mode goes to openat2 only with a
// flag that creates, every kernel message of a filesystem context is read out, errno names come
// from the C library.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isRoot } from './harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PROBE = path.join(ROOT, 'dist/test/native-probe');

/** The probe's output lines for these calls, each `[name, ...args]`. */
function probe(...calls: unknown[][]): string[] {
  const r = spawnSync(
    PROBE,
    calls.map((c) => JSON.stringify(c)),
    { encoding: 'utf8', env: { PROBE_VAR: 'a=b' } },
  );
  return r.stdout.trimEnd().split('\n');
}

beforeAll(() => {
  execFileSync('node', ['build.mjs', '--entry', 'test/native/probe.ts', '--out', PROBE], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);

describe('native module: arguments it refuses', () => {
  it.each([
    [['read', 0, -1], 'RangeError: read: limit -1 is not in 0..1073741824'],
    [['read', 0, 2 ** 31], 'RangeError: read: limit 2147483648 is not in 0..1073741824'],
    [['pread', 0, -5, 0], 'RangeError: pread: length -5 is not in 0..1073741824'],
    [['pread', 0, 16, -1], 'RangeError: pread: negative offset -1'],
    [['getrandom', 257], 'RangeError: getrandom: 0..256 bytes'],
    [['sleep', -1], 'RangeError: sleep: seconds not in 0..1e9'],
    [['sleep', 'soon'], 'RangeError: sleep: seconds not in 0..1e9'],
  ])('%j → %s', (call, error) => {
    expect(probe(call)).toEqual([error]);
  });
});

describe('native module: what it gives', () => {
  it('an O_DIRECTORY open through openat2 with a mode given (ignored without O_CREAT)', () => {
    const [flags] = probe(['O_DIRECTORY']);
    const [resolve] = probe(['RESOLVE_NO_SYMLINKS']);
    // The mode used to reach openat2 because O_TMPFILE shares O_DIRECTORY's bit: EINVAL.
    const [fd] = probe(['openat', -100, '/', Number(flags), 0o644, Number(resolve)]);
    expect(Number(fd)).toBeGreaterThanOrEqual(0);
  });

  it('errno names from the C library, null for a number it does not know', () => {
    expect(probe(['errnoName', 2], ['errnoName', -28], ['errnoName', 100000])).toEqual([
      '"ENOENT"',
      '"ENOSPC"',
      'null',
    ]);
  });

  it('the arguments after the program name and the environment', () => {
    expect(probe(['environ'])).toEqual(['{"PROBE_VAR":"a=b"}']);
    expect(probe(['args'])).toEqual(['["[\\"args\\"]"]']);
  });

  it.skipIf(!isRoot())('every message the kernel left in a filesystem context', () => {
    const out = probe(
      ['fsopen', 'tmpfs', 0],
      ['fsconfig', { result: 0 }, 1, 'bogus', 'x', 0],
      ['fsconfig', { result: 0 }, 1, 'mode', 'zz', 0],
      ['fsLog', { result: 0 }],
      ['fsLog', { result: 0 }],
    );
    expect(out.slice(1)).toEqual([
      '-22',
      '-22',
      JSON.stringify("e tmpfs: Unknown parameter 'bogus'\ne tmpfs: Bad value for 'mode'"),
      '""',
    ]);
  });
});
