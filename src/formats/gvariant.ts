// GVariant serialization of a{sv} in normal form, little-endian, as GLib writes /run/ostree-booted
// (ostree-prepare-root builds an a{sv} and writes g_variant_get_data()). Only the value types
// ostree puts there are produced; decoding keeps any other type as raw bytes.
//
// The layout, for reference: a container of variable-size children stores where each child ends
// ("framing offsets") after the children, in the smallest of 1, 2, 4 or 8 bytes that can address
// the whole container, offsets included. An array of {sv} has one offset per entry; a {sv} entry
// has one (where its key ends); a variant is its value, a NUL, then its type string.
import { PrepareRootError } from '../base/errors.js';
import { utf8Decode, utf8DecodeStrict, utf8Encode } from '../base/text.js';

export type VariantValue =
  | { readonly type: 'b'; readonly value: boolean }
  | { readonly type: 's'; readonly value: string }
  | { readonly type: '(tt)'; readonly value: readonly [bigint, bigint] }
  | { readonly type: 'other'; readonly signature: string; readonly bytes: Uint8Array };
export type VarDict = ReadonlyArray<readonly [string, VariantValue]>;

const WHAT = 'GVariant a{sv}';

function fail(why: string): never {
  throw new PrepareRootError(WHAT, why);
}

/** Offset width for a container whose children take `bodySize` bytes and need `count` offsets. */
function offsetSizeFor(bodySize: number, count: number): number {
  if (count === 0) return 0;
  for (const w of [1, 2, 4]) {
    if (bodySize + w * count < 2 ** (8 * w)) return w;
  }
  return 8;
}

/** Offset width of a serialized container of `size` bytes (offsets included). */
function framingWidth(size: number): number {
  return size <= 0xff ? 1 : size <= 0xffff ? 2 : size <= 0xffff_ffff ? 4 : 8;
}

/** Append-only byte buffer; plain arrays would need spreads that overflow the stack on big values. */
class Writer {
  private buf = new Uint8Array(256);
  length = 0;

