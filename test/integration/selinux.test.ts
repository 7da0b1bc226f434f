// SELinux labels of the uppers that stand in for image content, on real mounts. This host runs
// no SELinux, so security.selinux is a plain xattr here: lowers are labelled with setfattr (the
// tree before it is committed, so the commit and the deployment carry them, as
// `ostree commit --selinux-policy` would), and "SELinux on" is the kernel's own sign of it made
// by hand in the fake initramfs, /sys/fs/selinux (policy loaded: selinuxfs naming the kernel's
// context in full). What the policy load does to tmpfs labels (reset them all to tmpfs_t) is
// simulated by setting tmpfs_t through the overlay; the VM test boots the real thing.
import { describe, expect, it } from 'vitest';
import {
  LABEL_TREE,
  POLICY_LOADED,
  SELINUX_ON,
  WITH_COMPOSEFS_IMAGE,
  hostChangesSince,
  hostSnapshot,
  isRoot,
  ours,
  runScenario,
  selinuxLabel,
  unordered,
} from './harness.js';

const L = selinuxLabel;
/** Labels of the upper dirs (and what they hold), the transient-etc suffix made fixed. */
const UPPER_LABELS =
  'getfattr -R -d -m security.selinux --absolute-names /run/ostree/.private/root/upper /run/ostree/transient-etc.*/upper /run/prepare-root/overlays/*/upper 2>&1 | grep -v "^$" | sed "s/transient-etc\\.[A-Za-z0-9]*/transient-etc.X/"';
const ROOT_UPPER_LABEL =
  'getfattr -d -m security.selinux --absolute-names /run/ostree/.private/root/upper | grep -v "^$"';
const RECORD = 'sed "s/transient-etc\\.[A-Za-z0-9]*/transient-etc.X/g" /run/prepare-root/labels.json';
/** What loading the policy does to every tmpfs file, shown through the overlays. */
const POLICY_LOAD_RESETS = (paths: readonly string[]) =>
  paths.map((p) => `setfattr -n security.selinux -v ${L('tmpfs_t')} ${p}`).join('; ');
const MERGED_LABELS = (paths: readonly string[]) =>
  `getfattr -d -m security.selinux --absolute-names ${paths.join(' ')} 2>&1 | grep -v "^$"`;

const CONF =
  '[root]\ntransient=true\n[etc]\ntransient=true\n[persist]\npaths=/usr/lib/data\n[overlay /usr/share/app]\nupper=transient\n';
const MERGED = ['/sysroot', '/sysroot/usr', '/sysroot/usr/lib', '/sysroot/etc', '/sysroot/usr/share/app'];
const getfattr = (file: string, type: string) => [`# file: ${file}`, `security.selinux="${L(type)}"`];

