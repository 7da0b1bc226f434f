// Bytes ⇄ text without Buffer or TextEncoder/TextDecoder (QuickJS has neither): UTF-8 as the
// WHATWG Encoding standard defines it, hex and base64.

/** UTF-8 by the same rules, faster: the executable's own (native/text.c), registered at start. */
export interface Utf8Codec {
  encode(s: string): Uint8Array;
  /** null when `fatal` and the bytes are not UTF-8. */
  decode(bytes: Uint8Array, fatal: boolean): string | null;
}

let codec: Utf8Codec | null = null;

/** From now on, encode and decode through `c` (the JavaScript below stays the definition, and what Node tests). */
export function useUtf8Codec(c: Utf8Codec): void {
  codec = c;
}

export function utf8Encode(s: string): Uint8Array {
  return codec === null ? encode(s) : codec.encode(s);
}

function encode(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate, as TextEncoder does
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(out);
}

/**
 * UTF-8 decoding (BOM kept). `fatal`: null on the first malformed sequence; otherwise each
 * maximal malformed subpart becomes U+FFFD, as TextDecoder does.
 */
function decode(bytes: Uint8Array, fatal: boolean): string | null {
  let out = '';
  let chunk: number[] = [];
  const flush = () => {
    out += String.fromCodePoint(...chunk);
    chunk = [];
  };
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need = 0;
    let cp = 0;
    let lower = 0x80;
    let upper = 0xbf;
    if (b < 0x80) {
      chunk.push(b);
      i++;
      if (chunk.length > 4096) flush();
      continue;
    }
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      cp = b & 0x0f;
      if (b === 0xe0) lower = 0xa0;
      if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      cp = b & 0x07;
      if (b === 0xf0) lower = 0x90;
      if (b === 0xf4) upper = 0x8f;
    } else {
      if (fatal) return null;
      chunk.push(0xfffd);
      i++;
      continue;
    }
    let j = 1;
    for (; j <= need; j++) {
      const c = bytes[i + j];
      if (c === undefined || c < lower || c > upper) break;
      cp = (cp << 6) | (c & 0x3f);
      lower = 0x80;
      upper = 0xbf;
    }
    if (j <= need) {
      if (fatal) return null;
      chunk.push(0xfffd);
      i += j;
      continue;
    }
    chunk.push(cp);
    i += need + 1;
    if (chunk.length > 4096) flush();
  }
  flush();
  return out;
}

/** Strict UTF-8: null when the bytes are not valid UTF-8. */
export function utf8DecodeStrict(bytes: Uint8Array): string | null {
  return codec === null ? decode(bytes, true) : codec.decode(bytes, true);
}

/** Lenient UTF-8: malformed sequences become U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  return (codec === null ? decode(bytes, false) : codec.decode(bytes, false))!;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error(`not hex: ${hex}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with optional `=` padding; null when the text is not that. */
export function fromBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const body = text.replace(/=+$/, '');
  if (body.length % 4 === 1) return null;
  if (text.includes('=') && text.length % 4 !== 0) return null;
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of body) {
    value = (value << 6) | BASE64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/** One line for the console and the kernel log (which takes about 1 KiB a record). */
export const MAX_LINE_BYTES = 1000;

/**
 * `text` as one safe line: control characters (from file names, config values, the kernel
 * command line) escaped as `\n`, `\t`, `\xNN`, so they cannot break the line or drive a terminal;
 * at most `max` bytes of UTF-8, the rest replaced by `… (N more bytes)`.
 */
export function oneLine(text: string, max = MAX_LINE_BYTES): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  const escaped = text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  const bytes = utf8Encode(escaped);
  if (bytes.length <= max) return escaped;
  // Cut on a character boundary, leaving room for the note.
  let end = max - 32;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return `${utf8Decode(bytes.subarray(0, end))}… (${bytes.length - end} more bytes)`;
}

/** A word as the shell reads it back: as it is when it holds nothing special, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** `a, b, c, … and N more` (with `sep`), for lists that would make a line too long. */
export function shortList(items: readonly string[], max: number, sep = ', '): string {
  return items.length <= max
    ? items.join(sep)
    : `${items.slice(0, max).join(sep)}${sep}… and ${items.length - max} more`;
}
