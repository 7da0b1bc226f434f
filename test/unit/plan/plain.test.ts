// plan/plain.ts: a plain root's plan for each mode, the same table of scenarios the ostree
// planner has (plan.test.ts): the commands in order, what is announced, and each refusal.
import { describe, expect, it } from 'vitest';
import { actionOf } from '../../../src/apply/actions.js';
import { describeAction } from '../../../src/apply/operations.js';
import { PrepareRootError } from '../../../src/base/errors.js';
import { loadConfig, resolveConfig } from '../../../src/config/config.js';
import { planPlainRoot } from '../../../src/plan/plain.js';
import type { PlainFacts } from '../../../src/probe/plain.js';
import { CONTEXT, PLAIN_FACTS } from '../../helpers/facts.js';

const CONF = '/etc/prepare-root/prepare-root.conf';

function plan(conf: string, overrides: Partial<PlainFacts> = {}, cmdline = 'root=/dev/vda') {
  const config = resolveConfig(loadConfig([{ path: CONF, data: conf }]), cmdline, 'plain').config;
  return planPlainRoot(config, { ...PLAIN_FACTS, ...overrides }, CONTEXT);
}
const commands = (conf: string, overrides: Partial<PlainFacts> = {}) =>
  plan(conf, overrides).plan.steps.map((s) => describeAction(actionOf(s)));

const P = '/run/prepare-root/physical-root';
const PROLOGUE = [
  'mount --make-rprivate /',
  'mkdir -m 0755 /sysroot.tmp (may exist)',
  `mkdir -p -m 0755 ${P}`,
  `mount --bind /sysroot ${P}`,
];
const TRANSIENT_ROOT = [
  'mkdir -m 0755 /run/prepare-root/root',
  'mount -t tmpfs -o mode=0755 tmpfs /run/prepare-root/root',
  'mkdir -m 0755 /run/prepare-root/root/upper',
  'mkdir -m 0700 /run/prepare-root/root/work',
  `mount -t overlay -o lowerdir=${P},upperdir=/run/prepare-root/root/upper,workdir=/run/prepare-root/root/work overlay /sysroot.tmp`,
];
const BIND_ETC_VAR = [`mount --bind ${P}/etc /sysroot.tmp/etc`, `mount --bind ${P}/var /sysroot.tmp/var`];
const transientDir = (name: string) => [
  `mkdir -m 0700 /run/prepare-root/${name}`,
  `mkdir -m 0755 /run/prepare-root/${name}/upper`,
  `mkdir -m 0700 /run/prepare-root/${name}/work`,
  `mount -t overlay -o lowerdir=${P}/${name},upperdir=/run/prepare-root/${name}/upper,workdir=/run/prepare-root/${name}/work overlay /sysroot.tmp/${name}`,
];
/** The login notice of a boot with something transient (its text: plan/common-steps test). */
const NOTICE = [
  'mkdir -m 0755 /run/motd.d (may exist)',
  expect.stringMatching(/^write \/run\/motd\.d\/prepare-root \(\d+ bytes, mode 0644, atomically\)$/),
];
const EPILOGUE = [
  'umount --lazy /sysroot',
  'mount --move /sysroot.tmp /sysroot',
  'rmdir /sysroot.tmp',
  `mount -o remount,bind,ro ${P}`,
];

