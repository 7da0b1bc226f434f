// overlayfs/upper-diff.ts: what an upper holds compared with its lowers, on synthetic trees.
import { describe, expect, it } from 'vitest';
import { diffUpper, summarize, summaryLine } from '../../../src/overlayfs/upper-diff.js';
import { layers } from '../../helpers/overlay-layers.js';

describe('diffUpper', () => {
  it('classifies each kind of change the way overlayfs reads the upper', () => {
    const sys = layers();
    sys.file('/upper/etc/hostname', 'changed!'); // modified
    sys.file('/upper/etc/new.conf', '12345'); // added
    sys.whiteout('/upper/etc/motd'); // deleted (0:0 char device)
    sys.file('/upper/etc/app/a.conf', ''); // metadata only
    sys.xattr('/upper/etc/app/a.conf', 'trusted.overlay.metacopy', '');
    sys.dir('/upper/etc/app', { mode: 0o700 }); // directory mode changed
    sys.dir('/upper/opt/old'); // replaced (opaque)
    sys.xattr('/upper/opt/old', 'trusted.overlay.opaque', 'y');
    sys.file('/upper/opt/old/y', 'yy');
    sys.file('/upper/opt/moved', ''); // renamed from /opt/old/x
    sys.xattr('/upper/opt/moved', 'user.overlay.redirect', '/opt/old/x');
    const changes = diffUpper(sys, '/upper', ['/lower']);
    expect(changes).toEqual([
      { path: '/etc/app', kind: 'metadata', type: 'dir', size: 0 },
      { path: '/etc/app/a.conf', kind: 'metadata', type: 'file', size: 0 },
      { path: '/etc/hostname', kind: 'modified', type: 'file', size: 8 },
      { path: '/etc/motd', kind: 'deleted', type: 'file', size: 5 },
      { path: '/etc/new.conf', kind: 'added', type: 'file', size: 5 },
      { path: '/opt/moved', kind: 'modified', type: 'file', size: 0, from: '/opt/old/x' },
      { path: '/opt/old', kind: 'replaced', type: 'dir', size: 0 },
      { path: '/opt/old/y', kind: 'added', type: 'file', size: 2 },
    ]);
    expect(summaryLine(summarize(changes))).toBe(
      '8 changes (15 bytes): 2 added, 2 modified, 2 metadata only, 1 deleted, 1 directories replaced',
    );
  });

  it('a whiteout xattr on a regular file deletes too; paths limit the report', () => {
    const sys = layers();
    sys.file('/upper/etc/motd', '');
    sys.xattr('/upper/etc/motd', 'trusted.overlay.whiteout', '');
    sys.file('/upper/opt/new', 'n');
    expect(diffUpper(sys, '/upper', ['/lower'], ['/etc'])).toEqual([
      { path: '/etc/motd', kind: 'deleted', type: 'file', size: 5 },
    ]);
  });
});
