// overlayfs/prune.ts: ostree's state-overlay rule after an update, on synthetic trees.
import { describe, expect, it } from 'vitest';
import { pruneUpper } from '../../../src/overlayfs/prune.js';
import { layers } from '../../helpers/overlay-layers.js';

describe('pruneUpper', () => {
  it('drops what shadows, replaces or deletes base content, keeps what is purely added', () => {
    const sys = layers();
    sys.file('/upper/etc/hostname', 'mine'); // shadows a base file: dropped
    sys.file('/upper/etc/app/new.conf', 'n'); // added inside a base dir: kept
    sys.whiteout('/upper/etc/motd'); // deletes base content: dropped
    sys.dir('/upper/opt/old'); // opaque over a base dir: dropped
    sys.xattr('/upper/opt/old', 'trusted.overlay.opaque', 'y');
    sys.file('/upper/opt/old/y', 'y');
    sys.file('/upper/srv/state', 's'); // nothing of that name below: kept
    sys.whiteout('/upper/srv/stray'); // a stray whiteout with nothing below: kept
    expect(pruneUpper(sys, '/upper', ['/lower'])).toEqual(['/etc/hostname', '/etc/motd', '/opt/old']);
    expect(sys.list('/upper')).toEqual(
      [
        'dir /upper/etc',
        'dir /upper/etc/app',
        'dir /upper/opt',
        'dir /upper/srv',
        'file /upper/etc/app/new.conf',
        'file /upper/srv/state',
        'char /upper/srv/stray',
      ].sort(),
    );
  });
});
