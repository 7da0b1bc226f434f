// GLib key file parsing, as g_key_file_load_from_data does it (ostree reads prepare-root.conf
// that way): `[group]` lines, `key=value` lines, `#` comments; duplicate groups merge, duplicate
// keys take the last value. Values are kept raw; callers interpret them like GLib's getters.
import { PrepareRootError } from './errors.js';

export interface KeyFileEntry {
  /** Raw value: leading whitespace dropped, trailing whitespace kept (as GLib stores it). */
  readonly value: string;
  /** 1-based line number. */
  readonly line: number;
}

export interface KeyFile {
  readonly file: string;
  readonly groups: ReadonlyMap<string, ReadonlyMap<string, KeyFileEntry>>;
  /** Line of each group's first `[group]` header. */
  readonly groupLines?: ReadonlyMap<string, number>;
}

const SPACE = /^[ \t\n\v\f\r]*/;

function isGroupName(name: string): boolean {
  return name.length > 0 && !/[[\]\x00-\x1f\x7f]/.test(name);
}

// A key: no '=', '[' or ']', no leading/trailing space, optionally followed by a locale `[xx_YY.enc@mod]`.
function isKeyName(key: string): boolean {
  const m = /^([^=[\]]+)(\[[\p{L}\p{N}\-_.@]*\])?$/u.exec(key);
  return m !== null && !m[1]!.startsWith(' ') && !m[1]!.endsWith(' ');
}

export function parseKeyFile(data: Uint8Array | string, file: string): KeyFile {
  let text: string;
  try {
    text = typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    const lineNo = firstInvalidUtf8Line(data as Uint8Array);
    throw new PrepareRootError(`${file}:${lineNo}`, 'line is not valid UTF-8');
  }
  const groups = new Map<string, Map<string, KeyFileEntry>>();
  const groupLines = new Map<string, number>();
  let current: Map<string, KeyFileEntry> | null = null;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const lineNo = index + 1;
    const where = `${file}:${lineNo}`;
    const s = line.replace(SPACE, '');
    if (s === '' || s.startsWith('#')) return;
    const group = /^\[([^\]]*)\][ \t]*$/.exec(s);
    if (group !== null) {
      const name = group[1]!;
      if (!isGroupName(name)) throw new PrepareRootError(where, `Invalid group name: ${name}`);
      current = groups.get(name) ?? new Map();
      groups.set(name, current);
      if (!groupLines.has(name)) groupLines.set(name, lineNo);
      return;
    }
    const eq = s.indexOf('=');
    if (eq <= 0) {
      throw new PrepareRootError(where, `Key file contains line “${line}” which is not a key-value pair, group, or comment`);
    }
    if (current === null) throw new PrepareRootError(where, 'Key file does not start with a group');
    const key = s.slice(0, eq).replace(/[ \t\n\v\f\r]+$/, '');
    if (!isKeyName(key)) throw new PrepareRootError(where, `Invalid key name: ${key}`);
    // Delete first so a repeated key moves to its last position, like the value.
    current.delete(key);
    current.set(key, { value: s.slice(eq + 1).replace(SPACE, ''), line: lineNo });
  });
  return { file, groups, groupLines };
}

function firstInvalidUtf8Line(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try { decoder.decode(bytes.subarray(start, i)); } catch { return line; }
      line++;
      start = i + 1;
    }
  }
  return line;
}

/** GLib boolean: `true`/`1`/`false`/`0` exactly, trailing whitespace ignored. */
export function parseBooleanValue(entry: KeyFileEntry, file: string, group: string, key: string): boolean {
  switch (entry.value.replace(/[ \t\n\v\f\r]+$/, '')) {
    case 'true': case '1': return true;
    case 'false': case '0': return false;
    default:
      throw new PrepareRootError(`${file}:${entry.line}`, `${group}.${key}: value “${entry.value}” is not a boolean (use true/false/1/0)`);
  }
}

/** GLib string value: `\s \n \t \r \\` escapes; anything else after a backslash is an error. */
export function unescapeStringValue(entry: KeyFileEntry, file: string, group: string, key: string): string {
  return entry.value.replace(/\\(.?)/gs, (seq: string, c: string) => {
    const map: Record<string, string> = { s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' };
    const out = map[c];
    if (out === undefined) throw new PrepareRootError(`${file}:${entry.line}`, `${group}.${key}: invalid escape sequence “${seq}”`);
    return out;
  });
}
