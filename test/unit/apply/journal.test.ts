// apply/journal.ts: what the executor writes reads back as it was; what else may lie in /run
// (the file is not trusted) is refused with the line and the reason, never thrown as a TypeError.
import { describe, expect, it } from 'vitest';
import { type GuardedAction, type JournalEvent, encodeLine, parseJournal } from '../../../src/apply/journal.js';
import { utf8Encode } from '../../../src/base/text.js';

const header: JournalEvent = { run: { pid: 41, sysroot: '/sysroot' } };
const journal = (...lines: string[]) => utf8Encode(lines.join('\n'));
const bytesOf = (...events: JournalEvent[]) => {
  const parts = events.map(encodeLine);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const line = (e: unknown) => JSON.stringify(e);

describe('parseJournal: what the executor writes', () => {
  it('reads back every undo operation, guards and bytes included', () => {
    const content = new Uint8Array([0, 1, 254, 255]);
    // Every field kind: a guard, set-attrs, bytes, a mode.
    const bindUndo: GuardedAction[] = [
      {
        action: { op: 'unmount', target: '/sysroot.tmp', detach: false },
        guard: { path: '/sysroot.tmp', mountIdBefore: 7 },
      },
      { action: { op: 'set-attrs', target: '/sysroot', readonly: true } },
      { action: { op: 'write-file', path: '/run/x', mode: 0o644, content } },
      { action: { op: 'mkdir', path: '/sysroot/etc', mode: 0o755, existOk: false } },
    ];
    const parsed = parseJournal(
      bytesOf(
        header,
        {
          start: 0,
          id: 'mkdir-a',
          undo: [
            { action: { op: 'remove-file', path: '/run/ostree/.a.41.tmp' } },
            { action: { op: 'rmdir', path: '/run/a' } },
          ],
        },
        { done: 0, undo: [{ action: { op: 'rmdir', path: '/run/a' } }] },
        { start: 1, id: 'bind', undo: [] },
        {
          done: 1,
          undo: bindUndo,
        },
        { start: 2, id: 'move', undo: [{ action: { op: 'move', source: '/sysroot', target: '/sysroot.tmp' } }] },
        { undone: 0 },
      ),
    );
    expect(parsed).toEqual({
      pid: 41,
      sysroot: '/sysroot',
      steps: [
        {
          index: 1,
          id: 'bind',
          done: true,
          undo: bindUndo,
        },
        {
          index: 2,
          id: 'move',
          done: false,
          undo: [{ action: { op: 'move', source: '/sysroot', target: '/sysroot.tmp' } }],
        },
      ],
    });
  });

  it('ignores a last line torn by a kill', () => {
    const torn = journal(line(header), line({ start: 0, id: 'a', undo: [] }), '{"done":0,"un');
    expect(parseJournal(torn)).toEqual({
      pid: 41,
      sysroot: '/sysroot',
      steps: [{ index: 0, id: 'a', done: false, undo: [] }],
    });
  });
});

describe('parseJournal: refusals', () => {
  const start = (undo: unknown) => line({ start: 0, id: 'a', undo });
  it.each([
    ['an empty file', [''], 'it does not start with a run header'],
    ['a number for a header', ['5'], 'it does not start with a run header'],
    [
      'a header with a relative sysroot',
      [line({ run: { pid: 1, sysroot: 'sysroot' } })],
      'it does not start with a run header',
    ],
    ['a number', [line(header), '5', line({ undone: 0 })], 'line 2: not an object'],
    ['a torn line that is not the last', [line(header), '{"start":0', line({ undone: 0 })], 'line 2: not JSON'],
    ['a second header', [line(header), line(header)], 'line 2: a second run header'],
    ['an event of no known kind', [line(header), line({ begin: 0 })], 'line 2: not a run, start, done or undone event'],
    [
      'a negative index',
      [line(header), line({ undone: -1 })],
      "line 2: an undone event's undone is not a whole number",
    ],
    [
      'a field of no event',
      [line(header), line({ undone: 0, also: 1 })],
      'line 2: an undone event has an unknown field also',
    ],
    ['undo not a list', [line(header), start({ op: 'rmdir', path: '/a' })], 'line 2: undo is not a list'],
    [
      'an operation that undoes no step',
      [line(header), start([{ action: { op: 'mount', mount: {} } }])],
      'line 2: an undo action\'s op "mount" is not one that undoes a step',
    ],
    [
      'an action with no op',
      [line(header), start([{ action: { path: '/a' } }])],
      "line 2: an undo action's op is missing",
    ],
    [
      'a relative path',
      [line(header), start([{ action: { op: 'rmdir', path: 'a/../../etc' } }])],
      "line 2: the rmdir action's path is not an absolute path",
    ],
    [
      'a path with NUL',
      [line(header), start([{ action: { op: 'remove-tree', path: '/run/a\u0000b' } }])],
      "line 2: the remove-tree action's path is not an absolute path",
    ],
    [
      'a field an operation does not have',
      [line(header), start([{ action: { op: 'rmdir', path: '/a', recursive: true } }])],
      'line 2: the rmdir action has an unknown field recursive',
    ],
    [
      'a mode out of range',
      [line(header), start([{ action: { op: 'mkdir', path: '/a', mode: 0o10000, existOk: false } }])],
      "line 2: the mkdir action's mode is not a mode (0..07777)",
    ],
    [
      'content that is not hex',
      [line(header), start([{ action: { op: 'write-file', path: '/a', mode: 0o644, content: { hex: 'xyz' } } }])],
      'line 2: the write-file action\'s content is not bytes ({"hex": …})',
    ],
    [
      'set-attrs that would make a mount writable',
      [line(header), start([{ action: { op: 'set-attrs', target: '/sysroot', readonly: false } }])],
      "line 2: the set-attrs action's readonly is not true",
    ],
    [
      'a guard without a mount id',
      [line(header), start([{ action: { op: 'unmount', target: '/a', detach: true }, guard: { path: '/a' } }])],
      "line 2: a guard's mountIdBefore is not a whole number",
    ],
  ])('%s', (_, lines, why) => {
    expect(parseJournal(journal(...lines))).toBe(why);
  });
});
