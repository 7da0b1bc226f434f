// GVariant serialization of a{sv} in normal form, little-endian, as GLib writes /run/ostree-booted
// (ostree-prepare-root builds an a{sv} and writes g_variant_get_data()). Only the value types
// ostree puts there are produced; decoding keeps any other type as raw bytes.
import { PrepareRootError } from './errors.js';

export type VariantValue =
  | { readonly type: 'b'; readonly value: boolean }
  | { readonly type: 's'; readonly value: string }
  | { readonly type: '(tt)'; readonly value: readonly [bigint, bigint] }
  | { readonly type: 'other'; readonly signature: string; readonly bytes: Uint8Array };
export type VarDict = ReadonlyArray<readonly [string, VariantValue]>;

const utf8 = new TextEncoder();

/** Bytes of the offsets needed for a container of `size` bytes, offsets included. */
function offsetSize(bodySize: number, count: number): number {
  if (bodySize === 0 && count === 0) return 0;
  for (const w of [1, 2, 4, 8]) {
    if (bodySize + w * count < 2 ** (8 * w)) return w;
  }
  return 8;
}

function writeOffset(out: number[], value: number, width: number): void {
  for (let i = 0; i < width; i++) out.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
}

function pad(out: number[], align: number): void {
  while (out.length % align !== 0) out.push(0);
}

function valueBytes(v: VariantValue): { bytes: number[]; signature: string } {
  switch (v.type) {
    case 'b': return { bytes: [v.value ? 1 : 0], signature: 'b' };
    case 's': return { bytes: [...utf8.encode(v.value), 0], signature: 's' };
    case '(tt)': {
      const bytes: number[] = [];
      for (const n of v.value) for (let i = 0n; i < 8n; i++) bytes.push(Number((n >> (8n * i)) & 0xffn));
      return { bytes, signature: '(tt)' };
    }
    case 'other': return { bytes: [...v.bytes], signature: v.signature };
  }
}

/** A {sv} entry: key, value aligned to 8, then the key's end offset. Offsets are relative to the entry start (8-aligned). */
function entryBytes(key: string, v: VariantValue): number[] {
  const out = [...utf8.encode(key), 0];
  const keyEnd = out.length;
  pad(out, 8);
  const { bytes, signature } = valueBytes(v);
  out.push(...bytes, 0, ...utf8.encode(signature));
  writeOffset(out, keyEnd, offsetSize(out.length, 1));
  return out;
}

export function serializeVarDict(entries: VarDict): Uint8Array {
  const body: number[] = [];
  const ends: number[] = [];
  for (const [key, value] of entries) {
    pad(body, 8);
    body.push(...entryBytes(key, value));
    ends.push(body.length);
  }
  const width = offsetSize(body.length, ends.length);
  for (const end of ends) writeOffset(body, end, width);
  return Uint8Array.from(body);
}

function fail(why: string): never {
  throw new PrepareRootError('GVariant a{sv}', why);
}

/** Offset width of a serialized container of `size` bytes (offsets included). */
function framingWidth(size: number): number {
  return [1, 2, 4].find((n) => size <= 2 ** (8 * n) - 1) ?? 8;
}

function readOffset(bytes: Uint8Array, at: number, width: number): number {
  let v = 0;
  for (let i = width - 1; i >= 0; i--) v = v * 256 + bytes[at + i]!;
  return v;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function readString(bytes: Uint8Array, what: string): string {
  if (bytes.length === 0 || bytes[bytes.length - 1] !== 0) fail(`${what} is not NUL-terminated`);
  try {
    return utf8Strict.decode(bytes.subarray(0, -1));
  } catch {
    return fail(`${what} is not valid UTF-8`);
  }
}

function parseValue(bytes: Uint8Array): VariantValue {
  const sep = bytes.lastIndexOf(0);
  if (sep < 0) fail('variant has no type signature');
  const signature = new TextDecoder().decode(bytes.subarray(sep + 1));
  const data = bytes.subarray(0, sep);
  if (signature === 'b' && data.length === 1 && data[0]! <= 1) return { type: 'b', value: data[0] === 1 };
  if (signature === 's') return { type: 's', value: readString(data, 'string value') };
  if (signature === '(tt)' && data.length === 16) {
    const t = (o: number) => data.subarray(o, o + 8).reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);
    return { type: '(tt)', value: [t(0), t(8)] };
  }
  return { type: 'other', signature, bytes: data.slice() };
}

export function parseVarDict(bytes: Uint8Array): VarDict {
  if (bytes.length === 0) return [];
  const w = framingWidth(bytes.length);
  const lastEnd = readOffset(bytes, bytes.length - w, w);
  const offsetsBytes = bytes.length - lastEnd;
  if (lastEnd > bytes.length || offsetsBytes % w !== 0 || offsetsBytes === 0) fail('bad framing offsets');
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
    if (valueStart > entry.length - ew) fail(`entry ${i} has no value`);
    entries.push([key, parseValue(entry.subarray(valueStart, entry.length - ew))]);
    start = end;
  }
  return entries;
}

/** Framing-offset width of a serialized container of `size` bytes (exported for other readers). */
export function offsetWidth(size: number): number {
  return framingWidth(size);
}

/**
 * Children of a serialized array whose elements are not of fixed size (e.g. `aay`): each ends at
 * a framing offset stored after the elements.
 */
export function parseArrayOfVariable(bytes: Uint8Array, what: string): Uint8Array[] {
  if (bytes.length === 0) return [];
  const w = framingWidth(bytes.length);
  const lastEnd = readOffset(bytes, bytes.length - w, w);
  if (lastEnd > bytes.length || (bytes.length - lastEnd) % w !== 0) throw new PrepareRootError(what, 'bad framing offsets');
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
  if (metadataEnd > parentEnd || parentEnd > bytes.length - 2 * w) throw new PrepareRootError(what, 'bad framing offsets');
  return { metadata: bytes.subarray(0, metadataEnd), parent: bytes.subarray(metadataEnd, parentEnd) };
}
