// apply/actions.ts: one record per kind of plan step. For each kind: the action that applies it,
// what undoes it after each outcome it can have, and whether a mount id guards that undo. The
// rows are typed by step kind, so a kind without a row does not compile.
import { describe, expect, it } from 'vitest';
import { type Outcome, NO_OUTCOME, actionOf, mountGuardPath, undoOf } from '../../../src/apply/actions.js';
import type { Step } from '../../../src/plan/types.js';

const r = { reason: 'test' };
const bytes = new Uint8Array([1, 2]);
const created = (c: boolean): Outcome => ({ kind: 'created', created: c });

type Row = {
  step: Step;
  action: unknown;
  /** [outcome, undo actions] */
  undo: ReadonlyArray<readonly [Outcome, unknown[]]>;
  guard: string | null;
};

const ROWS: { [K in Step['kind']]: Row } = {
  'make-private': {
    step: { ...r, id: 'p', kind: 'make-private', target: '/' },
    action: { op: 'set-attrs', target: '/', propagation: 'private', recursive: true },
    undo: [[NO_OUTCOME, []]],
    guard: null,
  },
  mkdir: {
    step: { ...r, id: 'd', kind: 'mkdir', path: '/run/x', mode: 0o755, existOk: true },
    action: { op: 'mkdir', path: '/run/x', mode: 0o755, existOk: true },
    undo: [
      [created(true), [{ op: 'rmdir', path: '/run/x' }]],
      [created(false), []],
    ],
    guard: null,
  },
  bind: {
    step: { ...r, id: 'b', kind: 'bind', source: '/a', target: '/b' },
    action: { op: 'bind', source: '/a', target: '/b' },
    undo: [[NO_OUTCOME, [{ op: 'unmount', target: '/b', detach: false }]]],
    guard: '/b',
  },
  'remount-bind': {
    step: { ...r, id: 'rb', kind: 'remount-bind', target: '/b', readonly: true },
    action: { op: 'set-attrs', target: '/b', readonly: true },
    undo: [[NO_OUTCOME, []]],
    guard: null,
  },
  'remount-fs': {
    step: { ...r, id: 'rf', kind: 'remount-fs', target: '/sysroot', readonly: true },
    action: { op: 'set-fs-readonly', target: '/sysroot', readonly: true },
    undo: [[NO_OUTCOME, [{ op: 'set-fs-readonly', target: '/sysroot', readonly: false }]]],
    guard: null,
  },
  tmpfs: {
    step: { ...r, id: 't', kind: 'tmpfs', target: '/run/u', options: ['mode=0755'] },
    action: {
      op: 'mount',
      mount: { fstype: 'tmpfs', source: 'tmpfs', target: '/run/u', readonly: false, options: ['mode=0755'] },
    },
    undo: [[NO_OUTCOME, [{ op: 'unmount', target: '/run/u', detach: false }]]],
    guard: '/run/u',
  },
  overlay: {
    step: {
      ...r,
      id: 'o',
      kind: 'overlay',
      target: '/sysroot',
      lower: ['/l'],
      dataLower: ['/d'],
      upper: '/u',
      work: '/w',
      readonly: false,
      options: ['metacopy=on'],
      cwd: '/c',
    },
    action: {
      op: 'mount',
      mount: {
        fstype: 'overlay',
        source: 'overlay',
        target: '/sysroot',
        readonly: false,
        overlay: { lower: ['/l'], data: ['/d'], upper: '/u', work: '/w' },
        options: ['metacopy=on'],
        cwd: '/c',
      },
    },
    undo: [[NO_OUTCOME, [{ op: 'unmount', target: '/sysroot', detach: false }]]],
    guard: '/sysroot',
  },
  'device-fs': {
    step: { ...r, id: 'df', kind: 'device-fs', device: '/dev/vdb', fstype: 'ext4', target: '/run/d' },
    action: {
      op: 'mount',
      mount: { fstype: 'ext4', source: '/dev/vdb', target: '/run/d', readonly: false, options: [] },
    },
    undo: [[NO_OUTCOME, [{ op: 'unmount', target: '/run/d', detach: false }]]],
    guard: '/run/d',
  },
  erofs: {
    step: { ...r, id: 'e', kind: 'erofs', image: '/i.cfs', target: '/run/e', noacl: true },
    action: {
      op: 'mount',
      mount: { fstype: 'erofs', source: '/i.cfs', target: '/run/e', readonly: true, options: ['noacl'] },
    },
    undo: [[NO_OUTCOME, [{ op: 'unmount', target: '/run/e', detach: false }]]],
    guard: '/run/e',
  },
  symlink: {
    step: { ...r, id: 's', kind: 'symlink', path: '/run/l', linkTarget: 'x' },
    action: { op: 'symlink', path: '/run/l', target: 'x' },
    undo: [
      [created(true), [{ op: 'remove-file', path: '/run/l' }]],
      [created(false), []],
    ],
    guard: null,
  },
  mkdirp: {
    step: { ...r, id: 'mp', kind: 'mkdirp', path: '/a/b/c', mode: 0o700 },
    action: { op: 'mkdirp', path: '/a/b/c', mode: 0o700 },
    undo: [
      [
        { kind: 'created-dirs', dirs: ['/a/b', '/a/b/c'] },
        [
          { op: 'rmdir', path: '/a/b/c' },
          { op: 'rmdir', path: '/a/b' },
        ],
      ],
      [NO_OUTCOME, []],
    ],
    guard: null,
  },
  'remove-tree': {
    step: { ...r, id: 'rt', kind: 'remove-tree', path: '/u/.volatile' },
    action: { op: 'remove-tree', path: '/u/.volatile' },
    undo: [[NO_OUTCOME, []]],
    guard: null,
  },
  rename: {
    step: { ...r, id: 'rn', kind: 'rename', from: '/a', to: '/b' },
    action: { op: 'rename', from: '/a', to: '/b' },
    undo: [[NO_OUTCOME, [{ op: 'rename', from: '/b', to: '/a' }]]],
    guard: null,
  },
  'prune-upper': {
    step: { ...r, id: 'pu', kind: 'prune-upper', upper: '/u', lower: ['/l'] },
    action: { op: 'prune-upper', upper: '/u', lower: ['/l'] },
    undo: [[NO_OUTCOME, []]],
    guard: null,
  },
  copy: {
    step: { ...r, id: 'c', kind: 'copy', from: '/img/etc/ssh', to: '/store/etc/ssh' },
    action: { op: 'copy-tree', from: '/img/etc/ssh', to: '/store/etc/ssh' },
    undo: [[NO_OUTCOME, [{ op: 'remove-tree', path: '/store/etc/ssh' }]]],
    guard: null,
  },
  propagation: {
    step: { ...r, id: 'pr', kind: 'propagation', target: '/sysroot', propagation: 'slave' },
    action: { op: 'set-attrs', target: '/sysroot', propagation: 'slave' },
    undo: [[NO_OUTCOME, []]],
    guard: null,
  },
  detach: {
    step: { ...r, id: 'dt', kind: 'detach', target: '/sysroot/etc', restoreFrom: '/run/etc', restoreReadonly: true },
    action: { op: 'unmount', target: '/sysroot/etc', detach: true },
    undo: [
      [
        NO_OUTCOME,
        [
          { op: 'bind', source: '/run/etc', target: '/sysroot/etc' },
          { op: 'set-attrs', target: '/sysroot/etc', readonly: true },
        ],
      ],
    ],
    guard: '/sysroot/etc',
  },
  move: {
    step: { ...r, id: 'mv', kind: 'move', source: '/sysroot.tmp', target: '/sysroot', pointOfNoReturn: true },
    action: { op: 'move', source: '/sysroot.tmp', target: '/sysroot' },
    undo: [[NO_OUTCOME, [{ op: 'move', source: '/sysroot', target: '/sysroot.tmp' }]]],
    guard: '/sysroot',
  },
  'write-file': {
    step: { ...r, id: 'w', kind: 'write-file', path: '/run/f', mode: 0o644, content: bytes, summary: '2 bytes' },
    action: { op: 'write-file', path: '/run/f', mode: 0o644, content: bytes },
    undo: [
      [{ kind: 'replaced', previous: null }, [{ op: 'remove-file', path: '/run/f' }]],
      [
        { kind: 'replaced', previous: new Uint8Array([9]) },
        [{ op: 'write-file', path: '/run/f', mode: 0o644, content: new Uint8Array([9]) }],
      ],
    ],
    guard: null,
  },
  rmdir: {
    step: { ...r, id: 'rd', kind: 'rmdir', path: '/run/motd.d' },
    action: { op: 'rmdir', path: '/run/motd.d' },
    undo: [[NO_OUTCOME, [{ op: 'mkdir', path: '/run/motd.d', mode: 0o755, existOk: false }]]],
    guard: null,
  },
  'copy-label': {
    step: { ...r, id: 'cl', kind: 'copy-label', from: '/img', to: '/run/u' },
    action: { op: 'copy-label', from: '/img', to: '/run/u' },
    undo: [[NO_OUTCOME, []]],
    guard: null,
  },
  'record-labels': {
    step: { ...r, id: 'rl', kind: 'record-labels', path: '/run/labels.json', uppers: [] },
    action: { op: 'record-labels', path: '/run/labels.json', uppers: [] },
    undo: [[NO_OUTCOME, [{ op: 'remove-file', path: '/run/labels.json' }]]],
    guard: null,
  },
};

