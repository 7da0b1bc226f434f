// base/text.ts: UTF-8, hex and base64 as the boot needs them, with Node's own codecs as the
// oracle on edge cases and on random input (fixed seeds). oneLine and shellQuote are tested with
// the messages that use them (limits-and-lines.test.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex, toHex, utf8Decode, utf8DecodeStrict, utf8Encode } from '../../../src/base/text.js';

const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const strictOrNull = (b: Uint8Array) => {
  try {
    return strict.decode(b);
  } catch {
    return null;
  }
};

describe('UTF-8, against TextDecoder and TextEncoder', () => {
  it.each([
    [[0xc3, 0xa9]],
    [[0xff]],
    [[0xc0, 0xaf]],
    [[0xed, 0xa0, 0x80]],
    [[0xf4, 0x90, 0x80, 0x80]],
    [[0xf0, 0x9f, 0x98]],
    [[0xef, 0xbb, 0xbf, 0x41]],
  ])('%j', (bytes) => {
    const b = Uint8Array.from(bytes);
    expect(utf8Decode(b)).toBe(lenient.decode(b));
    expect(utf8DecodeStrict(b)).toBe(strictOrNull(b));
  });

  it('random bytes decode as TextDecoder decodes them; random strings encode as TextEncoder does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(utf8Decode(b)).toBe(lenient.decode(b));
        expect(utf8DecodeStrict(b)).toBe(strictOrNull(b));
      }),
      { seed: 20261203, numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => {
        expect(utf8Encode(s)).toEqual(new TextEncoder().encode(s));
      }),
      { seed: 20261204, numRuns: 3000 },
    );
  });
});

describe('hex and base64', () => {
  it('hex round-trips, and refuses what is not hex', () => {
    expect(toHex(Uint8Array.from([0, 1, 0xab, 0xff]))).toBe('0001abff');
    expect(fromHex('0001ABff')).toEqual(Uint8Array.from([0, 1, 0xab, 0xff]));
    for (const bad of ['abc', 'zz', '0x00']) expect(() => fromHex(bad)).toThrow(`not hex: ${bad}`);
  });

  it('base64 as Buffer decodes it, with or without padding; null for anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (b) => {
        const text = Buffer.from(b).toString('base64');
        expect(fromBase64(text)).toEqual(Uint8Array.from(b));
        expect(fromBase64(text.replace(/=+$/, ''))).toEqual(Uint8Array.from(b));
      }),
      { seed: 20261205, numRuns: 1000 },
    );
    for (const bad of ['a', 'ab=c', 'abc==', 'a-b_', 'ab cd', 'abcde']) expect(fromBase64(bad), bad).toBeNull();
  });
});
