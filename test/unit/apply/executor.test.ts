import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig } from '../../../src/config/config.js';
import type { Facts } from '../../../src/probe/facts.js';
import { CONTEXT, D, facts } from '../../helpers/facts.js';
import type { Action } from '../../../src/apply/actions.js';
import { ExecutionError, applyPlan } from '../../../src/apply/executor.js';
import { planPrepareRoot } from '../../../src/plan/plan.js';
import { RecordingMounter } from '../../helpers/recording-mounter.js';

const overlay = (path: string, upper: 'state' | 'transient', volatile: boolean, lower = [path]) => ({
  overlay: { path, lower, upper, volatile, where: { file: '/c', line: 1 } },
  inRoot: path,
  pathInImage: true,
  lowersInRoot: lower,
  lowersExist: lower.map(() => true),
  stateCommit: 'old',
  volatile: volatile ? ({ state: 'torn', why: 'a crash', quarantine: ['upper', 'work'] } as const) : null,
});

/** Plans with every kind of step: config text and the facts that go with it. */
const CONFIGS: Record<string, [string | null, Partial<Facts>]> = {
  legacy: [null, {}],
  readonly: ['[sysroot]\nreadonly=true\n[etc]\ntransient=true\n', {}],
  transient: ['[root]\ntransient=true\n[sysroot]\nreadonly=true\n', {}],
  'persisted paths': [
    '[root]\ntransient=true\n[persist]\npaths=/etc/ssh;/data\n',
    {
      persist: [
        { path: '/etc/ssh', inRoot: '/etc/ssh', image: 'dir', storeExists: false },
        { path: '/data', inRoot: '/data', image: 'absent', storeExists: false },
      ],
    },
  ],
  'state, volatile and transient overlays': [
    '[root]\ntransient=true\n',
    {
      overlays: [
        overlay('/usr/share/app', 'state', true),
        overlay('/usr/share/combo', 'transient', false, ['/usr/share/app', '/usr/lib']),
      ],
    },
  ],
};

function planFor(entry: [string | null, Partial<Facts>]) {
  const [conf, extra] = entry;
  return planPrepareRoot(
    resolveConfig(loadConfig(conf === null ? [] : [{ path: '/c', data: conf }]), '').config,
    facts({ mountVarMarker: true, ...extra }),
    CONTEXT,
  ).plan;
}

// The inverse each forward action must get, or null when there is nothing of its own to undo (a
// remount, propagation, make-private, prune, rm -r). An overlay workdir also loses the work/ and
// index/ dirs the kernel makes in it, an upper whatever was copied up into it. Written from what
// each operation does, independently of apply/actions.ts's table.
function expectedUndo(a: Action, overlayDir: 'upper' | 'work' | undefined): Action[] | null {
  switch (a.op) {
    case 'mkdir':
      if (overlayDir === 'work')
        return [
          { op: 'remove-tree', path: `${a.path}/work` },
          { op: 'remove-tree', path: `${a.path}/index` },
          { op: 'rmdir', path: a.path },
        ];
      return overlayDir === 'upper' ? [{ op: 'remove-tree', path: a.path }] : [{ op: 'rmdir', path: a.path }];
    case 'mount':
      return [{ op: 'unmount', target: a.mount.target, detach: false }];
    case 'bind':
      return [{ op: 'unmount', target: a.target, detach: false }];
    // Detaching the physical root from SYSROOT: bound back from where the plan keeps it.
    case 'unmount':
      return a.detach ? [{ op: 'bind', source: '/sysroot.tmp/sysroot', target: a.target }] : null;
    case 'move':
      return [{ op: 'move', source: a.target, target: a.source }];
    case 'rmdir':
      return [{ op: 'mkdir', path: a.path, mode: 0o755, existOk: false }];
    case 'write-file':
    case 'symlink':
      return [{ op: 'remove-file', path: a.path }];
    // The recording mounter "creates" just the path.
    case 'mkdirp':
      return [{ op: 'rmdir', path: a.path }];
    case 'copy-tree':
      return [{ op: 'remove-tree', path: a.to }];
    case 'rename':
      return [{ op: 'rename', from: a.to, to: a.from }];
    default:
      return null;
  }
}

describe('applyPlan', () => {
  it.each(Object.entries(CONFIGS))('%s: runs every step in order', (_, conf) => {
    const plan = planFor(conf);
    const m = new RecordingMounter();
    const records = applyPlan(plan, m);
    expect(records.map((r) => r.status)).toEqual(plan.steps.map(() => 'done'));
    expect(m.calls).toHaveLength(plan.steps.length);
  });

  describe.each(Object.entries(CONFIGS))('%s: a failure at each step is rolled back exactly', (_, conf) => {
    const plan = planFor(conf);
    it.each(plan.steps.map((s, i) => [i + 1, s.id] as const))('failing call %i (%s)', (n, id) => {
      const m = new RecordingMounter(new Set([n]));
      let error: unknown;
      try {
        applyPlan(plan, m);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ExecutionError);
      const e = error as ExecutionError;
      expect(e.what).toBe(`step ${id}`);
      expect(e.why).toMatch(/injected failure; rolled back \d+ completed steps?$/);
      const forward = m.actions.slice(0, n);
      const undo = m.actions.slice(n);
      const expected = forward
        .slice(0, -1)
        .map((action, i) => {
          const s = plan.steps[i]!;
          return expectedUndo(action, s.kind === 'mkdir' ? s.overlayDir : undefined);
        })
        .filter((u): u is Action[] => u !== null)
        .reverse()
        .flat();
      expect(undo).toEqual(expected);
      expect(e.records.at(-1)).toMatchObject({ id, status: 'failed' });
    });
  });

  it('keeps undoing past an undo failure and reports it', () => {
    const plan = planFor(CONFIGS.legacy!);
    // Call 6 (bind-usr) fails; its undo sequence starts at call 7 (umount /sysroot.tmp).
    const m = new RecordingMounter(new Set([6, 7]));
    expect(() => applyPlan(plan, m)).toThrow(
      /rollback incomplete: bind-deployment \(umount \/sysroot\.tmp: injected failure\)/,
    );
    expect(m.calls.slice(6)).toEqual([
      'umount /sysroot.tmp',
      'rmdir /sysroot.tmp',
      'rmdir /run/ostree/.private',
      'rmdir /run/ostree',
    ]);
  });
});

describe('applyPlan: composefs', () => {
  const plan = planPrepareRoot(
    resolveConfig(loadConfig([{ path: '/c', data: '[composefs]\nenabled=yes\n' }]), '').config,
    facts({ composefsImage: { state: 'valid', path: `${D}/.ostree.cfs`, hasAcl: true } }),
    CONTEXT,
  ).plan;
  const callOf = (id: string) => plan.steps.findIndex((s) => s.id === id) + 1;

  it('records which variant made each mount', () => {
    const records = applyPlan(plan, new RecordingMounter());
    expect(records.filter((r) => r.variant !== undefined).map((r) => `${r.id}:${r.variant}`)).toEqual([
      'mount-composefs-image:erofs',
      'mount-composefs:overlay',
    ]);
  });

  it('after the image mount is detached, rollback unmounts the overlay, not the image again', () => {
    const failAt = callOf('bind-etc');
    const m = new RecordingMounter(new Set([failAt]));
    expect(() => applyPlan(plan, m)).toThrow(/^step bind-etc: .*; rolled back \d+ completed steps$/);
    const undo = m.calls.slice(failAt);
    expect(undo).toContain('umount /sysroot.tmp');
    expect(undo).not.toContain('umount /run/ostree/.private/cfsroot-lower');
  });
});
