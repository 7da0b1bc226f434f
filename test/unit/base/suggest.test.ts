// base/suggest.ts: "did you mean" for a config key, only when the typo is plausible.
import { describe, expect, it } from 'vitest';
import { closest } from '../../../src/base/suggest.js';

const KEYS = ['root.transient', 'root.transient-ro', 'etc.transient', 'composefs.keypath', 'sysroot.readonly'];

describe('closest', () => {
  it.each([
    ['root.transiet', 'root.transient'],
    ['ROOT.TRANSIENT', 'root.transient'],
    ['composefs.keyfile', 'composefs.keypath'],
    ['sysroot.read-only', 'sysroot.readonly'],
    ['zzz.qqqqqqqq', null],
    ['', null],
  ])('%j → %j', (name, expected) => {
    expect(closest(name, KEYS)).toBe(expected);
  });

  it('nothing to choose from: no suggestion', () => {
    expect(closest('root.transient', [])).toBeNull();
  });
});
