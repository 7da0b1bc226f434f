// `prepare-root status --json` in every mode this version prepares, validated against the
// documented schema (docs/status.schema.json); decoding of a /run/ostree-booted written by the
// real ostree-prepare-root 2026.4; the tmpfs-full warning; and a system not booted via ostree.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  LABEL_TREE,
  OURS,
  POLICY_LOADED,
  SELINUX_ON,
  WITH_COMPOSEFS_IMAGE,
  isRoot,
  ours,
  reference,
  runScenario,
  selinuxLabel,
} from './harness.js';

const SCHEMA = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../docs/status.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(SCHEMA);

function expectValid(report: unknown): void {
  expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
}

const STATUS = '/prep/tool status --root /sysroot --json';
const DEPLOYMENT_DEV_INO = 'stat -c "%d %i" /sysroot/sysroot/ostree/deploy/probeos/deploy/*.0';

const MODES: Array<[string, string | undefined, object, string[], string?]> = [
  ['legacy, no config', undefined, { mode: 'legacy', sysrootReadonly: false }, []],
  ['legacy, sysroot.readonly', '[sysroot]\nreadonly=true\n', { mode: 'legacy', sysrootReadonly: true }, []],
  [
    'legacy, sysroot.readonly + etc.transient',
    '[sysroot]\nreadonly=true\n[etc]\ntransient=true\n',
    { mode: 'legacy', sysrootReadonly: true },
    ['/etc'],
  ],
  ['transient', '[root]\ntransient=true\n', { mode: 'transient', sysrootReadonly: false }, ['/']],
  [
    'transient-ro + etc.transient',
    '[root]\ntransient-ro=true\n[etc]\ntransient=true\n',
    { mode: 'transient-ro', sysrootReadonly: false },
    ['/', '/etc'],
  ],
  [
    'composefs',
    '[composefs]\nenabled=yes\n',
    { mode: 'composefs', sysrootReadonly: true, integrity: { composefs: true, verity: false, signedWith: null } },
    [],
    WITH_COMPOSEFS_IMAGE,
  ],
  [
    'composefs verity + transient',
    '[composefs]\nenabled=verity\n[root]\ntransient=true\n',
    { mode: 'transient', sysrootReadonly: true, integrity: { composefs: true, verity: true, signedWith: null } },
    ['/'],
    WITH_COMPOSEFS_IMAGE,
  ],
];

