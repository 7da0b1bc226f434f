// GLib key file parsing, as g_key_file_load_from_data does it (ostree reads prepare-root.conf
// that way): `[group]` lines, `key=value` lines, `#` comments; duplicate groups merge, duplicate
// keys take the last value. Values are kept raw; callers interpret them like GLib's getters.
//
// Deliberately stricter than GLib 2.74 in two places, because GLib's behaviour there is silent
// corruption rather than a rule anyone relies on: bytes that are not UTF-8 (GLib stores them and
// only its string getter complains) and NUL bytes (GLib truncates the line's key or value there)
// are refused, naming the line. Deliberately looser in one: a key with a locale suffix
// (`Name[de]`) is kept, while GLib drops those that do not match the process's locale; the result
// would depend on the environment, and no prepare-root key has a locale anyway.
import { PrepareRootError } from '../base/errors.js';
import { utf8DecodeStrict } from '../base/text.js';

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

// g_ascii_isspace: space, \t, \n, \f, \r. Unlike C's isspace it does not count \v.
const LEADING_SPACE = /^[ \t\n\f\r]+/;
const TRAILING_SPACE = /[ \t\n\f\r]+$/;

// `[name]` with only spaces or tabs after the first `]`; the name is checked separately so that
// a bad one is reported as such rather than as an unparseable line.
const GROUP_LINE = /^\[([^\]]*)\][ \t]*$/;

function isGroupName(name: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what GLib refuses here
  return name.length > 0 && !/[[\]\x00-\x1f\x7f]/.test(name);
}

// No '=', '[' or ']', no leading or trailing space (GLib allows inner ones for old apps), then an
// optional locale `[xx_YY.enc@mod]` of Unicode letters and digits (g_unichar_isalnum) and -_.@.
function isKeyName(key: string): boolean {
  const m = /^([^=[\]]+)(\[[\p{L}\p{N}\-_.@]*\])?$/u.exec(key);
  return m !== null && !m[1]!.startsWith(' ') && !m[1]!.endsWith(' ');
}

// Lines as GLib sees them: split on \n, one \r before a \n dropped. A last line without \n keeps
// its \r (GLib flushes it as is). A final empty piece after the last \n is no line at all.
function splitLines(data: Uint8Array | string): Array<{ text: string | null; terminated: boolean }> {
  const pieces: Array<string | Uint8Array> = typeof data === 'string' ? data.split('\n') : splitBytes(data);
  if (pieces.at(-1)?.length === 0) pieces.pop();
  // Keep the BOM: GLib does not skip one, so a file starting with it fails on line 1.
  return pieces.map((piece, i) => {
    let text: string | null;
    if (typeof piece === 'string') {
      // A lone surrogate cannot come from UTF-8 bytes; treat it like bad bytes.
      text = /\p{Cs}/u.test(piece) ? null : piece;
    } else {
      text = utf8DecodeStrict(piece);
    }
    return { text, terminated: i < pieces.length - 1 || endsWithNewline(data) };
  });
}

function splitBytes(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, start)) {
    out.push(bytes.subarray(start, i));
    start = i + 1;
  }
  out.push(bytes.subarray(start));
  return out;
}

function endsWithNewline(data: Uint8Array | string): boolean {
  return typeof data === 'string' ? data.endsWith('\n') : data.at(-1) === 0x0a;
}

export function parseKeyFile(data: Uint8Array | string, file: string): KeyFile {
  const groups = new Map<string, Map<string, KeyFileEntry>>();
  const groupLines = new Map<string, number>();
  let current: Map<string, KeyFileEntry> | null = null;
  splitLines(data).forEach(({ text, terminated }, index) => {
    const lineNo = index + 1;
    const where = { file, line: lineNo };
    if (text === null) throw new PrepareRootError(where, 'line is not valid UTF-8');
    if (text.includes('\0')) throw new PrepareRootError(where, 'line contains a NUL byte');
    const line = terminated && text.endsWith('\r') ? text.slice(0, -1) : text;
    const s = line.replace(LEADING_SPACE, '');
    if (s === '' || s.startsWith('#')) return;
    const group = GROUP_LINE.exec(s);
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
      throw new PrepareRootError(
        where,
        `Key file contains line “${line}” which is not a key-value pair, group, or comment`,
      );
    }
    // GLib checks for a group before it looks at the key.
    if (current === null) throw new PrepareRootError(where, 'Key file does not start with a group');
    const key = s.slice(0, eq).replace(TRAILING_SPACE, '');
    if (!isKeyName(key)) throw new PrepareRootError(where, `Invalid key name: ${key}`);
    current.set(key, { value: s.slice(eq + 1).replace(LEADING_SPACE, ''), line: lineNo });
  });
  return { file, groups, groupLines };
}

/** GLib boolean: `true`/`1`/`false`/`0` exactly, trailing whitespace ignored. */
export function parseBooleanValue(entry: KeyFileEntry, file: string, group: string, key: string): boolean {
  switch (entry.value.replace(TRAILING_SPACE, '')) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      throw new PrepareRootError(
        { file, line: entry.line },
        `${group}.${key}: value “${entry.value}” is not a boolean (use true/false/1/0)`,
      );
  }
}

const ESCAPES: Readonly<Record<string, string>> = { s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' };

/** GLib string value: `\s \n \t \r \\` escapes; anything else after a backslash is an error. */
export function unescapeStringValue(entry: KeyFileEntry, file: string, group: string, key: string): string {
  // `u` so that an escaped non-BMP character is named whole in the error.
  return entry.value.replace(/\\(.?)/gsu, (seq: string, c: string) => {
    const out = ESCAPES[c];
    if (out === undefined)
      throw new PrepareRootError({ file, line: entry.line }, `${group}.${key}: invalid escape sequence “${seq}”`);
    return out;
  });
}

/** GLib list: split on unescaped ';', then unescape each element; a trailing empty element is dropped. */
export function splitGlibList(value: string): string[] {
  const items: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      const n = value[++i]!;
      current += n === 's' ? ' ' : n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
    } else if (c === ';') {
      items.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (current !== '') items.push(current);
  return items;
}
