// base/posix-path.ts stands in for node:path's posix half at boot: node:path is the oracle for
// the functions they share, on a table of edge cases and on random paths.
import { posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { basename, dirname, findNested, isUnder, join, normalize, under } from '../../../src/base/posix-path.js';

const EDGES = [
  '',
  '/',
  '//',
  '.',
  '..',
  '/..',
  'a/..',
  '../a',
  '/a/b/../../..',
  'a//b/./c/',
  '/a/b/',
  '///a',
  'a/b/..',
  './',
];
const pathChars = fc.constantFrom('a', 'b', '/', '.', '..');
const paths = fc.array(pathChars, { maxLength: 12 }).map((parts) => parts.join(''));

describe('posix-path against node:path', () => {
  it.each(EDGES)('%j', (p) => {
    expect(normalize(p)).toBe(posix.normalize(p));
    if (p !== '') {
      expect(dirname(p)).toBe(posix.dirname(p));
      expect(basename(p)).toBe(posix.basename(p));
    }
  });

  it('normalize, dirname, basename and join agree on random paths', () => {
    fc.assert(
      fc.property(paths, paths, (p, q) => {
        expect(normalize(p)).toBe(posix.normalize(p));
        // node keeps a leading `//` in dirname (POSIX leaves it to the implementation); ours does not.
        if (p !== '' && !/^\/\/+[^/]/.test(p)) {
          expect(dirname(p)).toBe(posix.dirname(p));
          expect(basename(p)).toBe(posix.basename(p));
        }
        expect(join(p, q)).toBe(posix.join(p, q));
      }),
      { seed: 20261203, numRuns: 2000 },
    );
  });
});

describe('posix-path: ours only', () => {
  it.each([
    ['/etc/ssh', '/etc', true],
    ['/etc', '/etc', true],
    ['/etcetera', '/etc', false],
    ['/anything', '/', true],
  ])('isUnder(%j, %j) is %s', (p, dir, expected) => {
    expect(isUnder(p, dir)).toBe(expected);
  });

  it.each([
    ['/', '/etc', '/etc'],
    ['/sysroot', '/', '/sysroot'],
    ['/sysroot', '/etc', '/sysroot/etc'],
  ])('under(%j, %j) is %j', (root, path, expected) => {
    expect(under(root, path)).toBe(expected);
  });

  it.each([
    [['/a', '/b', '/c'], null],
    [
      ['/a/b', '/a'],
      ['/a/b', '/a'],
    ],
    [
      ['/x', '/a', '/a'],
      ['/a', '/a'],
    ],
    [
      ['/a/x', '/b', '/a/x/y', '/a'],
      ['/a/x', '/a/x/y'],
    ],
    [['/ab', '/a'], null],
  ])('findNested(%j) is %j, the pair that comes first', (items, expected) => {
    expect(findNested(items, (p) => p)).toEqual(expected);
  });
});
