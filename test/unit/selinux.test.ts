import { describe, expect, it } from 'vitest';
import { actionOf } from '../../src/apply/actions.js';
import { describeAction } from '../../src/apply/operations.js';
import { utf8Encode } from '../../src/base/text.js';
import { loadConfig, resolveConfig } from '../../src/config/config.js';
import { LABELS_SCHEMA, type LabelsFile, parseLabelsFile, serializeLabels } from '../../src/formats/labels-file.js';
import { labelValue, parseLabel } from '../../src/formats/selinux-label.js';
import { collectUpperLabels } from '../../src/overlayfs/upper-labels.js';
import { planPrepareRoot } from '../../src/plan/plan.js';
import type { Facts } from '../../src/probe/facts.js';
import { CONTEXT, D, facts } from '../helpers/facts.js';
import { memorySystem } from '../helpers/memory-system.js';

const L = (type: string) => `system_u:object_r:${type}:s0`;

describe('parseLabel', () => {
  it.each([
    [L('root_t')],
    ['system_u:object_r:container_file_t:s0:c1,c5'],
    ['staff_u:staff_r:staff_t:s0-s15:c0.c1023'],
    ['user_u:object_r:tmp_t'],
  ])('takes %s, with or without the trailing NUL', (label) => {
    expect(parseLabel(utf8Encode(label))).toEqual({ label });
    expect(parseLabel(labelValue(label))).toEqual({ label });
  });

  it.each([
    ['empty', '', '"" is not an SELinux context (user:role:type[:range] in plain ASCII)'],
    ['a type alone', 'root_t', '"root_t" is not an SELinux context (user:role:type[:range] in plain ASCII)'],
    ['a space', 'system_u:object_r:root_t:s0 x', '"system_u:object_r:root_t:s0 x" is not an SELinux context'],
    ['a newline', `${L('root_t')}\n`, '"system_u:object_r:root_t:s0\\x0a" is not an SELinux context'],
    ['a NUL inside', 'system_u:object_r\0:root_t:s0', '"system_u:object_r\\x00:root_t:s0" is not an SELinux context'],
    ['a quote', `${L('root_t')}"`, '"system_u:object_r:root_t:s0\\x22" is not an SELinux context'],
    ['a backslash', `${L('root_t')}\\`, '"system_u:object_r:root_t:s0\\x5c" is not an SELinux context'],
    [
      'mount options',
      `${L('root_t')},upperdir=/x`,
      '"system_u:object_r:root_t:s0,upperdir=/x" is not an SELinux context',
    ],
    [
      'non-ASCII',
      'system_u:object_r:rööt_t:s0',
      '"system_u:object_r:r\\xc3\\xb6\\xc3\\xb6t_t:s0" is not an SELinux context',
    ],
  ])('refuses %s', (_, label, why) => {
    const r = parseLabel(utf8Encode(label));
    expect(r).toHaveProperty('refused');
    expect((r as { refused: string }).refused.startsWith(why)).toBe(true);
  });

  it('refuses a label over 255 bytes, showing its start only', () => {
    const long = `system_u:object_r:${'x'.repeat(240)}_t:s0`;
    expect(parseLabel(utf8Encode(long))).toEqual({
      refused: `${long.length} bytes "${long.slice(0, 64)}…", over the 255 a label may have`,
    });
    const limit = `system_u:object_r:${'x'.repeat(255 - 'system_u:object_r::s0'.length)}:s0`;
    expect(limit.length).toBe(255);
    expect(parseLabel(utf8Encode(limit))).toEqual({ label: limit });
  });
});

describe('labels.json', () => {
  const good: LabelsFile = {
    schema: LABELS_SCHEMA,
    overlays: [
      {
        path: '/',
        upper: '/run/ostree/.private/root/upper',
        entries: [
          ['', L('root_t')],
          ['usr/lib', L('lib_t')],
        ],
        top: [
          ['etc', L('etc_t')],
          ['var', L('var_t')],
        ],
        truncated: false,
        refused: [{ path: 'usr', why: 'refusing the label "x"' }],
      },
    ],
  };

  it('reads back what it writes', () => {
    expect(parseLabelsFile(new TextDecoder().decode(serializeLabels(good)))).toEqual(good);
  });

  it.each([
    ['not JSON', '{', /^not JSON: /],
    ['another schema', '{"schema":2,"overlays":[]}', /^schema 2 is not 1$/],
    ['no overlays', '{"schema":1}', /^no overlays list$/],
  ])('refuses %s', (_, text, why) => {
    expect(parseLabelsFile(text)).toMatch(why);
  });

  it.each([
    ['a path going up', [['../etc', L('etc_t')]]],
    ['an absolute entry', [['/etc', L('etc_t')]]],
    ['an empty component', [['usr//lib', L('lib_t')]]],
    ['a malformed label', [['usr', `${L('usr_t')}\n`]]],
    ['a pair of three', [['usr', L('usr_t'), 'x']]],
  ])('refuses an overlay with %s', (_, entries) => {
    const text = JSON.stringify({ ...good, overlays: [{ ...good.overlays[0], entries }] });
    expect(parseLabelsFile(text)).toBe('overlay 0 is malformed (a path, a label or a field)');
  });

  it.each([
    ['a path', 'usr/lib'],
    ['the root', ''],
  ])('refuses a top entry that is %s, not a name', (_, name) => {
    const text = JSON.stringify({ ...good, overlays: [{ ...good.overlays[0], top: [[name, L('usr_t')]] }] });
    expect(parseLabelsFile(text)).toBe('overlay 0 is malformed (a path, a label or a field)');
  });

  it('refuses a relative upper', () => {
    const text = JSON.stringify({ ...good, overlays: [{ ...good.overlays[0], upper: 'run/x' }] });
    expect(parseLabelsFile(text)).toBe('overlay 0 is malformed (a path, a label or a field)');
  });
});

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

