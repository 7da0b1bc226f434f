// The run's journal (/run/prepare-root/journal): before each step, what undoes it should it have
// happened; after it, what undoes it as it did happen; during a rollback, which steps were undone.
// A run that is killed (a crash, systemd's timeout, a power cut of the initramfs) leaves it, and
// the next run undoes what it names before preparing (apply/recovery.ts). One JSON object a line,
// appended: a line torn by the kill is ignored.
import { fromHex, toHex, utf8Decode, utf8Encode } from '../base/text.js';
import type { Action } from './actions.js';

/**
 * An undo action, and for one that unmounts, moves or binds a mount: the mount id `path` had
 * before the forward step. A recovery performs it only if that changed (the step did happen).
 */
export interface GuardedAction {
  readonly action: Action;
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

function decodeEvent(line: string): JournalEvent | null {
  try {
    return JSON.parse(line, (_, v) =>
      v !== null && typeof v === 'object' && typeof v.hex === 'string' && Object.keys(v).length === 1
        ? fromHex(v.hex)
        : v,
    ) as JournalEvent;
  } catch {
    return null;
  }
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
  const events = lines.map((l, i) => (l === '' ? null : { event: decodeEvent(l), last: i >= lines.length - 2 }));
  const header = events[0]?.event;
  if (header === null || header === undefined || !('run' in header)) return 'it does not start with a run header';
  const steps = new Map<number, { index: number; id: string; done: boolean; undo: readonly GuardedAction[] }>();
  for (const e of events.slice(1)) {
    if (e === null) continue;
    // Only the last line can be torn by a kill; garbage anywhere else is not ours.
    if (e.event === null) {
      if (e.last) continue;
      return 'a line that is not a journal event';
    }
    const ev = e.event;
    if ('start' in ev) steps.set(ev.start, { index: ev.start, id: ev.id, done: false, undo: ev.undo });
    else if ('done' in ev) {
      const s = steps.get(ev.done);
      if (s !== undefined) steps.set(ev.done, { ...s, done: true, undo: ev.undo });
    } else if ('undone' in ev) steps.delete(ev.undone);
  }
  return {
    pid: header.run.pid,
    sysroot: header.run.sysroot,
    steps: [...steps.values()].sort((a, b) => a.index - b.index),
  };
}

export const encodeLine = (event: JournalEvent): Uint8Array => utf8Encode(`${encodeEvent(event)}\n`);
