// The run's journal (/run/prepare-root/journal): before each step, what undoes it should it have
// happened; after it, what undoes it as it did happen; during a rollback, which steps were undone.
// A run that is killed (a crash, systemd's timeout, a power cut of the initramfs) leaves it, and
// the next run undoes what it names before preparing (apply/recovery.ts). One JSON object a line,
// appended: a line torn by the kill is ignored. The file lies in /run, which is not trusted: it is
// decoded by shape, field by field, and only operations that undo a step are accepted.
import { fromHex, toHex, utf8Decode, utf8Encode } from '../base/text.js';
import { UNDO_OPS, type UndoAction } from './actions.js';

/**
 * An undo action, and for one that unmounts, moves or binds a mount: the mount id `path` had
 * before the forward step. A recovery performs it only if that changed (the step did happen).
 */
export interface GuardedAction {
  readonly action: UndoAction;
  readonly guard?: { readonly path: string; readonly mountIdBefore: number };
}

export type JournalEvent =
  | { readonly run: { readonly pid: number; readonly sysroot: string } }
  | { readonly start: number; readonly id: string; readonly undo: readonly GuardedAction[] }
  | { readonly done: number; readonly undo: readonly GuardedAction[] }
  | { readonly undone: number };

/** Appends events as they happen. */
export interface Journal {
  record(event: JournalEvent): void;
}

// Bytes (a write-file's content) travel as hex. Only an undo that writes a file carries any: the
// other events skip the replacer, a JavaScript call for every value.
export function encodeEvent(event: JournalEvent): string {
  const bytes = 'undo' in event && event.undo.some((g) => g.action.op === 'write-file');
  return bytes
    ? JSON.stringify(event, (_, v) => (v instanceof Uint8Array ? { hex: toHex(v) } : v))
    : JSON.stringify(event);
}

/** What a journal line decodes to: the event, or why it is none (`torn`: not JSON at all). */
type Decoded = { readonly event: JournalEvent } | { readonly refused: string; readonly torn: boolean };

const HEX = /^(?:[0-9a-f]{2})*$/;

function decodeEvent(line: string): Decoded {
  let value: unknown;
  try {
    // {"hex": …} is bytes; one that is not hex stays an object, which no field accepts.
    value = JSON.parse(line, (_, v) =>
      v !== null && typeof v === 'object' && HEX.test(v.hex) && Object.keys(v).length === 1 ? fromHex(v.hex) : v,
    );
  } catch {
    return { refused: 'not JSON', torn: true };
  }
  try {
    return { event: journalEvent(value) };
  } catch (e) {
    if (e instanceof Refused) return { refused: e.message, torn: false };
    throw e;
  }
}

class Refused extends Error {}
const refuse = (why: string): never => {
  throw new Refused(why);
};

/** `value`: checked by its own decoder. */
type Field = 'value' | 'path' | 'text' | 'bool' | 'true' | 'mode' | 'index' | 'bytes';
const FIELD: Record<Field, [test: (v: unknown) => boolean, what: string]> = {
  value: [(v) => v !== undefined, 'present'],
  path: [(v) => typeof v === 'string' && v.startsWith('/') && !v.includes('\0'), 'an absolute path'],
  text: [(v) => typeof v === 'string', 'a string'],
  bool: [(v) => typeof v === 'boolean', 'true or false'],
  true: [(v) => v === true, 'true'],
  mode: [(v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0o7777, 'a mode (0..07777)'],
  index: [(v) => Number.isInteger(v) && (v as number) >= 0, 'a whole number'],
  bytes: [(v) => v instanceof Uint8Array, 'bytes ({"hex": …})'],
};

/** An object with exactly these fields (those marked `?` may be absent), each of its kind. */
function fields(v: unknown, what: string, spec: Record<string, Field>): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array)
    return refuse(`${what} is not an object`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(k in spec) && !(`${k}?` in spec)) refuse(`${what} has an unknown field ${k}`);
  for (const [key, kind] of Object.entries(spec)) {
    const name = key.replace(/\?$/, '');
    if (key.endsWith('?') && !(name in o)) continue;
    const [test, expected] = FIELD[kind];
    if (!test(o[name])) refuse(`${what}'s ${name} is not ${expected}`);
  }
  return o;
}