  bytes(b: Uint8Array): void {
    if (this.length + b.length > this.buf.length) {
      const grown = new Uint8Array(Math.max(this.buf.length * 2, this.length + b.length));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  pad(align: number): void {
    this.bytes(new Uint8Array((align - (this.length % align)) % align));
  }

  offset(value: number, width: number): void {
    const b = new Uint8Array(width);
    for (let i = 0; i < width; i++) b[i] = Math.floor(value / 2 ** (8 * i)) & 0xff;
    this.bytes(b);
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** A GVariant string: UTF-8 and a NUL. Refuses what GLib could not hold rather than altering it. */
function stringBytes(s: string, what: string): Uint8Array {
  if (s.includes('\0')) fail(`${what} contains a NUL character`);
  if (/\p{Cs}/u.test(s)) fail(`${what} is not valid Unicode (lone surrogate)`);
  const b = utf8Encode(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

function valueBytes(v: VariantValue, key: string): { data: Uint8Array; signature: string } {
  switch (v.type) {
    case 'b':
      return { data: Uint8Array.of(v.value ? 1 : 0), signature: 'b' };
    case 's':
      return { data: stringBytes(v.value, `value of ${key}`), signature: 's' };
    case '(tt)': {
      // DataView would silently wrap an out-of-range number; a wrong inode is worse than an error.
      if (v.value.some((n) => n < 0n || n >= 2n ** 64n)) fail(`value of ${key} is out of range for (tt)`);
      const data = new Uint8Array(16);
      const view = new DataView(data.buffer);
      view.setBigUint64(0, v.value[0], true);
      view.setBigUint64(8, v.value[1], true);
      return { data, signature: '(tt)' };
    }
    case 'other':
      return { data: v.bytes, signature: v.signature };
  }
}

/** A {sv} entry: key, value aligned to 8, key end offset. The entry itself starts 8-aligned. */
function entryBytes(key: string, v: VariantValue): Uint8Array {
  const w = new Writer();
  w.bytes(stringBytes(key, 'key'));
  const keyEnd = w.length;
  w.pad(8);
  const { data, signature } = valueBytes(v, key);
  w.bytes(data);
  w.bytes(Uint8Array.of(0));
  w.bytes(utf8Encode(signature));
  w.offset(keyEnd, offsetSizeFor(w.length, 1));
  return w.done();
}

/** Normal-form a{sv}, byte for byte what g_variant_get_data() gives (an empty dict is 0 bytes). */
export function serializeVarDict(entries: VarDict): Uint8Array {
  const w = new Writer();
  const ends: number[] = [];
  for (const [key, value] of entries) {
    w.pad(8);
    w.bytes(entryBytes(key, value));
    ends.push(w.length);
  }
  const width = offsetSizeFor(w.length, ends.length);
  for (const end of ends) w.offset(end, width);
  return w.done();
}

function readOffset(bytes: Uint8Array, at: number, width: number): number {
  let v = 0;
  for (let i = width - 1; i >= 0; i--) v = v * 256 + bytes[at + i]!;
  return v;
}

/** A string child: ends in its only NUL, UTF-8 before it (GLib's own check for normal form). */
function readString(bytes: Uint8Array, what: string): string {
  if (bytes.length === 0 || bytes[bytes.length - 1] !== 0) fail(`${what} is not NUL-terminated`);
  if (bytes.indexOf(0) !== bytes.length - 1) fail(`${what} contains a NUL byte`);
  return utf8DecodeStrict(bytes.subarray(0, -1)) ?? fail(`${what} is not valid UTF-8`);
}

/**
 * Length of the one complete definite type at `at` in `sig`, or 0 if there is none. Nesting is
 * capped like GLib's (G_VARIANT_MAX_RECURSION_DEPTH), which also keeps our stack safe.
 */
function scanType(sig: string, at: number, depth = 0): number {
  const c = sig[at];
  if (c === undefined || depth > 128) return 0;
  if (BASIC.includes(c) || c === 'v') return 1;
  if (c === 'a' || c === 'm') {
    const n = scanType(sig, at + 1, depth + 1);
    return n === 0 ? 0 : n + 1;
  }
  if (c === '(') {
    let i = at + 1;
    while (sig[i] !== ')') {
      const n = scanType(sig, i, depth + 1);
      if (n === 0) return 0;
      i += n;
    }
    return i + 1 - at;
  }
  if (c === '{') {
    // A dict entry: a basic-type key, then exactly one value type.
    if (sig[at + 1] === undefined || !BASIC.includes(sig[at + 1]!)) return 0;
    const n = scanType(sig, at + 2, depth + 1);
    return n === 0 || sig[at + 2 + n] !== '}' ? 0 : n + 3;
  }
  return 0;
}
const BASIC = 'bynqiuxthdsog';

function isTypeString(sig: string): boolean {
  return sig.length > 0 && scanType(sig, 0) === sig.length;
}

function parseValue(bytes: Uint8Array, key: string): VariantValue {
  // The type string has no NUL, so the last NUL is the separator.
  const sep = bytes.lastIndexOf(0);
  if (sep < 0) fail(`value of ${key} has no type string`);
  const signature = utf8Decode(bytes.subarray(sep + 1)); // anything not ASCII fails below
  if (!isTypeString(signature)) fail(`value of ${key} has an invalid type string “${signature}”`);
  const data = bytes.subarray(0, sep);
  switch (signature) {
    case 'b':
      if (data.length !== 1 || data[0]! > 1) fail(`value of ${key} is not a boolean (1 byte, 0 or 1)`);
      return { type: 'b', value: data[0] === 1 };
    case 's':
      return { type: 's', value: readString(data, `value of ${key}`) };
    case '(tt)': {
      if (data.length !== 16) fail(`value of ${key} is not a (tt) (16 bytes)`);
      const view = new DataView(data.buffer, data.byteOffset, 16);
      return { type: '(tt)', value: [view.getBigUint64(0, true), view.getBigUint64(8, true)] };
    }
    default:
      return { type: 'other', signature, bytes: data.slice() };
  }
}

/**
 * Decode an a{sv} in normal form. Stricter than GLib, which reads anything (substituting defaults
 * for what does not fit): here a malformed frame or value is an error, since guessing would only
 * hide a damaged file.
 */
export function parseVarDict(bytes: Uint8Array): VarDict {
  if (bytes.length === 0) return [];
  const w = framingWidth(bytes.length);
  const lastEnd = readOffset(bytes, bytes.length - w, w);
  const offsetsBytes = bytes.length - lastEnd;
  if (lastEnd > bytes.length || offsetsBytes === 0 || offsetsBytes % w !== 0) fail('bad framing offsets');
  const count = offsetsBytes / w;
  const entries: Array<[string, VariantValue]> = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    start = Math.ceil(start / 8) * 8;
    const end = readOffset(bytes, lastEnd + i * w, w);
    if (end < start || end > lastEnd) fail(`entry ${i} has bad bounds`);
    const entry = bytes.subarray(start, end);
    const ew = framingWidth(entry.length);
    if (entry.length < ew + 1) fail(`entry ${i} is too short`);
    const keyEnd = readOffset(entry, entry.length - ew, ew);
    if (keyEnd < 1 || keyEnd > entry.length - ew) fail(`entry ${i} has a bad key offset`);
    const key = readString(entry.subarray(0, keyEnd), `key of entry ${i}`);
    const valueStart = Math.ceil(keyEnd / 8) * 8;
    if (valueStart > entry.length - ew) fail(`entry ${i} (${key}) has no value`);
    entries.push([key, parseValue(entry.subarray(valueStart, entry.length - ew), key)]);
    start = end;
  }
  return entries;
}

/**
 * Children of a serialized array whose elements are of variable size and alignment 1 (e.g. `aay`,
 * `as`): each ends at a framing offset stored after the elements, with no padding between them.
 */
export function parseArrayOfVariable(bytes: Uint8Array, what: string): Uint8Array[] {
  if (bytes.length === 0) return [];
  const w = framingWidth(bytes.length);
  const lastEnd = readOffset(bytes, bytes.length - w, w);
  if (lastEnd > bytes.length || (bytes.length - lastEnd) % w !== 0)
    throw new PrepareRootError(what, 'bad framing offsets');
  const count = (bytes.length - lastEnd) / w;
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = readOffset(bytes, lastEnd + i * w, w);
    if (end < start || end > lastEnd) throw new PrepareRootError(what, `element ${i} has bad bounds`);
    out.push(bytes.subarray(start, end));
    start = end;
  }
  return out;
}

/**
 * The first two children of an ostree commit, `(a{sv}aya(say)sstayay)`: its metadata and its
 * parent checksum. In a tuple, each variable-size child but the last ends at a framing offset;
 * those offsets are stored at the very end, last one first.
 */
export function parseCommitHead(bytes: Uint8Array): { metadata: Uint8Array; parent: Uint8Array } {
  const what = 'ostree commit object';
  const w = framingWidth(bytes.length);
  if (bytes.length < 2 * w) throw new PrepareRootError(what, 'too short');
  const metadataEnd = readOffset(bytes, bytes.length - w, w);
  const parentEnd = readOffset(bytes, bytes.length - 2 * w, w);
  if (metadataEnd > parentEnd || parentEnd > bytes.length - 2 * w)
    throw new PrepareRootError(what, 'bad framing offsets');
  return { metadata: bytes.subarray(0, metadataEnd), parent: bytes.subarray(metadataEnd, parentEnd) };
}