describe('planPlainRoot: each mode', () => {
  it.each([
    ['root.transient', '[root]\ntransient=true\n', 'plain-transient', [...TRANSIENT_ROOT, ...BIND_ETC_VAR, ...NOTICE]],
    [
      'root.transient-ro: / read-only once assembled',
      '[root]\ntransient-ro=true\n',
      'plain-transient-ro',
      [...TRANSIENT_ROOT, ...BIND_ETC_VAR, 'mount -o remount,bind,ro /sysroot.tmp', ...NOTICE],
    ],
    [
      'everything transient: /etc and /var overlays of their own',
      '[root]\ntransient=true\n[etc]\ntransient=true\n[var]\ntransient=true\n',
      'plain-transient',
      [...TRANSIENT_ROOT, ...transientDir('etc'), ...transientDir('var'), ...NOTICE],
    ],
    [
      'only /etc transient: / stays the physical root',
      '[etc]\ntransient=true\n',
      'plain',
      [`mount --bind ${P} /sysroot.tmp`, ...transientDir('etc'), ...NOTICE],
    ],
  ])('%s', (_, conf, mode, middle) => {
    const { plan: p } = plan(conf);
    expect(p.mode).toBe(mode);
    expect(p.kind).toBe('plain');
    expect(p.physicalRoot).toBe(P);
    expect(commands(conf)).toEqual([...PROLOGUE, ...middle, ...EPILOGUE]);
  });

  it('root.transient-ro with / in the fstab: systemd-remount-fs gets the fstab without it, through a drop-in in /run', () => {
    const conf = '[root]\ntransient-ro=true\n';
    const fstab = '# /etc/fstab\nLABEL=root / ext4 errors=remount-ro 0 1\nLABEL=data /data ext4 defaults 0 2\n';
    const steps = plan(conf, { fstab }).plan.steps;
    const files = steps.filter((s) => s.kind === 'write-file' && s.path !== '/run/motd.d/prepare-root');
    expect(files.map((s) => s.kind === 'write-file' && [s.path, new TextDecoder().decode(s.content)])).toEqual([
      [
        '/run/prepare-root/remount-fs.fstab',
        '# /etc/fstab\n# (prepare-root: / is read-only this boot) LABEL=root / ext4 errors=remount-ro 0 1\nLABEL=data /data ext4 defaults 0 2\n',
      ],
      [
        '/run/systemd/system/systemd-remount-fs.service.d/prepare-root.conf',
        '# prepare-root: / is read-only this boot (root.transient-ro); the fstab entry for / describes\n# the physical root and would make systemd-remount-fs remount it read-write.\n[Service]\nEnvironment=SYSTEMD_FSTAB=/run/prepare-root/remount-fs.fstab\n',
      ],
    ]);
    // The drop-in's directories, made where /run does not have them (their undo removes only those).
    expect(
      steps.filter((s) => s.id.startsWith('mkdir-remount-fs-dropin')).map((s) => s.kind === 'mkdir' && s.path),
    ).toEqual(['/run/systemd', '/run/systemd/system', '/run/systemd/system/systemd-remount-fs.service.d']);
    // A writable / (transient) or no / entry: nothing of it.
    for (const [c, f] of [
      ['[root]\ntransient=true\n', fstab],
      [conf, 'LABEL=data /data ext4 defaults 0 2\n'],
      [conf, null],
    ] as const) {
      expect(plan(c, { fstab: f }).plan.steps.filter((s) => s.id.includes('remount-fs'))).toEqual([]);
    }
  });

  it('root.upper-device: the upper and work on that device, kept (may exist)', () => {
    const device = { spec: 'LABEL=up', path: '/dev/disk/by-label/up', present: true } as const;
    const conf = '[root]\ntransient=true\nupper-device=LABEL=up\n';
    expect(plan(conf, { upperDevice: device }).plan.mode).toBe('plain-overlay');
    expect(commands(conf, { upperDevice: device })).toEqual([
      ...PROLOGUE,
      'mkdir -m 0755 /run/prepare-root/upper-device',
      'mount -t ext4 /dev/disk/by-label/up /run/prepare-root/upper-device',
      'mkdir -m 0755 /run/prepare-root/upper-device/upper (may exist)',
      'mkdir -m 0700 /run/prepare-root/upper-device/work (may exist)',
      `mount -t overlay -o lowerdir=${P},upperdir=/run/prepare-root/upper-device/upper,workdir=/run/prepare-root/upper-device/work overlay /sysroot.tmp`,
      ...BIND_ETC_VAR,
      ...NOTICE,
      ...EPILOGUE,
    ]);
  });

  it('a physical root mounted read-only is made writable first when persistent /etc or /var are written to it', () => {
    expect(commands('[root]\ntransient=true\n', { readonly: true }).slice(4, 6)).toEqual([
      `mount -o remount,rw ${P}`,
      `mount -o remount,bind,rw ${P}`,
    ]);
  });
});

