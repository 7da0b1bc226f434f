import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrepareRootError } from '../../src/errors.js';
import { type VarDict, parseVarDict, serializeVarDict } from '../../src/gvariant.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

// /run/ostree-booted written by ostree 2025.2 (shared/reference/fixtures.md §3.5).
const OSTREE_2025_2 = bytes(`
62 61 63 6b 69 6e 67 2d 72 6f 6f 74 2d 64 65 76 69 63 65 2d 69 6e 6f 64 65 00 00 00 00 00 00 00
00 fe 00 00 00 00 00 00 3f c0 20 00 00 00 00 00 00 28 74 74 29 1a 00 00 72 6f 6f 74 2e 74 72 61
6e 73 69 65 6e 74 00 00 00 00 62 0f 00 00 00 00 73 79 73 72 6f 6f 74 2d 72 6f 00 00 00 00 00 00
00 00 62 0b 36 4c 64`);
const OSTREE_2025_2_DICT: VarDict = [
  ['backing-root-device-inode', { type: '(tt)', value: [0xfe00n, 0x20c03fn] }],
  ['root.transient', { type: 'b', value: false }],
  ['sysroot-ro', { type: 'b', value: false }],
];

const value = fc.oneof(
  fc.boolean().map((v) => ({ type: 'b' as const, value: v })),
  fc.string().filter((s) => !s.includes('\0')).map((v) => ({ type: 's' as const, value: v })),
  fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }))
    .map((v) => ({ type: '(tt)' as const, value: v as readonly [bigint, bigint] })),
);

describe('a{sv}', () => {
  it('serializes exactly the bytes ostree writes', () => {
    expect(hex(serializeVarDict(OSTREE_2025_2_DICT))).toBe(hex(OSTREE_2025_2));
  });

  it('parses what ostree writes', () => {
    expect(parseVarDict(OSTREE_2025_2)).toEqual(OSTREE_2025_2_DICT);
  });

  it('an empty dict is zero bytes, as GLib serializes it (and as the static ostree build writes it)', () => {
    expect(serializeVarDict([])).toHaveLength(0);
    expect(parseVarDict(new Uint8Array())).toEqual([]);
  });

  // Vectors below were checked against GLib 2.74 (PyGObject); the GLib test further down does so for random dicts.
  it('strings: NUL-terminated, alignment of the following entry', () => {
    const dict: VarDict = [['transient-etc', { type: 's', value: '/run/ostree/transient-etc.AbC123' }], ['sysroot-ro', { type: 'b', value: true }]];
    expect(hex(serializeVarDict(dict))).toBe(hex(bytes(`
      74 72 61 6e 73 69 65 6e 74 2d 65 74 63 00 00 00
      2f 72 75 6e 2f 6f 73 74 72 65 65 2f 74 72 61 6e 73 69 65 6e 74 2d 65 74 63 2e 41 62 43 31 32 33 00
      00 73 0e
      00 00 00 00
      73 79 73 72 6f 6f 74 2d 72 6f 00 00 00 00 00 00 01 00 62 0b
      34 4c`)));
    expect(parseVarDict(serializeVarDict(dict))).toEqual(dict);
  });

  it('switches to 2-byte offsets past 255 bytes', () => {
    const dict: VarDict = [['k', { type: 's', value: 'x'.repeat(300) }], ['b', { type: 'b', value: true }]];
    const out = serializeVarDict(dict);
    // Entry 1 is itself over 255 bytes, so its key offset is 2 bytes; the array ends with two 2-byte offsets.
    expect(out.length).toBe(336); // as GLib 2.74 serializes it
    expect(parseVarDict(out)).toEqual(dict);
  });

  it('keeps unknown value types as raw bytes', () => {
    const dict: VarDict = [['n', { type: 'other', signature: 'u', bytes: Uint8Array.from([1, 0, 0, 0]) }]];
    expect(parseVarDict(serializeVarDict(dict))).toEqual(dict);
  });

  it.each([
    ['bad framing offset', '61 00 00 00 00 00 00 00 01 00 62 02 ff'],
    ['key not NUL-terminated', '61 62 00 62 01 0c'],
  ])('refuses malformed input: %s', (_, h) => {
    expect(() => parseVarDict(bytes(h))).toThrow(PrepareRootError);
  });

  it('round-trips any dict of b, s and (tt) values', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.string({ minLength: 1 }).filter((k) => !k.includes('\0')), value), { maxLength: 40 }), (entries) => {
      expect(parseVarDict(serializeVarDict(entries))).toEqual(entries);
    }));
  });

  it('never crashes on arbitrary bytes: a dict or a PrepareRootError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      try { parseVarDict(b); } catch (e) { expect(e).toBeInstanceOf(PrepareRootError); }
    }), { numRuns: 5000 });
  });
});

// GLib itself as the oracle, through PyGObject (Debian's python3-gi, hence Debian's python3), for many random dicts.
const GLIB = `
import json, sys
from gi.repository import GLib
out = []
for entries in json.load(sys.stdin):
    b = GLib.VariantBuilder.new(GLib.VariantType.new('a{sv}'))
    for k, t, v in entries:
        val = GLib.Variant('(tt)', (int(v[0]), int(v[1]))) if t == '(tt)' else GLib.Variant(t, v)
        b.add_value(GLib.Variant('{sv}', (k, val)))
    out.append(b.end().get_data_as_bytes().get_data().hex())
print(json.dumps(out))
`;
const hasGlib = spawnSync('/usr/bin/python3', ['-c', 'from gi.repository import GLib'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasGlib)('a{sv} against GLib', () => {
  it('serializes 300 random dicts byte for byte as GLib does', () => {
    const dicts = fc.sample(fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 30 }).filter((k) => !k.includes('\0')), value), { maxLength: 12 }), { numRuns: 300, seed: 42 });
    const input = dicts.map((d) => d.map(([k, v]) => [k, v.type, v.type === '(tt)' ? v.value.map(String) : v.value]));
    const r = spawnSync('/usr/bin/python3', ['-c', GLIB], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.status, r.stderr).toBe(0);
    const glib = JSON.parse(r.stdout) as string[];
    dicts.forEach((d, i) => expect(hex(serializeVarDict(d)), JSON.stringify(input[i])).toBe(glib[i]));
  });
});
