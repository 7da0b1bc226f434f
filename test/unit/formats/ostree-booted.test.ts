// formats/ostree-booted.ts: /run/ostree-booted for humans and JSON, from the bytes ostree writes.
import { describe, expect, it } from 'vitest';
import { decodeOstreeBooted, describeMetadata } from '../../../src/formats/ostree-booted.js';
import { serializeVarDict } from '../../../src/formats/gvariant.js';

describe('describeMetadata', () => {
  it('booleans and strings as they are, u64 pairs as decimal strings, unknown types as hex', () => {
    expect(
      describeMetadata([
        ['composefs', { type: 'b', value: true }],
        ['backing-root-device-inode', { type: '(tt)', value: [2049n, 18446744073709551615n] }],
        ['x', { type: 'other', signature: 'ay', bytes: new Uint8Array([0xde, 0xad]) }],
      ]),
    ).toEqual({
      composefs: true,
      'backing-root-device-inode': ['2049', '18446744073709551615'],
      x: { signature: 'ay', hex: 'dead' },
    });
  });

  it('reads back what the planner writes', () => {
    const bytes = serializeVarDict([['root.transient', { type: 'b', value: true }]]);
    expect(decodeOstreeBooted(bytes)).toEqual({ 'root.transient': true });
  });
});