describe('planPlainRoot: what is announced', () => {
  it.each([
    [
      '[root]\ntransient=true\n',
      {},
      [
        {
          where: 'root.transient',
          message: 'changes to / (including /usr) are kept in memory and discarded at reboot; /etc and /var persist',
        },
      ],
    ],
    [
      '[root]\ntransient=true\n[etc]\ntransient=true\n[var]\ntransient=true\n',
      {},
      [
        {
          where: 'root.transient',
          message: 'changes to / (including /usr) are kept in memory and discarded at reboot',
        },
      ],
    ],
    [
      '[root]\ntransient=true\nupper-device=LABEL=up\n',
      { upperDevice: { spec: 'LABEL=up', path: '/dev/disk/by-label/up', present: true } } as Partial<PlainFacts>,
      [
        {
          where: 'root.upper-device LABEL=up',
          message:
            'changes to / (including /usr) are kept on LABEL=up until a boot with rd.prepare-root.reset; /etc and /var persist',
        },
      ],
    ],
  ])('%j', (conf, overrides, notices) => {
    const r = plan(conf, overrides);
    expect(r.notices).toEqual(notices);
    expect(r.warnings).toEqual([]);
  });

  it('a persistent / with /etc and /var transient: each announced on its own', () => {
    expect(plan('[etc]\ntransient=true\n[var]\ntransient=true\n').notices).toEqual([
      { where: 'etc.transient', message: 'changes to /etc are kept in memory and discarded at reboot' },
      { where: 'var.transient', message: 'changes to /var are kept in memory and discarded at reboot' },
    ]);
  });

  it('rd.prepare-root.reset without an upper device is a warning', () => {
    expect(plan('[root]\ntransient=true\n', {}, 'root=/dev/vda rd.prepare-root.reset').warnings).toEqual([
      { where: 'kernel argument rd.prepare-root.reset', message: 'has no effect without root.upper-device' },
    ]);
  });
});

describe('planPlainRoot: refusals', () => {
  it.each([
    [
      'a transient /etc that is not a directory',
      '[etc]\ntransient=true\n',
      { etc: { inRoot: '/etc', kind: 'file' } } as Partial<PlainFacts>,
      new PrepareRootError('etc.transient', '/etc is not a directory in the physical root (/etc)'),
    ],
    [
      'a transient /var that does not exist',
      '[var]\ntransient=true\n',
      { var: { inRoot: '/var', kind: 'absent' } } as Partial<PlainFacts>,
      new PrepareRootError('var.transient', '/var does not exist in the physical root (/var)'),
    ],
    [
      'an upper device that is not there',
      '[root]\ntransient=true\nupper-device=LABEL=up\n',
      { upperDevice: { spec: 'LABEL=up', present: false, missing: 'why it is missing' } } as Partial<PlainFacts>,
      new PrepareRootError('root.upper-device LABEL=up', 'why it is missing'),
    ],
    [
      'a separate /usr (mounted on the root by the initramfs from its fstab)',
      '[root]\ntransient=true\n',
      { separateUsr: true } as Partial<PlainFacts>,
      new PrepareRootError(
        { path: '/sysroot/usr' },
        'is a mount of its own (a separate /usr), which a plain root prepared by prepare-root would boot without: not supported; keep /usr on the root filesystem, or boot with rd.prepare-root=off',
      ),
    ],
  ])('%s', (_, conf, overrides, error) => {
    expect(() => plan(conf, overrides)).toThrow(error);
  });
});
