import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrepareRootError } from '../../../src/base/errors.js';
import { type VarDict, type VariantValue, parseVarDict, serializeVarDict } from '../../../src/formats/gvariant.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const fail = (why: string) => new PrepareRootError('GVariant a{sv}', why);

// /run/ostree-booted written by ostree 2025.2.
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

const TRANSIENT_ETC = '/run/ostree/transient-etc.AbC123';
const other = (signature: string, h: string): VariantValue => ({ type: 'other', signature, bytes: bytes(h) });

describe('a{sv}: fixed vectors', () => {
  it('serializes exactly the bytes ostree 2025.2 writes', () => {
    expect(hex(serializeVarDict(OSTREE_2025_2_DICT))).toBe(hex(OSTREE_2025_2));
  });

  it('parses what ostree 2025.2 writes', () => {
    expect(parseVarDict(OSTREE_2025_2)).toEqual(OSTREE_2025_2_DICT);
  });

  it('an empty dict is zero bytes, as GLib serializes an empty array of variable-size elements', () => {
    expect(serializeVarDict([])).toEqual(new Uint8Array());
    expect(parseVarDict(new Uint8Array())).toEqual([]);
  });

  // Every vector below is GLib 2.74's output (PyGObject, g_variant_get_data_as_bytes).
  it.each<[string, VarDict, string]>([
    [
      'transient-etc alone',
      [['transient-etc', { type: 's', value: TRANSIENT_ETC }]],
      '7472616e7369656e742d6574630000002f72756e2f6f73747265652f7472616e7369656e742d6574632e4162433132330000730e34',
    ],
    [
      'transient-etc, then an entry padded to 8 after it',
      [
        ['transient-etc', { type: 's', value: TRANSIENT_ETC }],
        ['sysroot-ro', { type: 'b', value: true }],
      ],
      '7472616e7369656e742d6574630000002f72756e2f6f73747265652f7472616e7369656e742d6574632e4162433132330000730e00000000737973726f6f742d726f0000000000000100620b344c',
    ],
    ['an empty key', [['', { type: 'b', value: false }]], '0000000000000000000062010c'],
    ['an empty string value', [['e', { type: 's', value: '' }]], '6500000000000000000073020c'],
    ['non-ASCII key and value', [['ü', { type: 's', value: 'é€😀' }]], 'c3bc000000000000c3a9e282acf09f98800000730315'],
    ['the largest t', [['t', other('t', 'ffffffffffffffff')]], '7400000000000000ffffffffffffffff00740213'],
    ['u kept raw', [['n', other('u', '07000000')]], '6e00000000000000070000000075020f'],
    [
      'aay kept raw (ostree.sign.ed25519 has this type)',
      [['sigs', other('aay', '0102030203')]],
      '73696773000000000102030203006161790512',
    ],
    ['as kept raw', [['list', other('as', '61006263000205')]], '6c69737400000000610062630002050061730513'],
    ['a nested variant kept raw', [['nested', other('v', '6869000073')]], '6e65737465640000686900007300760710'],
  ])('%s', (_, dict, h) => {
    expect(hex(serializeVarDict(dict))).toBe(h);
    expect(parseVarDict(bytes(h))).toEqual(dict);
  });

  // One entry {k: s of n bytes}. Offsets are sized for the container including themselves, so the
  // step to 2 bytes comes one byte early where the offset would push the size past 255 (n=243:
  // the entry fits 255 with a 1-byte offset, the array cannot), and likewise past 65535.
  it.each<[number, number, string]>([
    [242, 255, '7800007302fe'], // entry and array both 1-byte
    [243, 257, '00007302ff00'], // entry 255 bytes, 1-byte; array 255 + 1 > 255 → 2-byte
    [244, 259, '007302000101'], // entry 255 + 1 > 255 → 2-byte; array 2-byte
    [65520, 65535, '00730200fdff'], // both 2-byte, exactly 65535
    [65521, 65538, '0200feff0000'], // entry 2-byte; array 65534 + 2 > 65535 → 4-byte
    [65523, 65542, '000002000100'], // entry needs 4-byte too
  ])('offset size at the boundary: string of %i bytes gives %i bytes ending %s', (n, size, tail) => {
    const dict: VarDict = [['k', { type: 's', value: 'x'.repeat(n) }]];
    const out = serializeVarDict(dict);
    expect(out.length).toBe(size);
    expect(hex(out.subarray(-6))).toBe(tail);
    expect(parseVarDict(out)).toEqual(dict);
  });

  it('a dict past 255 bytes has 2-byte offsets for every entry', () => {
    const dict: VarDict = [
      ['k', { type: 's', value: 'x'.repeat(300) }],
      ['b', { type: 'b', value: true }],
    ];
    const out = serializeVarDict(dict);
    expect(out.length).toBe(336); // GLib 2.74 gives 336 too
    // Entry 1 ends at 0x139 (313), entry 2 at 0x14c (332): two 2-byte little-endian offsets.
    expect(hex(out.subarray(-4))).toBe('39014c01');
    expect(parseVarDict(out)).toEqual(dict);
  });
});

