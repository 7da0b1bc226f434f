// The binary in a root with nothing but itself, its libraries, util-linux and /dev/null: no
// shell, no /proc, no environment (test/harness/bare-root.sh).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OURS, isRoot } from './harness.js';

describe.skipIf(!isRoot())('bare root', () => {
  it('prepares a real deployment, mounting /proc for util-linux and taking it away again', () => {
    const script = path.resolve(import.meta.dirname, '../harness/bare-root.sh');
    const r = spawnSync('bash', [script, OURS], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const [rcLine, ...rest] = r.stdout.split('\n');
    expect(rcLine).toBe('rc=0');
    const status = JSON.parse(rest.slice(rest.findIndex((l) => l === '{')).join('\n'));
    expect(status.result).toBe('prepared');
    expect(status.executed.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual([
      'mkdir-proc:done', 'mount-proc:done', 'make-root-private:done', 'mkdir-run-ostree:done', 'mkdir-run-ostree-private:done',
      'mkdir-staging:done', 'bind-deployment:done', 'bind-usr:done', 'remount-usr-ro:done', 'bind-physical-root:done',
      'detach-physical-root:done', 'write-ostree-booted:done', 'move-to-sysroot:done', 'rmdir-staging:done', 'unmount-proc:done',
    ]);
  });
});