describe('planPrepareRoot with SELinux', () => {
  const plan = (conf: string, overrides: Partial<Facts> = {}) =>
    planPrepareRoot(
      resolveConfig(loadConfig([{ path: '/c', data: conf }]), 'ostree=/ostree/boot.1/os/b/0').config,
      facts({ mountVarMarker: true, ...overrides }),
      CONTEXT,
    ).plan;
  const labelSteps = (conf: string, overrides: Partial<Facts> = {}) =>
    plan(conf, overrides)
      .steps.filter((s) => s.kind === 'copy-label' || s.kind === 'record-labels')
      .map((s) => `${s.id}: ${describeAction(actionOf(s))}`);
  const ALL =
    '[root]\ntransient=true\n[etc]\ntransient=true\n[overlay /usr/share/a]\nupper=transient\n[overlay /usr/share/b]\nupper=state\n';
  const overlays: Facts['overlays'] = ['a', 'b'].map((n) => ({
    overlay: {
      path: `/usr/share/${n}`,
      lower: [`/usr/share/${n}`],
      upper: n === 'a' ? 'transient' : 'state',
      volatile: false,
      where: { name: `[overlay /usr/share/${n}]` },
    },
    inRoot: `/usr/share/${n}`,
    pathInImage: true,
    lowersInRoot: [`/usr/share/${n}`],
    lowersExist: [true],
    stateCommit: 'abc',
    volatile: null,
  }));

  it("each upper gets its lower's label; the tmpfs ones are recorded for after the policy load", () => {
    expect(labelSteps(ALL, { selinux: true, overlays })).toEqual([
      `label-transient-upper: chcon --reference=${D} /run/ostree/.private/root/upper (only if ${D} has an SELinux label)`,
      'label-transient-etc-upper: chcon --reference=/sysroot.tmp/usr/etc /run/ostree/transient-etc.XyZ123/upper (only if /sysroot.tmp/usr/etc has an SELinux label)',
      'label-overlay-upper-0: chcon --reference=/sysroot.tmp/usr/share/a /run/prepare-root/overlays/usr%2Fshare%2Fa/upper (only if /sysroot.tmp/usr/share/a has an SELinux label)',
      'label-overlay-upper-1: chcon --reference=/sysroot.tmp/usr/share/b /sysroot.tmp/sysroot/ostree/deploy/os/var/lib/prepare-root/overlays/usr%2Fshare%2Fb/upper (only if /sysroot.tmp/usr/share/b has an SELinux label)',
      // The state upper is on disk: its labels survive the policy load.
      'record-labels: record the SELinux labels in /run/ostree/.private/root/upper (/), /run/ostree/transient-etc.XyZ123/upper (/etc), /run/prepare-root/overlays/usr%2Fshare%2Fa/upper (/usr/share/a) to /run/prepare-root/labels.json',
    ]);
  });

  it('each label step comes right after its upper is made, and the record after the last mount', () => {
    const steps = plan(ALL, { selinux: true, overlays }).steps.map((s) => s.id);
    const stepBefore = (id: string) => steps[steps.indexOf(id) - 1];
    expect(stepBefore('label-transient-upper')).toBe('mkdir-transient-upper');
    expect(stepBefore('label-transient-etc-upper')).toBe('mkdir-transient-etc-upper');
    expect(stepBefore('label-overlay-upper-0')).toBe('mkdir-overlay-upper-0');
    expect(steps.slice(steps.indexOf('record-labels'))).toEqual([
      'record-labels',
      'write-ostree-booted',
      'mkdir-motd-dir',
      'write-login-notice',
      'move-to-sysroot',
      'rmdir-staging',
    ]);
  });

  it("composefs: the transient upper takes the label of the image's root, mounted at the scratch point", () => {
    const image = { state: 'valid', path: `${D}/.ostree.cfs`, hasAcl: false } as const;
    expect(
      labelSteps('[composefs]\nenabled=yes\n[root]\ntransient=true\n', { selinux: true, composefsImage: image }),
    ).toEqual([
      'label-transient-upper: chcon --reference=/run/ostree/.private/cfsroot-lower /run/ostree/.private/root/upper (only if /run/ostree/.private/cfsroot-lower has an SELinux label)',
      'record-labels: record the SELinux labels in /run/ostree/.private/root/upper (/) to /run/prepare-root/labels.json',
    ]);
  });

  it('without SELinux, or without an upper, nothing is labelled', () => {
    expect(labelSteps(ALL, { selinux: false, overlays })).toEqual([]);
    expect(labelSteps('[sysroot]\nreadonly=true\n', { selinux: true })).toEqual([]);
    expect(plan(ALL, { selinux: true, overlays }).selinux).toBe(true);
  });
});
