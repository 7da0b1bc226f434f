// The binary in a root with nothing but itself and /dev/null: no shared libraries, no util-linux,
// no /proc, no shell, no environment (test/harness/bare-root.sh). It is statically linked and
// mounts by system call, so that is all it needs.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OURS, isRoot } from './harness.js';

function bareRun(conf?: string): {
  rc: string;
  status: { result: string; mode: string; executed: Array<{ id: string; status: string }> };
  root: string[];
} {
  const script = path.resolve(import.meta.dirname, '../harness/bare-root.sh');
  const r = spawnSync('bash', [script, OURS, ...(conf === undefined ? [] : [conf])], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const [rcLine, ...rest] = r.stdout.split('\n');
  const section = (name: string) =>
    rest.slice(
      rest.indexOf(`=== ${name}`) + 1,
      rest.findIndex((l, i) => i > rest.indexOf(`=== ${name}`) && l.startsWith('=== ')),
    );
  return {
    rc: rcLine!,
    status: JSON.parse(section('status').join('\n')),
    root: rest.slice(rest.indexOf('=== root') + 1).filter(Boolean),
  };
}

describe.skipIf(!isRoot())('bare root', () => {
  it('legacy: prepares a real deployment with no /proc, libraries or util-linux, and leaves no /proc behind', () => {
    const { rc, status, root } = bareRun();
    expect(rc).toBe('rc=0');
    expect(status.result).toBe('prepared');
    expect(status.executed.map((s) => `${s.id}:${s.status}`)).toEqual([
      'make-root-private:done',
      'mkdir-run-ostree:done',
      'mkdir-run-ostree-private:done',
      'mkdir-staging:done',
      'bind-deployment:done',
      'bind-usr:done',
      'remount-usr-ro:done',
      'bind-physical-root:done',
      'detach-physical-root:done',
      'write-ostree-booted:done',
      'move-to-sysroot:done',
      'rmdir-staging:done',
    ]);
    expect(root).toEqual(['dev', 'oldroot', 'prepare-root', 'run', 'sysroot']);
  });

  it('transient: the tmpfs, the overlay and /etc, the same way', () => {
    const { rc, status } = bareRun('[root]\ntransient=true\n');
    expect(rc).toBe('rc=0');
    expect(status).toMatchObject({ result: 'prepared', mode: 'transient' });
    expect(status.executed.every((s) => s.status === 'done')).toBe(true);
    expect(status.executed.map((s) => s.id)).toContain('mount-transient-root');
  });
});
