// The binary against random configs and kernel command lines (fixed seeds): it never crashes, it
// exits 0 or 1, and whatever goes wrong is one line. `plan` reads, probes and plans exactly as a
// boot does, on a real sysroot, without mounting.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OURS, isRoot } from './harness.js';

const H = path.resolve(import.meta.dirname, '../harness');
let W: string;
beforeAll(() => {
  W = mkdtempSync(path.join(tmpdir(), 'prepare-root-fuzz-'));
});
afterAll(() => rmSync(W, { recursive: true, force: true }));

const KEYS = [
  '[sysroot]',
  '[root]',
  '[etc]',
  '[composefs]',
  '[persist]',
  '[overlay /opt]',
  '[overlay /usr/share/app]',
  '[x y]',
  'readonly',
  'transient',
  'transient-ro',
  'transient-size',
  'enabled',
  'keypath',
  'paths',
  'lower',
  'upper',
  'volatile',
];
const VALUES = [
  'true',
  'false',
  '1',
  '0',
  'yes',
  'maybe',
  'signed',
  'verity',
  '2G',
  '100%',
  '18446744073709551616',
  '/etc/ssh;/data',
  '/var/x',
  'state',
  'transient',
  '\x1b[2J',
  'é'.repeat(300),
  '',
];
const line = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...KEYS.filter((k) => k.startsWith('['))) },
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(...KEYS.filter((k) => !k.startsWith('['))), fc.constantFrom(...VALUES))
      .map(([k, v]) => `${k}=${v}`),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);
const config = fc.oneof(
  fc.array(line, { maxLength: 12 }).map((ls) => ls.join('\n')),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
);
const token = fc.oneof(
  fc.constantFrom(
    'ostree=OSTREE',
    'ostree=/nope',
    'ostree=',
    'androidboot.slot_suffix=_a',
    'androidboot.slot_suffix=_c',
    'androidboot.x=1',
    'quiet',
  ),
  fc.constantFrom('ostree.prepare-root.composefs=').chain((k) => fc.constantFrom(...VALUES).map((v) => `${k}${v}`)),
  fc.string({ maxLength: 20 }).filter((s) => !s.includes(' ')),
);
const cmdline = fc
  .tuple(fc.boolean(), fc.array(token, { maxLength: 5 }))
  .map(([boot, ts]) => [...(boot ? ['ostree=OSTREE'] : []), ...ts].join(' '));

describe.skipIf(!isRoot())('fuzz', () => {
  it('300 random configs and command lines: exit 0 or 1, never a crash, at most one error line', () => {
    const cases = fc.sample(fc.tuple(config, cmdline), { seed: 4242, numRuns: 300 });
    cases.forEach(([c, k], i) => {
      writeFileSync(path.join(W, `${i}.conf`), c, 'latin1');
      writeFileSync(path.join(W, `${i}.cmdline`), k);
    });
    const script = `set -euo pipefail
mount -t tmpfs fuzz "$W/mnt"; S=$W/mnt/sysroot; mkdir "$S"
bash "$H/mktree.sh" "$W/mnt/tree"
OSTREE=$(bash "$H/mksysroot.sh" "$S" "$W/mnt/tree" | tr ' ' '\\n' | sed -n 's/^ostree=//p')
for i in $(seq 0 299); do
  k=$(sed "s#OSTREE#$OSTREE#" "$W/$i.cmdline")
  rc=0; "$OURS" plan --config "$W/$i.conf" "$S" "$k" > /dev/null 2> "$W/$i.err" || rc=$?
  echo "$i $rc $(grep -vEc '^prepare-root: (warning|notice):' "$W/$i.err" || true)"
done`;
    spawnSync('mkdir', ['-p', path.join(W, 'mnt')]);
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', script], {
      encoding: 'utf8',
      env: { ...process.env, W, H, OURS },
      timeout: 300_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const results = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ').map(Number) as [number, number, number]);
    expect(results).toHaveLength(300);
    for (const [i, rc, errors] of results) {
      // 2: a usage error (a command line that starts with '-' is taken for an option).
      expect([0, 1, 2], `case ${i}: ${JSON.stringify(cases[i])}`).toContain(rc);
      expect(errors, `case ${i}`).toBe(rc === 0 ? 0 : 1);
    }
    // Not vacuous: some configs plan, some are refused.
    expect(results.filter(([, rc]) => rc === 0).length).toBeGreaterThan(10);
    expect(results.filter(([, rc]) => rc === 1).length).toBeGreaterThan(10);
  });
});