describe.skipIf(!isRoot())('status --json', () => {
  it.each(MODES)('%s: valid, and says what is active', (_, conf, expected, transientPaths, setup) => {
    const [r] = runScenario({
      ...(setup === undefined ? {} : { setup }),
      runs: [{ impl: ours(), tool: true, ...(conf === undefined ? {} : { conf }), check: STATUS }],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    const report = JSON.parse(r!.check);
    expectValid(report);
    expect(report).toMatchObject({
      schema: 1,
      preparedBy: 'prepare-root',
      deployment: 'ostree/deploy/probeos/deploy/CSUM.0',
      integrity: { composefs: false, verity: false, signedWith: null },
      ...expected,
    });
    if (report.integrity.composefs) {
      expect(report.overlays[0]).toMatchObject({
        path: '/',
        lower: ['/run/ostree/.private/cfsroot-lower', '/sysroot/ostree/repo/objects'],
      });
    }
    expect(
      report.overlays.filter((o: { transient: boolean }) => o.transient).map((o: { path: string }) => o.path),
    ).toEqual(transientPaths);
  });

  it('SELinux on: the labels of / and /etc next to their lowers, valid against the schema', () => {
    const [r] = runScenario({
      treeSetup: LABEL_TREE,
      runs: [
        {
          impl: ours(),
          tool: true,
          conf: '[root]\ntransient=true\n[etc]\ntransient=true\n',
          pre: SELINUX_ON,
          check: `${POLICY_LOADED}; echo 1 > /sys/fs/selinux/enforce; ${STATUS}`,
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    const report = JSON.parse(r!.check);
    expectValid(report);
    expect(report.selinux).toEqual({
      policyLoaded: true,
      enforcing: true,
      labels: [
        { path: '/', label: selinuxLabel('root_t'), lowerLabel: selinuxLabel('root_t'), lowerFrom: 'labels.json' },
        { path: '/etc', label: selinuxLabel('etc_t'), lowerLabel: selinuxLabel('etc_t'), lowerFrom: 'labels.json' },
      ],
    });
    expect(report.warnings).toEqual([]);
  });

  it('the text form names the mode, each overlay, its upper and how full its tmpfs is', () => {
    const [r] = runScenario({
      runs: [
        {
          impl: ours(),
          tool: true,
          conf: '[root]\ntransient=true\ntransient-size=16M\n',
          check: '/prep/tool status --root /sysroot',
        },
      ],
    });
    const lines = r!.check.split('\n');
    expect(lines.slice(0, 7)).toEqual([
      'prepared by:      prepare-root',
      'mode:             transient',
      'deployment:       ostree/deploy/probeos/deploy/CSUM.0',
      'sysroot:          writable',
      'integrity:        composefs no, verity no, signature no',
      'overlay / (root): changes vanish at reboot',
      '  lower: /sysroot/ostree/deploy/probeos/deploy/CSUM.0',
    ]);
    expect(lines[7]).toBe('  upper: /run/ostree/.private/root/upper');
    expect(lines[8]).toMatch(
      /^ {2}on: {4}tmpfs \/run\/ostree\/\.private\/root, [\d.]+ (B|KiB) used of 16\.0 MiB \([\d.]+%\)$/,
    );
    expect(lines[9]).toBe(
      'notice at boot: root.transient: changes to / (including /usr) are kept in memory and discarded at reboot; /etc and /var persist',
    );
  });

  it('decodes a /run/ostree-booted written by ostree-prepare-root 2026.4', () => {
    const [r] = runScenario({
      runs: [
        {
          impl: reference(),
          tool: true,
          conf: '[sysroot]\nreadonly=true\n[etc]\ntransient=true\n',
          check: `${STATUS}; ${DEPLOYMENT_DEV_INO}`,
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    const [json, devIno] = [
      r!.check.slice(0, r!.check.lastIndexOf('\n')),
      r!.check.slice(r!.check.lastIndexOf('\n') + 1),
    ];
    const report = JSON.parse(json);
    expectValid(report);
    expect(report.preparedBy).toBe('ostree-prepare-root');
    expect(report.ostreeBooted).toEqual({
      'backing-root-device-inode': devIno.split(' '),
      'root.transient': false,
      'root.transient-ro': false,
      'sysroot-ro': true,
      'transient-etc': expect.stringMatching(/^\/run\/ostree\/transient-etc\.[A-Za-z0-9]{6}$/),
    });
    expect(report.overlays.map((o: { path: string; upper: string }) => [o.path, o.upper])).toEqual([
      ['/etc', `${report.ostreeBooted['transient-etc']}/upper`],
    ]);
  });

  it('warns when a transient tmpfs is over 80% full', () => {
    const [r] = runScenario({
      runs: [
        {
          impl: ours(),
          tool: true,
          conf: '[root]\ntransient=true\ntransient-size=1M\n',
          check: `head -c 900000 /dev/zero > /sysroot/big; ${STATUS} 2>/tmp/err; cat /tmp/err`,
        },
      ],
    });
    const lines = r!.check.split('\n');
    const report = JSON.parse(lines.slice(0, -1).join('\n'));
    expectValid(report);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatch(
      /^\/: the tmpfs holding its changes \(\/run\/ostree\/\.private\/root\) is (8[1-9]|9\d|100)(\.\d)?% full; writes fail when it is full$/,
    );
    expect(lines.at(-1)).toBe(`prepare-root: warning: ${report.warnings[0]}`);
  });

  it('records the boot-time notice that transient changes are discarded, and printed it once to the console', () => {
    const [r] = runScenario({
      runs: [
        {
          impl: ours(),
          tool: true,
          conf: '[root]\ntransient=true\n',
          check: `${STATUS} | grep -c "discarded at reboot"; grep -c "discarded at reboot" /tmp/kmsg`,
        },
      ],
    });
    expect(r!.stderr).toBe(
      'prepare-root: notice: root.transient: changes to / (including /usr) are kept in memory and discarded at reboot; /etc and /var persist',
    );
    expect(r!.check).toBe('1\n1');
  });
});

describe('status outside an ostree boot', () => {
  it('says so (this machine has no /run/ostree-booted), and the JSON is valid', () => {
    const text = spawnSync(OURS, ['status'], { encoding: 'utf8' });
    expect(text.stdout.trim()).toBe(
      'not prepared at this boot: no /run/prepare-root/status.json and no /run/ostree-booted',
    );
    expect(text.status).toBe(0);
    const json = spawnSync(OURS, ['status', '--json'], { encoding: 'utf8' });
    const report = JSON.parse(json.stdout);
    expectValid(report);
    expect(report).toMatchObject({ preparedBy: null, mode: null, ostreeBooted: null });
  });
});

describe.skipIf(!isRoot())('status of a failed boot, and a record nothing rewrites', () => {
  const BOTH = `/prep/tool status --root /sysroot > /tmp/s.txt; echo "rc=$?"; ${STATUS} > /tmp/s.json; echo "rc=$?"; cat /tmp/s.txt; echo ---; cat /tmp/s.json`;
  const split = (check: string) => {
    const [head, json] = check.split('\n---\n');
    const [rcText, rcJson, ...text] = head!.split('\n');
    return { rcText, rcJson, text, json: JSON.parse(json!) };
  };

  it('a failed boot: status shows the error and what was rolled back, and exits 3', () => {
    const [r] = runScenario({
      runs: [
        {
          impl: ours(),
          tool: true,
          conf: '[root]\ntransient=true\n[persist]\npaths=/etc/ssh\n',
          // The persisted path's store is a FIFO: its bind fails after the transient root is mounted.
          pre: 'mkdir -p /sysroot/ostree/deploy/probeos/var/lib/prepare-root/persist/etc && mkfifo /sysroot/ostree/deploy/probeos/var/lib/prepare-root/persist/etc/ssh',
          check: BOTH,
        },
      ],
    });
    expect(r!.rc).toBe(1);
    const { rcText, rcJson, text, json } = split(r!.check);
    expect([rcText, rcJson]).toEqual(['rc=3', 'rc=3']);
    expect(text[0]).toBe(`boot failed:      ${r!.stderr.split('\n').at(-1)!.replace('prepare-root: ', '')}`);
    expect(text[1]).toMatch(/^rolled back: {6}\d+ steps \(.*mount-transient-root.*\)$/);
    expectValid(json);
    expect(json).toMatchObject({ result: 'failed', preparedBy: null, failure: { notRolledBack: [] } });
    expect(json.failure.rolledBack).toContain('mount-transient-root');
  });

  it('a later run that fails, or a mistyped command, leaves the record of the successful boot as it was', () => {
    const [r] = runScenario({
      runs: [
        {
          impl: ours(),
          tool: true,
          conf: '[root]\ntransient=true\n',
          check: `cp /run/prepare-root/status.json /tmp/before.json
/prep/tool stauts; echo "typo rc=$?"
/prep/tool /nonexistent; echo "manual rc=$?"
cmp /tmp/before.json /run/prepare-root/status.json && echo record-kept
${BOTH}`,
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    const lines = r!.check.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'prepare-root: usage: unknown command "stauts" (did you mean status?) (see prepare-root --help)',
      'typo rc=2',
      "prepare-root: warning: /run/prepare-root/status.json: kept: it records this boot's own successful run, which this failure does not undo",
    ]);
    expect(lines[3]).toMatch(/^prepare-root: .*\/nonexistent.*$/);
    expect(lines[4]).toBe('manual rc=1');
    expect(lines).toContain('record-kept');
    const { rcText, text, json } = split(lines.slice(lines.indexOf('record-kept') + 1).join('\n'));
    expect(rcText).toBe('rc=0');
    expect(text[0]).toBe('prepared by:      prepare-root');
    expect(json).toMatchObject({ result: 'prepared', failure: null, mode: 'transient' });
  });
});
