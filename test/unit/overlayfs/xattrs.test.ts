// overlayfs/xattrs.ts: overlayfs's own xattrs of an entry, trusted.* or user.* (userxattr), by
// name without the prefix; other xattrs ignored; trusted.* wins when both are there.
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../src/base/text.js';
import { readOverlayXattrs, xattrText } from '../../../src/overlayfs/xattrs.js';
import type { System } from '../../../src/platform/system.js';
import { memorySystem } from '../../helpers/memory-system.js';

function withXattrs(xattrs: Record<string, string>): System {
  return {
    ...memorySystem(),
    listXattrs: () => Object.keys(xattrs),
    getXattr: (_: string, name: string) => (name in xattrs ? utf8Encode(xattrs[name]!) : null),
  };
}

describe('readOverlayXattrs', () => {
  it.each<[Record<string, string>, Record<string, string>]>([
    [{ 'trusted.overlay.opaque': 'y', 'security.selinux': 'x' }, { opaque: 'y' }],
    [{ 'user.overlay.redirect': '/a' }, { redirect: '/a' }],
    [{ 'trusted.overlay.metacopy': '', 'user.overlay.metacopy': 'u' }, { metacopy: '' }],
    [{ 'user.other': 'x' }, {}],
  ])('%j → %j', (xattrs, expected) => {
    const found = readOverlayXattrs(withXattrs(xattrs), '/e');
    expect(Object.fromEntries([...found.keys()].map((k) => [k, xattrText(found, k)]))).toEqual(expected);
    expect(xattrText(found, 'absent')).toBeUndefined();
  });
});