describe.skipIf(!isRoot())('SELinux labels of transient uppers', () => {
  it("SELinux on: each upper gets its lower's label, copy-ups keep theirs, labels.json records every entry", () => {
    const [r] = runScenario({
      treeSetup: LABEL_TREE,
      runs: [
        { impl: ours(), conf: CONF, mountVar: true, pre: SELINUX_ON, check: `${UPPER_LABELS}; echo ---; ${RECORD}` },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    const [labels, record] = r!.check.split('\n---\n');
    // /usr and /usr/lib were copied up (mkdir -p of the persisted /usr/lib/data's mount point),
    // with their labels; data itself was made there and has none of its own.
    expect(labels!.split('\n')).toEqual([
      ...getfattr('/run/ostree/.private/root/upper', 'root_t'),
      ...getfattr('/run/ostree/.private/root/upper/usr', 'usr_t'),
      ...getfattr('/run/ostree/.private/root/upper/usr/lib', 'lib_t'),
      ...getfattr('/run/ostree/transient-etc.X/upper', 'etc_t'),
      ...getfattr('/run/prepare-root/overlays/usr%2Fshare%2Fapp/upper', 'usr_t'),
    ]);
    expect(JSON.parse(record!)).toEqual({
      schema: 1,
      overlays: [
        {
          path: '/',
          upper: '/run/ostree/.private/root/upper',
          entries: [
            ['', L('root_t')],
            ['usr', L('usr_t')],
            ['usr/lib', L('lib_t')],
            ['usr/lib/data', L('lib_t')],
          ],
          // What the top of / shows: /etc is the transient /etc's root by then, /var the
          // stateroot var (the initramfs-mount-var marker), unlabelled here.
          top: [
            ['etc', L('etc_t')],
            ['usr', L('usr_t')],
          ],
          truncated: false,
          refused: [],
        },
        {
          path: '/etc',
          upper: '/run/ostree/transient-etc.X/upper',
          entries: [['', L('etc_t')]],
          top: [['hostname', L('etc_t')]],
          truncated: false,
          refused: [],
        },
        {
          path: '/usr/share/app',
          upper: '/run/prepare-root/overlays/usr%2Fshare%2Fapp/upper',
          entries: [['', L('usr_t')]],
          top: [],
          truncated: false,
          refused: [],
        },
      ],
    });
  });

  it('after the policy load, relabel gives the recorded labels back through the overlays; status warns until it has', () => {
    // After the record, systemd's switch-root makes /mnt (-> var/mnt, /var not mounted yet):
    // var is copied up, mnt made. Then the policy load resets the tmpfs files to tmpfs_t, and
    // something labels a new entry by the policy before relabel runs.
    const RESET = [...MERGED, '/sysroot/var', '/sysroot/var/mnt', '/run/ostree/.private/root', '/run'];
    const [r] = runScenario({
      treeSetup: LABEL_TREE,
      runs: [
        {
          impl: ours(),
          conf: CONF,
          pre: SELINUX_ON,
          check: [
            'mkdir -p /sysroot/var/mnt',
            POLICY_LOAD_RESETS(RESET),
            POLICY_LOADED,
            `mkdir /sysroot/usr/lib/post; setfattr -n security.selinux -v ${L('xdm_tmp_t')} /sysroot/usr/lib/post`,
            '/prep/bin status --root /sysroot 2>/dev/null | grep -E "label|warning: /"',
            'echo ---',
            '/prep/bin relabel --root /sysroot; echo "rc=$?"',
            MERGED_LABELS([...MERGED, '/sysroot/var', '/sysroot/var/mnt', '/sysroot/usr/lib/post']),
            'getfattr -d -m security.selinux --absolute-names /run/ostree/.private/root/upper | grep security',
            '/prep/bin status --root /sysroot 2>/dev/null | grep -E "label|warning: /"',
            'echo ---',
            '/prep/bin relabel --root /sysroot',
          ].join('\n'),
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    const [before, relabel, again] = r!.check.split('\n---\n');
    const trimmed = (text: string) => text.split('\n').map((l) => l.trim());
    expect(trimmed(before!)).toEqual([
      `label /     ${L('tmpfs_t')}, lower ${L('root_t')} (labels.json)`,
      `label /etc  ${L('tmpfs_t')}, lower ${L('etc_t')} (labels.json)`,
      `warning: /: SELinux label ${L('tmpfs_t')}, but its lower has ${L('root_t')} (prepare-root-relabel.service should have given it the image's label: see its log, or run prepare-root relabel)`,
      `warning: /etc: SELinux label ${L('tmpfs_t')}, but its lower has ${L('etc_t')} (prepare-root-relabel.service should have given it the image's label: see its log, or run prepare-root relabel)`,
    ]);
    // var takes the image's label recorded for the top of /, mnt its parent's; usr/lib/post keeps
    // the label it got after the load; usr/lib/data has the persisted path's store mounted on it.
    expect(trimmed(relabel!)).toEqual([
      'prepare-root: /: relabelled 5 of 6 entries (2 made after the record, 1 under another mount, left alone)',
      'prepare-root: /etc: relabelled 1 of 1 entries',
      'prepare-root: /usr/share/app: relabelled 1 of 1 entries',
      'rc=0',
      ...getfattr('/sysroot', 'root_t'),
      ...getfattr('/sysroot/usr', 'usr_t'),
      ...getfattr('/sysroot/usr/lib', 'lib_t'),
      ...getfattr('/sysroot/etc', 'etc_t'),
      ...getfattr('/sysroot/usr/share/app', 'usr_t'),
      ...getfattr('/sysroot/var', 'var_t'),
      ...getfattr('/sysroot/var/mnt', 'var_t'),
      ...getfattr('/sysroot/usr/lib/post', 'xdm_tmp_t'),
      `security.selinux="${L('root_t')}"`,
      `label /     ${L('root_t')}, lower ${L('root_t')} (labels.json)`,
      `label /etc  ${L('etc_t')}, lower ${L('etc_t')} (labels.json)`,
    ]);
    expect(again!.split('\n')).toEqual([
      'prepare-root: /: relabelled 0 of 6 entries (1 under another mount, left alone)',
      'prepare-root: /etc: relabelled 0 of 1 entries',
      'prepare-root: /usr/share/app: relabelled 0 of 1 entries',
    ]);
  });

  it('relabel does nothing before the policy is loaded, or without SELinux', () => {
    const [on, off] = runScenario({
      treeSetup: LABEL_TREE,
      runs: [
        {
          impl: ours(),
          conf: CONF,
          mountVar: true,
          pre: SELINUX_ON,
          check: `${POLICY_LOAD_RESETS(['/sysroot'])}; /prep/bin relabel --root /sysroot; ${MERGED_LABELS(['/sysroot'])}`,
        },
        {
          impl: ours(),
          conf: CONF,
          mountVar: true,
          check: `/prep/bin relabel --root /sysroot; [ -e /run/prepare-root/labels.json ] || echo no-record; ${ROOT_UPPER_LABEL}; grep -cE '"kind": "(copy-label|record-labels)"' /run/prepare-root/status.json`,
        },
      ],
    });
    expect(on!.check.split('\n')).toEqual([
      'prepare-root: the SELinux policy is not loaded yet: labels set now would not last; nothing done',
      ...getfattr('/sysroot', 'tmpfs_t'),
    ]);
    // SELinux off: no label step at all; the upper's root is as bare as ostree leaves it.
    expect(off!.rc, off!.stderr).toBe(0);
    expect(off!.check.split('\n')).toEqual([
      'prepare-root: SELinux is not enabled: nothing to relabel',
      'no-record',
      '0',
    ]);
  });

  it('SELinux on, lowers without labels: nothing copied, nothing recorded', () => {
    const [r] = runScenario({
      runs: [
        {
          impl: ours(),
          conf: CONF,
          mountVar: true,
          pre: SELINUX_ON,
          check: `${UPPER_LABELS}; ${RECORD}; ${POLICY_LOADED}; /prep/bin relabel --root /sysroot`,
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    const [record, ...relabel] = r!.check.split('\n');
    expect(JSON.parse(record!).overlays.map((o: { path: string; entries: unknown[] }) => [o.path, o.entries])).toEqual([
      ['/', []],
      ['/etc', []],
      ['/usr/share/app', []],
    ]);
    expect(relabel).toEqual([
      'prepare-root: /: relabelled 0 of 3 entries (1 under another mount, left alone)',
      'prepare-root: /etc: relabelled 0 of 1 entries',
      'prepare-root: /usr/share/app: relabelled 0 of 1 entries',
    ]);
  });

  it('plan shows where each label comes from; without SELinux it has no label step', () => {
    const plan = (extra: string) =>
      `${extra}; /prep/tool plan /sysroot 2>/dev/null | grep -E "selinux:|label|chcon" | sed "s/ \\+/ /g"`;
    const [on, off] = runScenario({
      treeSetup: LABEL_TREE,
      runs: [
        { impl: { prep: '/usr/bin/true' }, conf: CONF, pre: plan(SELINUX_ON) },
        { impl: { prep: '/usr/bin/true' }, conf: CONF, pre: plan('true') },
      ].map((r) => ({ ...r, tool: true, pre: `${r.pre} > /tmp/plan; true`, check: 'cat /tmp/plan' })),
    });
    const D = '/sysroot/ostree/deploy/probeos/deploy/CSUM.0';
    expect(on!.check.split('\n')).toEqual([
      "selinux: enabled: tmpfs uppers get their lowers' labels",
      ` 8. label-transient-upper chcon --reference=${D} /run/ostree/.private/root/upper`,
      ` # SELinux is on: / shows the label of ${D}, not the tmpfs' (kept in labels.json across the policy load); only if ${D} has an SELinux label`,
      ' 13. label-transient-etc-upper chcon --reference=/sysroot.tmp/usr/etc /run/ostree/transient-etc.XXXXXX/upper',
      " # SELinux is on: /etc shows the label of /sysroot.tmp/usr/etc, not the tmpfs' (kept in labels.json across the policy load); only if /sysroot.tmp/usr/etc has an SELinux label",
      ' 20. label-overlay-upper-0 chcon --reference=/sysroot.tmp/usr/share/app /run/prepare-root/overlays/usr%2Fshare%2Fapp/upper',
      " # SELinux is on: /usr/share/app shows the label of /sysroot.tmp/usr/share/app, not the tmpfs' (kept in labels.json across the policy load); only if /sysroot.tmp/usr/share/app has an SELinux label",
      ' 27. record-labels record the SELinux labels in /run/ostree/.private/root/upper (/), /run/ostree/transient-etc.XXXXXX/upper (/etc), /run/prepare-root/overlays/usr%2Fshare%2Fapp/upper (/usr/share/app) to /run/prepare-root/labels.json',
      ' # SELinux is on: the policy load after switch-root discards the labels of tmpfs files, so `prepare-root relabel` restores them from this record',
    ]);
    expect(off!.check.split('\n')).toEqual(['selinux: not enabled']);
  });

  it("composefs: the transient upper takes the image's label, not the deployment directory's", () => {
    const [r] = runScenario({
      treeSetup: LABEL_TREE,
      // The image carries the commit's labels; the deployment directory (unverified, writable
      // on the physical root) is relabelled by an attacker.
      setup: `${WITH_COMPOSEFS_IMAGE.replace('bash "$H/mkcfs.sh"', 'XATTRS=1 bash "$H/mkcfs.sh"')}; chattr -i "$D"; setfattr -n security.selinux -v ${L('unconfined_t')} "$D"; chattr +i "$D"`,
      runs: [
        {
          impl: ours(),
          conf: '[composefs]\nenabled=yes\n[root]\ntransient=true\n',
          pre: SELINUX_ON,
          check: `${ROOT_UPPER_LABEL}; ${MERGED_LABELS(['/sysroot/usr', '/sysroot/etc/hostname'])}`,
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    expect(r!.check.split('\n')).toEqual([
      ...getfattr('/run/ostree/.private/root/upper', 'root_t'),
      ...getfattr('/sysroot/usr', 'usr_t'),
      ...getfattr('/sysroot/etc/hostname', 'etc_t'),
    ]);
  });
});

describe.skipIf(!isRoot())('malformed labels are refused', () => {
  const long = `system_u:object_r:${'a'.repeat(300)}_t:s0`;
  const hex = (s: string) => `0x${Buffer.from(s).toString('hex')}`;
  const CASES: Array<[string, string, string]> = [
    ['a newline', `${L('root_t')}\nfake`, '"system_u:object_r:root_t:s0\\x0afake" is not an SELinux context'],
    ['a quote', `${L('root_t')}"`, '"system_u:object_r:root_t:s0\\x22" is not an SELinux context'],
    [
      'mount options',
      `${L('root_t')},upperdir=/etc`,
      '"system_u:object_r:root_t:s0,upperdir=/etc" is not an SELinux context',
    ],
    ['not a context', 'root_t', '"root_t" is not an SELinux context'],
    ['over the limit', long, `${long.length} bytes "${long.slice(0, 64)}…", over the 255 a label may have`],
  ];

  it.each(CASES)("on the deployment's root (%s): the boot fails naming it, nothing stays mounted", (_, label, why) => {
    const before = hostSnapshot();
    const [untouched, r] = runScenario({
      setup: `chattr -i "$D"; setfattr -n security.selinux -v ${hex(label)} "$D"; chattr +i "$D"`,
      runs: [
        { impl: { prep: '/usr/bin/true' }, mountVar: true },
        { impl: ours(), conf: CONF, mountVar: true, pre: SELINUX_ON, check: 'ls /run/prepare-root' },
      ],
    });
    const D = '/sysroot/ostree/deploy/probeos/deploy/CSUM.0';
    expect(r!.rc).toBe(1);
    expect(r!.stderr.split('\n').filter((l) => !l.includes('warning:'))).toEqual([
      `prepare-root: step label-transient-upper: ${D} security.selinux: refusing the label ${why.includes('bytes') ? why : `${why} (user:role:type[:range] in plain ASCII)`}; rolled back 5 completed steps`,
    ]);
    expect(unordered(r!.allMounts.filter((m) => !m.startsWith('/prep/')))).toEqual(
      unordered(untouched!.allMounts.filter((m) => !m.startsWith('/prep/'))),
    );
    expect(r!.ostreeBooted).toBeNull();
    expect(r!.check.split('\n')).toEqual(['status.json']);
    expect(hostChangesSince(before)).toEqual([]);
  });

  it('on a copied-up entry: recorded with its parent label instead, and relabel says so', () => {
    const [r] = runScenario({
      treeSetup: LABEL_TREE,
      setup: `setfattr -n security.selinux -v ${hex(`${L('usr_t')}\n`)} "$D/usr"`,
      runs: [
        {
          impl: ours(),
          conf: CONF,
          mountVar: true,
          pre: SELINUX_ON,
          check: `${RECORD}; ${POLICY_LOADED}; /prep/bin relabel --root /sysroot 2>&1 | grep warning`,
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    const [record, warning] = r!.check.split('\n');
    const root = JSON.parse(record!).overlays[0];
    expect(root.entries.slice(0, 2)).toEqual([
      ['', L('root_t')],
      ['usr', L('root_t')],
    ]);
    expect(root.refused).toEqual([
      {
        path: 'usr',
        why: 'refusing the label "system_u:object_r:usr_t:s0\\x0a" is not an SELinux context (user:role:type[:range] in plain ASCII)',
      },
    ]);
    expect(warning).toBe(
      'prepare-root: warning: 1 malformed labels were refused at boot (see /run/prepare-root/labels.json)',
    );
  });

  it('a forged labels.json naming a path through a link: relabel never follows it out', () => {
    const [r] = runScenario({
      treeSetup: LABEL_TREE,
      runs: [
        {
          impl: ours(),
          conf: CONF,
          mountVar: true,
          pre: SELINUX_ON,
          check: [
            'mkdir -p /tmp/outside/target; ln -s /tmp/outside /sysroot/usr/lib/out',
            `sed -i 's|\\["usr/lib/data"|["usr/lib/out/target","${L('shadow_t')}"],&|' /run/prepare-root/labels.json`,
            POLICY_LOADED,
            '/prep/bin relabel --root /sysroot | head -1',
            'getfattr -d -m security.selinux /tmp/outside/target | grep -c security',
          ].join('\n'),
        },
      ],
    });
    // The link itself is an entry of the upper made after the record: it takes its parent's label.
    expect(r!.check.split('\n')).toEqual([
      'prepare-root: /: relabelled 1 of 4 entries (1 made after the record, 1 under another mount, left alone, 1 recorded no longer there)',
      '0',
    ]);
  });
});
