// apply/operations.ts: every operation's command line (what `plan` prints and status.json
// records, pasteable into a shell) and the paths that must resolve without a symbolic link.
import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/apply/actions.js';
import { OPERATIONS, commandOf, confinedPaths, describeAction } from '../../../src/apply/operations.js';

const OVERLAY: Action = {
  op: 'mount',
  mount: {
    fstype: 'overlay',
    source: 'overlay',
    target: '/t',
    readonly: false,
    overlay: { lower: ['l1', '/l2'], data: [], upper: '/u', work: '/w' },
    options: [],
    cwd: '/d',
  },
};

/** Each operation: its action, its command line, its confined paths. */
const ROWS: Array<[Action, string, Array<readonly [string, boolean]>]> = [
  [
    OVERLAY,
    '(cd /d && mount -t overlay -o lowerdir=l1:/l2,upperdir=/u,workdir=/w overlay /t)',
    [
      ['/t', true],
      ['/d/l1', true],
      ['/l2', true],
      ['/u', true],
      ['/w', true],
    ],
  ],
  [
    { op: 'mount', mount: { fstype: 'erofs', source: '/i', target: '/m', readonly: true, options: ['noacl'] } },
    'mount -t erofs -o ro,noacl /i /m',
    [
      ['/m', true],
      ['/i', true],
    ],
  ],
  [
    { op: 'bind', source: '/a', target: '/b' },
    'mount --bind /a /b',
    [
      ['/a', true],
      ['/b', true],
    ],
  ],
  [
    { op: 'move', source: '/a', target: '/b' },
    'mount --move /a /b',
    [
      ['/a', true],
      ['/b', true],
    ],
  ],
  [{ op: 'set-attrs', target: '/', propagation: 'private', recursive: true }, 'mount --make-rprivate /', [['/', true]]],
  [{ op: 'set-attrs', target: '/t', readonly: true }, 'mount -o remount,bind,ro /t', [['/t', true]]],
  [{ op: 'unmount', target: '/t', detach: true }, 'umount --lazy /t', [['/t', false]]],
  [{ op: 'set-fs-readonly', target: '/t', readonly: false }, 'mount -o remount,rw /t', [['/t', true]]],
  [{ op: 'mkdir', path: '/a b', mode: 0o700, existOk: true }, "mkdir -m 0700 '/a b' (may exist)", [['/a b', false]]],
  [{ op: 'rmdir', path: '/a' }, 'rmdir /a', [['/a', false]]],
  [
    { op: 'write-file', path: '/f', mode: 0o644, content: new Uint8Array(3) },
    'write /f (3 bytes, mode 0644, atomically)',
    [['/f', false]],
  ],
  [{ op: 'remove-file', path: '/f' }, 'rm /f', [['/f', false]]],
  [{ op: 'symlink', path: '/l', target: 'x' }, 'ln -s x /l (may exist)', [['/l', false]]],
  [{ op: 'mkdirp', path: '/a/b', mode: 0o755 }, 'mkdir -p -m 0755 /a/b', [['/a/b', true]]],
  [{ op: 'remove-tree', path: '/t' }, 'rm -r /t (no mount inside)', [['/t', false]]],
  [
    { op: 'prune-upper', upper: '/u', lower: ['/l'] },
    'prune /u against /l (drop what shadows the new base)',
    [
      ['/u', true],
      ['/l', true],
    ],
  ],
  [
    { op: 'rename', from: '/a', to: '/b' },
    'mv /a /b',
    [
      ['/a', false],
      ['/b', false],
    ],
  ],
  [
    { op: 'copy-tree', from: '/a', to: '/b' },
    'cp -a /a /b (owner, mode, times, xattrs; through a temporary copy renamed into place)',
    [
      ['/a', true],
      ['/b', false],
    ],
  ],
  [
    { op: 'copy-label', from: '/a', to: '/b' },
    'chcon --reference=/a /b (only if /a has an SELinux label)',
    [
      ['/a', true],
      ['/b', true],
    ],
  ],
  [
    { op: 'record-labels', path: '/r/labels.json', uppers: [{ path: '/', upper: '/u', target: '/t' }] },
    'record the SELinux labels in /u (/) to /r/labels.json',
    [
      ['/r/labels.json', false],
      ['/u', true],
      ['/t', true],
    ],
  ],
];

describe('operations', () => {
  it.each(ROWS)('%j', (action, text, confined) => {
    expect(describeAction(action)).toBe(text);
    expect(confinedPaths(action)).toEqual(confined);
  });

  it('the table above has a row for every operation', () => {
    expect(new Set(ROWS.map(([a]) => a.op))).toEqual(new Set(Object.keys(OPERATIONS)));
    expect(commandOf({ op: 'rmdir', path: '/a' })).toEqual({ command: 'rmdir /a' });
  });
});
