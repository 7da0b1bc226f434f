// The executable decodes and encodes UTF-8 in C (native/text.c) by the rules src/base/text.ts
// defines in JavaScript (checked against GLib in test/unit). Here the two are compared through
// the product: bytes in /proc/cmdline, decoded by the binary, come back in its error message,
// encoded by it; the expected line is what the JavaScript makes of the same bytes.
import { describe, expect, it } from 'vitest';
import { oneLine, utf8Decode } from '../../src/base/text.js';
import { type Run, isRoot, ours, runScenario } from './harness.js';

/** Well-formed and malformed sequences of every kind the WHATWG decoder tells apart. */
const EDGES: number[][] = [
  [0xc3, 0xa9], // é
  [0xe2, 0x80, 0x9c], // “
  [0xf0, 0x9f, 0x98, 0x80], // a pair in UTF-16
  [0xc2, 0x85], // U+0085, a C1 control: escaped in the line
  [0xff],
  [0xc0, 0xaf], // overlong
  [0xe0, 0x80, 0x80], // overlong, three bytes
  [0xed, 0xa0, 0x80], // an encoded surrogate
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xf0, 0x9f, 0x98], // truncated
  [0xe2, 0x28, 0xa1], // bad second byte
  [0x80, 0x80],
  [0xef, 0xbb, 0xbf], // a BOM, kept
  [0xf5, 0x41],
];

/** Random bytes from a fixed seed: no space (it would split the argument), no newline. */
function randomBytes(count: number, seed: number): number[][] {
  let x = seed;
  const next = () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + (next() % 12) }, () => 0x21 + (next() % (0x100 - 0x21))),
  );
}

const CASES = [...EDGES, ...randomBytes(40, 20261203)];

describe.skipIf(!isRoot())('UTF-8 in C, by the rules of base/text.ts', () => {
  it(`decodes and encodes ${CASES.length} byte strings as the JavaScript does`, () => {
    const runs: Run[] = CASES.map((bytes) => ({
      impl: ours(),
      before: `printf 'root=LABEL=plain-root rw rd.prepare-root=x${bytes.map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}\\n' > "$CMDLINE_FILE"`,
    }));
    const results = runScenario({ plain: true, runs });
    CASES.forEach((bytes, i) => {
      const value = `x${utf8Decode(Uint8Array.from(bytes))}`;
      expect(results[i]!.stderr, JSON.stringify(bytes)).toBe(
        oneLine(
          `prepare-root: kernel argument rd.prepare-root: invalid value “${value}” (use transient, transient-ro or off)`,
        ),
      );
    });
  });
});