describe('a{sv}: refusals', () => {
  // Each is a valid serialization of {a: true} (61 00 pad×6 | 01 00 62 | key end 02 | entry end 0c)
  // or of another small dict, with one thing broken.
  it.each<[string, string, string]>([
    ['an array offset past the end', '61 00 00 00 00 00 00 00 01 00 62 02 ff', 'bad framing offsets'],
    ['no room for offsets', '61 00 00 00 00 00 00 00 01 00 62 02 0d', 'bad framing offsets'],
    ['an empty entry', '00', 'entry 0 is too short'],
    ['a key offset of 0', '61 00 00 00 00 00 00 00 01 00 62 00 0c', 'entry 0 has a bad key offset'],
    ['a key offset into the offsets', '61 00 00 00 00 00 00 00 01 00 62 0c 0c', 'entry 0 has a bad key offset'],
    ['a key without its NUL', '61 62 00 00 00 00 00 00 01 00 62 02 0c', 'key of entry 0 is not NUL-terminated'],
    ['a key with a NUL inside', '61 00 00 00 00 00 00 00 01 00 62 03 0c', 'key of entry 0 contains a NUL byte'],
    ['a key that is not UTF-8', 'ff 00 00 00 00 00 00 00 01 00 62 02 0c', 'key of entry 0 is not valid UTF-8'],
    ['a key and no value', '61 62 63 64 65 66 67 68 00 09 0a', 'entry 0 (abcdefgh) has no value'],
    ['a value without a type string', '61 00 00 00 00 00 00 00 01 01 62 02 0c', 'value of a has no type string'],
    ['an invalid type string', '61 00 00 00 00 00 00 00 01 00 7a 02 0c', 'value of a has an invalid type string “z”'],
    [
      'an incomplete type string',
      '61 00 00 00 00 00 00 00 01 00 61 02 0c',
      'value of a has an invalid type string “a”',
    ],
    [
      'two types in one variant',
      '61 00 00 00 00 00 00 00 00 62 62 02 0c',
      'value of a has an invalid type string “bb”',
    ],
    ['a boolean of 2', '61 00 00 00 00 00 00 00 02 00 62 02 0c', 'value of a is not a boolean (1 byte, 0 or 1)'],
    ['a (tt) without data', '61 00 00 00 00 00 00 00 00 28 74 74 29 02 0e', 'value of a is not a (tt) (16 bytes)'],
    ['a string value without its NUL', '61 00 00 00 00 00 00 00 68 69 00 73 02 0d', 'value of a is not NUL-terminated'],
    [
      'a second entry that ends before it starts',
      '61 00 00 00 00 00 00 00 01 00 62 02 0c 0c',
      'entry 1 has bad bounds',
    ],
  ])('%s', (_, h, why) => {
    expect(() => parseVarDict(bytes(h))).toThrow(fail(why));
  });

  it.each<[string, VarDict, string]>([
    ['a key with NUL', [['a\0b', { type: 'b', value: true }]], 'key contains a NUL character'],
    ['a string value with NUL', [['k', { type: 's', value: 'a\0' }]], 'value of k contains a NUL character'],
    ['a lone surrogate', [['k', { type: 's', value: '\ud800' }]], 'value of k is not valid Unicode (lone surrogate)'],
    ['a negative (tt)', [['k', { type: '(tt)', value: [-1n, 0n] }]], 'value of k is out of range for (tt)'],
    ['a (tt) past 64 bits', [['k', { type: '(tt)', value: [0n, 2n ** 64n] }]], 'value of k is out of range for (tt)'],
  ])('will not serialize %s (GLib could not hold it)', (_, dict, why) => {
    expect(() => serializeVarDict(dict)).toThrow(fail(why));
  });
});