describe('STEP_KINDS', () => {
  it.each(Object.entries(ROWS))('%s: its action, its undo after each outcome, its guard', (_, row) => {
    expect(actionOf(row.step)).toEqual(row.action);
    for (const [outcome, undo] of row.undo) expect(undoOf(row.step, outcome)).toEqual(undo);
    expect(mountGuardPath(row.step)).toBe(row.guard);
  });

  it('a new upper or workdir is removed with what the overlay put in it', () => {
    const mkdir = (overlayDir: 'upper' | 'work'): Step => ({
      ...r,
      id: 'd',
      kind: 'mkdir',
      path: '/run/o',
      mode: 0o755,
      existOk: false,
      overlayDir,
    });
    expect(undoOf(mkdir('upper'), created(true))).toEqual([{ op: 'remove-tree', path: '/run/o' }]);
    expect(undoOf(mkdir('work'), created(true))).toEqual([
      { op: 'remove-tree', path: '/run/o/work' },
      { op: 'remove-tree', path: '/run/o/index' },
      { op: 'rmdir', path: '/run/o' },
    ]);
    expect(undoOf(mkdir('upper'), created(false))).toEqual([]);
  });

  it('a detach whose mount lives on elsewhere has nothing to restore', () => {
    const step: Step = { ...r, id: 'dt', kind: 'detach', target: '/run/e', restoreFrom: null };
    expect(undoOf(step, NO_OUTCOME)).toEqual([]);
  });

  it.each(['/l,x', '/l:x', '/l\\x'])('refuses an overlay layer overlayfs would split: %s', (path) => {
    const step: Step = {
      ...r,
      id: 'o',
      kind: 'overlay',
      target: '/t',
      lower: [path],
      upper: null,
      work: null,
      readonly: true,
    };
    expect(() => actionOf(step)).toThrow(
      `step o: overlay layer path ${path} contains ',', ':' or '\\', which overlayfs cannot take`,
    );
  });
});
