// overlayfs/upper-labels.ts: the labels of a tmpfs upper's entries, recorded for `relabel`.
import { describe, expect, it } from 'vitest';
import { collectUpperLabels } from '../../../src/overlayfs/upper-labels.js';
import { memorySystem } from '../../helpers/memory-system.js';

const L = (type: string) => `system_u:object_r:${type}:s0`;

describe('collectUpperLabels', () => {
  function upper() {
    const sys = memorySystem();
    sys.dir('/u');
    sys.xattr('/u', 'security.selinux', `${L('root_t')}\0`);
    sys.dir('/u/usr');
    sys.xattr('/u/usr', 'security.selinux', L('usr_t'));
    sys.dir('/u/usr/lib');
    sys.dir('/u/usr/lib/made'); // no label of its own: the parent's
    sys.file('/u/usr/gone');
    sys.whiteout('/u/usr/deleted');
    sys.file('/u/etc-file');
    sys.xattr('/u/etc-file', 'security.selinux', L('etc_t'));
    return sys;
  }

  it("records each entry's own label, else its parent's, parents first; whiteouts are skipped", () => {
    expect(collectUpperLabels(upper(), '/u')).toEqual({
      entries: [
        ['', L('root_t')],
        ['etc-file', L('etc_t')],
        ['usr', L('usr_t')],
        ['usr/gone', L('usr_t')],
        ['usr/lib', L('usr_t')],
        ['usr/lib/made', L('usr_t')],
      ],
      truncated: false,
      refused: [],
    });
  });

  it("a malformed label is refused and the parent's recorded instead", () => {
    const sys = upper();
    sys.xattr('/u/usr', 'security.selinux', 'usr_t\n');
    const r = collectUpperLabels(sys, '/u');
    expect(r.entries.slice(2, 3)).toEqual([['usr', L('root_t')]]);
    expect(r.refused).toEqual([
      {
        path: 'usr',
        why: 'refusing the label "usr_t\\x0a" is not an SELinux context (user:role:type[:range] in plain ASCII)',
      },
    ]);
  });

  it('an unlabelled upper records nothing, and stops at the limit', () => {
    const sys = memorySystem();
    sys.dir('/u');
    sys.dir('/u/a');
    expect(collectUpperLabels(sys, '/u').entries).toEqual([]);
    expect(collectUpperLabels(upper(), '/u', 3)).toEqual({
      entries: [
        ['', L('root_t')],
        ['etc-file', L('etc_t')],
        ['usr', L('usr_t')],
      ],
      truncated: true,
      refused: [],
    });
  });
});