/** Each undo operation's fields; set-attrs only ever restores read-only. */
const UNDO_FIELDS: { readonly [Op in UndoAction['op']]: Record<string, Field> } = {
  'remove-tree': { path: 'path' },
  rmdir: { path: 'path' },
  unmount: { target: 'path', detach: 'bool' },
  'remove-file': { path: 'path' },
  rename: { from: 'path', to: 'path' },
  'set-fs-readonly': { target: 'path', readonly: 'bool' },
  bind: { source: 'path', target: 'path' },
  'set-attrs': { target: 'path', readonly: 'true' },
  move: { source: 'path', target: 'path' },
  mkdir: { path: 'path', mode: 'mode', existOk: 'bool' },
  'write-file': { path: 'path', mode: 'mode', content: 'bytes' },
};

function undoAction(v: unknown): UndoAction {
  const op = typeof v === 'object' && v !== null ? (v as { op?: unknown }).op : undefined;
  if (typeof op !== 'string' || !(UNDO_OPS as readonly string[]).includes(op))
    return refuse(
      `an undo action's op ${JSON.stringify(op) ?? 'is missing'}${typeof op === 'string' ? ' is not one that undoes a step' : ''}`,
    );
  return fields(v, `the ${op} action`, { op: 'text', ...UNDO_FIELDS[op as UndoAction['op']] }) as unknown as UndoAction;
}

function undoList(v: unknown): GuardedAction[] {
  if (!Array.isArray(v)) return refuse('undo is not a list');
  return v.map((g) => {
    const o = fields(g, 'an undo entry', { action: 'value', 'guard?': 'value' });
    const action = undoAction(o.action);
    if (!('guard' in o)) return { action };
    const guard = fields(o.guard, 'a guard', { path: 'path', mountIdBefore: 'index' });
    return { action, guard: { path: guard.path as string, mountIdBefore: guard.mountIdBefore as number } };
  });
}

function journalEvent(v: unknown): JournalEvent {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return refuse('not an object');
  if ('run' in v) {
    fields(v, 'the run header', { run: 'value' });
    const run = fields((v as { run: unknown }).run, 'the run header', { pid: 'index', sysroot: 'path' });
    return { run: { pid: run.pid as number, sysroot: run.sysroot as string } };
  }
  if ('start' in v) {
    const o = fields(v, 'a start event', { start: 'index', id: 'text', undo: 'value' });
    return { start: o.start as number, id: o.id as string, undo: undoList(o.undo) };
  }
  if ('done' in v) {
    const o = fields(v, 'a done event', { done: 'index', undo: 'value' });
    return { done: o.done as number, undo: undoList(o.undo) };
  }
  if ('undone' in v) return { undone: fields(v, 'an undone event', { undone: 'index' }).undone as number };
  return refuse('not a run, start, done or undone event');
}

export interface ReadJournal {
  readonly pid: number;
  readonly sysroot: string;
  /** Per step index that started: what undoes it, and whether it completed. In step order. */
  readonly steps: ReadonlyArray<{
    readonly index: number;
    readonly id: string;
    readonly done: boolean;
    readonly undo: readonly GuardedAction[];
  }>;
}

/** The journal's content; null when it holds no run header (nothing was ever done). */
export function parseJournal(bytes: Uint8Array): ReadJournal | string {
  const lines = utf8Decode(bytes).split('\n');
  const last = lines.length - (lines.at(-1) === '' ? 2 : 1);
  const decoded = lines.map((l, i) => (l === '' ? null : { line: i + 1, last: i === last, ...decodeEvent(l) }));
  const first = decoded[0];
  if (first === null || first === undefined || !('event' in first) || !('run' in first.event))
    return 'it does not start with a run header';
  const header = first.event.run;
  const steps = new Map<number, { index: number; id: string; done: boolean; undo: readonly GuardedAction[] }>();
  for (const d of decoded.slice(1)) {
    if (d === null) continue;
    if (!('event' in d)) {
      // Only the last line can be torn by a kill; anything else that is not an event is not ours.
      if (d.torn && d.last) continue;
      return `line ${d.line}: ${d.refused}`;
    }
    const ev = d.event;
    if ('run' in ev) return `line ${d.line}: a second run header`;
    if ('start' in ev) steps.set(ev.start, { index: ev.start, id: ev.id, done: false, undo: ev.undo });
    else if ('done' in ev) {
      const s = steps.get(ev.done);
      if (s !== undefined) steps.set(ev.done, { ...s, done: true, undo: ev.undo });
    } else steps.delete(ev.undone);
  }
  return {
    pid: header.pid,
    sysroot: header.sysroot,
    steps: [...steps.values()].sort((a, b) => a.index - b.index),
  };
}

export const encodeLine = (event: JournalEvent): Uint8Array => utf8Encode(`${encodeEvent(event)}\n`);
