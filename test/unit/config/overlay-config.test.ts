// [overlay PATH] groups: defaults, dependency order (a lower inside another declared overlay is
// mounted after it), and the refusals.
import { describe, expect, it } from 'vitest';
import { PrepareRootError } from '../../../src/base/errors.js';
import { parseOverlays } from '../../../src/config/overlay-config.js';
import { parseKeyFile } from '../../../src/formats/keyfile.js';

const F = '/etc/ostree/prepare-root.conf';
const overlays = (text: string) => parseOverlays(parseKeyFile(text, F));

describe('parseOverlays', () => {
  it('defaults: the path itself as lower, a state upper, not volatile', () => {
    expect(overlays('[overlay /opt]\n')).toEqual([
      { path: '/opt', lower: ['/opt'], upper: 'state', volatile: false, where: { file: F, line: 1 } },
    ]);
  });

  it('orders overlays after the ones their lowers are inside, whatever the file order', () => {
    const text =
      '[overlay /srv/c]\nlower=/srv/b:/usr/lib\n[overlay /srv/b]\nlower=/srv/a/x\n[overlay /srv/a]\nupper=transient\n[overlay /srv/z]\n';
    expect(overlays(text).map((o) => o.path)).toEqual(['/srv/a', '/srv/b', '/srv/c', '/srv/z']);
  });

  it.each([
    [
      '[overlay /a]\nlower=/b\n[overlay /b]\nlower=/a\n',
      new PrepareRootError({ file: F, line: 1 }, 'overlays stack on each other in a cycle: /a → /b → /a'),
    ],
    [
      '[overlay /a]\n[overlay /a/b]\n',
      new PrepareRootError(
        { file: F, line: 2 },
        '[overlay /a/b] and [overlay /a] overlap: declare one, or use the other as its lower',
      ),
    ],
    [
      '[overlay /etc/x]\n',
      new PrepareRootError(
        { file: F, line: 1 },
        '[overlay /etc/x]: “/etc/x” is under /etc, which has its own handling (etc.transient)',
      ),
    ],
    ['[overlay /opt]\nlower=\n', new PrepareRootError({ file: F, line: 2 }, '[overlay /opt] lower: no layers')],
  ])('%j is refused', (text, error) => {
    expect(() => overlays(text)).toThrow(error);
  });
});