const key = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((k) => !k.includes('\0'));
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const value: fc.Arbitrary<VariantValue> = fc.oneof(
  fc.boolean().map((v) => ({ type: 'b' as const, value: v })),
  fc
    .string({ unit: 'grapheme' })
    .filter((s) => !s.includes('\0'))
    .map((v) => ({ type: 's' as const, value: v })),
  fc.tuple(u64, u64).map((v) => ({ type: '(tt)' as const, value: v })),
);
const dict = fc.array(fc.tuple(key, value), { maxLength: 40 });

describe('a{sv}: properties', () => {
  it('round-trips any dict of b, s and (tt) values (and raw values of other types)', () => {
    const raw = fc
      .tuple(fc.constantFrom('u', 'ay', 'aay', 'as', 'a{sv}', 'v', '(sa{sv})', 'mb'), fc.uint8Array({ maxLength: 40 }))
      .map(([signature, b]): VariantValue => ({ type: 'other', signature, bytes: b }));
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.oneof(value, raw)), { maxLength: 40 }), (entries) => {
        expect(parseVarDict(serializeVarDict(entries))).toEqual(entries);
      }),
    );
  });

  it('round-trips dicts big enough for 2- and 4-byte offsets', () => {
    const big = fc.array(
      fc.tuple(
        key,
        fc.string({ minLength: 200, maxLength: 3000 }).map((v): VariantValue => ({ type: 's', value: v })),
      ),
      { minLength: 1, maxLength: 40 },
    );
    fc.assert(
      fc.property(big, (entries) => {
        expect(parseVarDict(serializeVarDict(entries))).toEqual(entries);
      }),
      { numRuns: 50 },
    );
  });

  it('never crashes on arbitrary bytes: a dict or a PrepareRootError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          parseVarDict(b);
        } catch (e) {
          expect(e).toBeInstanceOf(PrepareRootError);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('never crashes on a valid dict with one byte changed', () => {
    fc.assert(
      fc.property(
        dict.filter((d) => d.length > 0),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (d, at, delta) => {
          const b = serializeVarDict(d);
          b[at % b.length] = (b[at % b.length]! + delta) & 0xff;
          try {
            parseVarDict(b);
          } catch (e) {
            expect(e).toBeInstanceOf(PrepareRootError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

// GLib itself as the oracle, through PyGObject (Debian's python3-gi, hence Debian's python3).
const GLIB_VARIANT = `
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
const PYTHON = '/usr/bin/python3';
const hasGi = spawnSync(PYTHON, ['-c', 'from gi.repository import GLib'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasGi)(
  'a{sv} against GLib (skipped: no /usr/bin/python3 with PyGObject; apt-get install python3-gi)',
  () => {
    it('serializes 300 random dicts byte for byte as GLib does, some past 255 bytes', () => {
      const longValue = fc
        .string({ unit: 'grapheme', minLength: 100, maxLength: 400 })
        .map((v): VariantValue => ({ type: 's', value: v }));
      const dicts = fc.sample(fc.array(fc.tuple(key, fc.oneof(value, longValue)), { maxLength: 12 }), {
        numRuns: 300,
        seed: 42,
      });
      const input = dicts.map((d) =>
        d.map(([k, v]) => [k, v.type, v.type === '(tt)' ? v.value.map(String) : v.type === 'other' ? null : v.value]),
      );
      const r = spawnSync(PYTHON, ['-c', GLIB_VARIANT], {
        input: JSON.stringify(input),
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      expect(r.status, r.stderr).toBe(0);
      const glib = JSON.parse(r.stdout) as string[];
      expect(glib.some((h) => h.length > 2 * 255)).toBe(true);
      dicts.forEach((d, i) => {
        expect(hex(serializeVarDict(d)), JSON.stringify(input[i])).toBe(glib[i]);
      });
    });
  },
);
