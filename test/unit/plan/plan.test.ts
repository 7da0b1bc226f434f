import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig } from '../../../src/config/config.js';
import { PrepareRootError } from '../../../src/base/errors.js';
import type { Facts } from '../../../src/probe/facts.js';
import { CONTEXT, D, facts } from '../../helpers/facts.js';
import { parseVarDict } from '../../../src/formats/gvariant.js';
import { actionOf } from '../../../src/apply/actions.js';
import { describeAction } from '../../../src/apply/operations.js';
import { planPrepareRoot } from '../../../src/plan/plan.js';

function plan(conf: string | null, overrides: Partial<Facts> = {}, cmdline = 'ostree=/ostree/boot.1/os/b/0') {
  const config = resolveConfig(
    loadConfig(conf === null ? [] : [{ path: '/etc/ostree/prepare-root.conf', data: conf }]),
    cmdline,
  ).config;
  return planPrepareRoot(config, facts(overrides), CONTEXT);
}

function commands(conf: string | null, overrides: Partial<Facts> = {}): string[] {
  return plan(conf, overrides).plan.steps.map((s) => describeAction(actionOf(s)));
}

const PROLOGUE = [
  'mount --make-rprivate /',
  'mkdir -m 0755 /run/ostree (may exist)',
  'mkdir -m 0000 /run/ostree/.private (may exist)',
  'mkdir -m 0755 /sysroot.tmp (may exist)',
];
const PHYSICAL_ROOT = ['mount --bind /sysroot /sysroot.tmp/sysroot', 'umount --lazy /sysroot'];
const MOVE = ['mount --move /sysroot.tmp /sysroot', 'rmdir /sysroot.tmp'];
const WRITE = (n: number) => `write /run/ostree-booted (${n} bytes, mode 0644, atomically)`;
/** The login notice of a boot with something transient (its text: plan/common-steps test). */
const NOTICE = [
  'mkdir -m 0755 /run/motd.d (may exist)',
  expect.stringMatching(/^write \/run\/motd\.d\/prepare-root \(\d+ bytes, mode 0644, atomically\)$/),
];
const USR_RO = ['mount --bind /sysroot.tmp/usr /sysroot.tmp/usr', 'mount -o remount,bind,ro /sysroot.tmp/usr'];
const ETC_BIND = [`mount --bind ${D}/etc /sysroot.tmp/etc`, 'mount -o remount,bind,rw /sysroot.tmp/etc'];
const VAR = '/sysroot.tmp/sysroot/ostree/deploy/os/var';
const VAR_RW = [`mount --bind ${VAR} ${VAR}`, `mount -o remount,bind,rw ${VAR}`];

describe('planPrepareRoot: ostree order and flags', () => {
  it('default config: legacy bind, read-only /usr, nothing for /etc', () => {
    expect(commands(null)).toEqual([
      ...PROLOGUE,
      `mount --bind ${D} /sysroot.tmp`,
      ...USR_RO,
      ...PHYSICAL_ROOT,
      WRITE(136),
      ...MOVE,
    ]);
  });

  it('sysroot.readonly: writable /etc and stateroot var, ro /sysroot last', () => {
    expect(commands('[sysroot]\nreadonly=true\n')).toEqual([
      ...PROLOGUE,
      `mount --bind ${D} /sysroot.tmp`,
      ...ETC_BIND,
      ...USR_RO,
      ...PHYSICAL_ROOT,
      ...VAR_RW,
      WRITE(136),
      ...MOVE,
      'mount -o remount,bind,ro /sysroot/sysroot',
    ]);
  });

  it('legacy repo config readonly=true counts, with a nudge', () => {
    const r = plan(null, { legacyRepoReadonly: true });
    expect(r.plan.sysrootReadonly).toBe(true);
    expect(r.warnings).toEqual([
      {
        where: '/sysroot/ostree/repo/config',
        message: 'found legacy [sysroot] readonly=true; move it to [sysroot] readonly in prepare-root.conf',
      },
    ]);
  });

  it('legacy repo config overrides even an explicit readonly=false, as in ostree', () => {
    expect(plan('[sysroot]\nreadonly=false\n', { legacyRepoReadonly: true }).plan.sysrootReadonly).toBe(true);
  });

  it('etc.transient with sysroot.readonly: overlay on usr/etc in a random /run/ostree dir', () => {
    const dir = '/run/ostree/transient-etc.XyZ123';
    const r = plan('[sysroot]\nreadonly=true\n[etc]\ntransient=true\n');
    expect(r.plan.steps.map((s) => describeAction(actionOf(s))).slice(5, 9)).toEqual([
      `mkdir -m 0700 ${dir}`,
      `mkdir -m 0755 ${dir}/upper`,
      `mkdir -m 0755 ${dir}/work`,
      `mount -t overlay -o lowerdir=/sysroot.tmp/usr/etc,upperdir=${dir}/upper,workdir=${dir}/work overlay /sysroot.tmp/etc`,
    ]);
    expect(r.plan.metadata['transient-etc']).toBe(dir);
  });

  it('etc.transient alone is ignored, as in ostree, but with a warning', () => {
    const r = plan('[etc]\ntransient=true\n');
    expect(r.plan.steps.some((s) => s.id.includes('etc'))).toBe(false);
    expect(r.warnings).toEqual([
      {
        where: 'etc.transient',
        message: 'has no effect unless sysroot.readonly or root.transient is set (as in ostree)',
      },
    ]);
  });

  it('a bad etc.transient is fatal once /etc is mounted', () => {
    expect(() => plan('[sysroot]\nreadonly=1\n[etc]\ntransient=yes\n')).toThrow(
      new PrepareRootError(
        { file: '/etc/ostree/prepare-root.conf', line: 4 },
        'etc.transient: value “yes” is not a boolean (use true/false/1/0)',
      ),
    );
  });

  it('hotfix: /usr overlay with the deployment-relative layers, read-only when the sysroot is', () => {
    expect(commands(null, { hotfixUsr: true, sysrootOnReadonlyMount: true })[5]).toBe(
      `(cd ${D} && mount -t overlay -o ro,lowerdir=/sysroot.tmp/usr,upperdir=.usr-ovl-upper,workdir=.usr-ovl-work overlay /sysroot.tmp/usr)`,
    );
  });

  it('initramfs-mount-var marker: /var bind, slave then shared', () => {
    expect(commands(null, { mountVarMarker: true }).slice(9, 12)).toEqual([
      `mount --bind ${VAR} /sysroot.tmp/var`,
      'mount --make-slave /sysroot.tmp/var',
      'mount --make-shared /sysroot.tmp/var',
    ]);
  });

  it('composefs yes needs an image; maybe falls back with a warning', () => {
    expect(() => plan('[composefs]\nenabled=yes\n')).toThrow(
      new PrepareRootError(
        'composefs',
        `the deployment has no image ${D}/.ostree.cfs (composefs.enabled=yes; use maybe to fall back to a plain bind mount)`,
      ),
    );
    expect(plan('[composefs]\nenabled=maybe\n').warnings).toEqual([
      {
        where: 'composefs.enabled',
        message: 'maybe: the deployment has no composefs image; using the plain bind mount',
      },
    ]);
  });
});

describe('planPrepareRoot: transient root without composefs', () => {
  it.each([
    ['[root]\ntransient=true\n', 'transient', []],
    ['[root]\ntransient-ro=true\n', 'transient-ro', ['mount -o remount,bind,ro /sysroot.tmp']],
  ])('%j: dedicated tmpfs, overlay over the deployment, persistent /etc, writable /usr', (conf, mode, ro) => {
    const r = plan(conf);
    expect(r.plan.mode).toBe(mode);
    expect(r.plan.steps.map((s) => describeAction(actionOf(s)))).toEqual([
      ...PROLOGUE,
      'mkdir -m 0755 /run/ostree/.private/root',
      'mount -t tmpfs -o mode=0755 tmpfs /run/ostree/.private/root',
      'mkdir -m 0755 /run/ostree/.private/root/upper',
      'mkdir -m 0700 /run/ostree/.private/root/work',
      `mount -t overlay -o lowerdir=${D},upperdir=/run/ostree/.private/root/upper,workdir=/run/ostree/.private/root/work overlay /sysroot.tmp`,
      ...ro,
      ...ETC_BIND,
      ...PHYSICAL_ROOT,
      WRITE(136),
      ...NOTICE,
      ...MOVE,
    ]);
    expect(r.plan.metadata).toEqual({
      'backing-root-device-inode': ['254', '42'],
      'root.transient': true,
      'root.transient-ro': mode === 'transient-ro',
      'sysroot-ro': false,
    });
  });

  it('announces, once, that transient changes are discarded at reboot: a notice, not a warning', () => {
    const result = plan('[root]\ntransient=true\n[sysroot]\nreadonly=true\n[etc]\ntransient=true\n');
    expect(result.warnings).toEqual([]);
    expect(result.notices).toEqual([
      {
        where: 'root.transient',
        message: 'changes to / (including /usr) are kept in memory and discarded at reboot; /etc and /var persist',
      },
      { where: 'etc.transient', message: 'changes to /etc are kept in memory and discarded at reboot' },
    ]);
  });

  it('transient-size sizes the tmpfs', () => {
    expect(commands('[root]\ntransient=true\ntransient-size=512M\n')[5]).toBe(
      'mount -t tmpfs -o mode=0755,size=512M tmpfs /run/ostree/.private/root',
    );
  });
});

describe('/run/ostree-booted content', () => {
  it('keys in ostree 2026.4 order with the deployment dev/ino', () => {
    const step = plan('[sysroot]\nreadonly=true\n[etc]\ntransient=true\n').plan.steps.find(
      (s) => s.kind === 'write-file',
    )!;
    expect(step.kind === 'write-file' && parseVarDict(step.content)).toEqual([
      ['backing-root-device-inode', { type: '(tt)', value: [0xfen, 42n] }],
      ['root.transient', { type: 'b', value: false }],
      ['root.transient-ro', { type: 'b', value: false }],
      ['sysroot-ro', { type: 'b', value: true }],
      ['transient-etc', { type: 's', value: '/run/ostree/transient-etc.XyZ123' }],
    ]);
  });
});

describe('planPrepareRoot: the boot context', () => {
  const conf = '[sysroot]\nreadonly=true\n[etc]\ntransient=true\n[overlay /usr/local]\nupper=state\nvolatile=true\n';
  const overlay = {
    overlay: {
      path: '/usr/local',
      lower: ['/usr/local'],
      upper: 'state',
      volatile: true,
      where: { file: '/c', line: 6 },
    },
    inRoot: '/usr/local',
    pathInImage: true,
    lowersInRoot: ['/usr/local'],
    lowersExist: [true],
    stateCommit: 'abc',
    volatile: { state: 'torn', why: 'a crash', quarantine: ['upper', 'work'] },
  } as const;
  const planWith = (context: typeof CONTEXT) => {
    const config = resolveConfig(loadConfig([{ path: '/c', data: conf }]), '').config;
    return planPrepareRoot(config, facts({ overlays: [overlay] }), context);
  };

  it('the same facts and context give the same plan', () => {
    expect(planWith(CONTEXT)).toEqual(planWith({ ...CONTEXT }));
  });

  it('names, tokens, the boot id and the clock come from the context and nowhere else', () => {
    const text = JSON.stringify(
      planWith({
        transientEtcSuffix: 'SUFFIX',
        bootToken: 'TOKEN',
        bootId: 'BOOTID',
        now: 'NOW',
        initramfs: true,
        deviceWaitSeconds: 0,
      }).plan,
      (_, v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : v),
    );
    expect(text).toContain('/run/ostree/transient-etc.SUFFIX');
    expect(text).toContain('quarantine/NOW');
    expect(text).toContain('{\\"token\\":\\"TOKEN-0\\",\\"bootId\\":\\"BOOTID\\"}');
  });

  it('the move onto SYSROOT is marked as the point of no return, and only it', () => {
    const marked = planWith(CONTEXT)
      .plan.steps.filter((s) => s.kind === 'move' && s.pointOfNoReturn === true)
      .map((s) => s.id);
    expect(marked).toEqual(['move-to-sysroot']);
  });
});

describe('planPrepareRoot: composefs', () => {
  const IMAGE = { composefsImage: { state: 'valid' as const, path: `${D}/.ostree.cfs`, hasAcl: false } };
  const SCRATCH = '/run/ostree/.private/cfsroot-lower';
  const OVERLAY = (opts: string) => `mount -t overlay -o ${opts} composefs /sysroot.tmp`;

  it('yes: image via loop, read-only overlay with the objects as data-only layer, sysroot.readonly by default', () => {
    const r = plan('[composefs]\nenabled=yes\n', IMAGE);
    expect(r.plan.mode).toBe('composefs');
    expect(r.plan.sysrootReadonly).toBe(true);
    expect(r.plan.steps.map((s) => describeAction(actionOf(s)))).toEqual([
      ...PROLOGUE,
      `mkdir -m 0700 ${SCRATCH} (may exist)`,
      `mount -t erofs -o ro,noacl ${D}/.ostree.cfs ${SCRATCH}`,
      OVERLAY(`ro,lowerdir=${SCRATCH}::/sysroot/ostree/repo/objects,metacopy=on,redirect_dir=on`),
      `umount --lazy ${SCRATCH}`,
      ...ETC_BIND,
      ...PHYSICAL_ROOT,
      ...VAR_RW,
      WRITE(194),
      ...MOVE,
      'mount -o remount,bind,ro /sysroot/sysroot',
    ]);
    expect(r.plan.metadata).toMatchObject({ composefs: true, 'composefs.verity': false, 'sysroot-ro': true });
  });

  it('verity + transient + a block device behind the sysroot: verity=require, tmpfs upper, volatile-root link', () => {
    const r = plan('[composefs]\nenabled=verity\n[root]\ntransient=true\n', {
      ...IMAGE,
      sysrootDevice: { major: 259, minor: 3 },
    });
    const c = r.plan.steps.map((s) => describeAction(actionOf(s)));
    expect(c).toContain(
      OVERLAY(
        `lowerdir=${SCRATCH}::/sysroot/ostree/repo/objects,upperdir=/run/ostree/.private/root/upper,workdir=/run/ostree/.private/root/work,metacopy=on,redirect_dir=on,verity=require`,
      ),
    );
    expect(c).toContain('ln -s /dev/block/259:3 /run/systemd/volatile-root (may exist)');
    expect(r.plan.metadata).toMatchObject({ 'root.transient': true, composefs: true, 'composefs.verity': true });
  });

  it('an image with a bad header is refused, naming the image', () => {
    expect(() =>
      plan('[composefs]\nenabled=maybe\n', {
        composefsImage: {
          state: 'invalid',
          path: `${D}/.ostree.cfs`,
          reason: 'bad composefs magic 0x00000000 (expected 0xd078629a)',
        },
      }),
    ).toThrow(
      new PrepareRootError(`composefs image ${D}/.ostree.cfs`, 'bad composefs magic 0x00000000 (expected 0xd078629a)'),
    );
  });

  it('signed (verified by the probe): records the key file, requires verity, ignores a hotfix /usr', () => {
    const r = plan('[composefs]\nenabled=signed\n', {
      ...IMAGE,
      signedWith: '/etc/ostree/initramfs-root-binding.key',
      hotfixUsr: true,
    });
    expect(r.plan.steps.some((s) => s.id === 'mount-hotfix-usr')).toBe(false);
    expect(r.plan.steps.map((s) => describeAction(actionOf(s)))).toContain(
      OVERLAY(`ro,lowerdir=${SCRATCH}::/sysroot/ostree/repo/objects,metacopy=on,redirect_dir=on,verity=require`),
    );
    const step = r.plan.steps.find((s) => s.kind === 'write-file')!;
    expect(step.kind === 'write-file' && parseVarDict(step.content).map(([k]) => k)).toEqual([
      'backing-root-device-inode',
      'root.transient',
      'root.transient-ro',
      'composefs.signed',
      'composefs',
      'composefs.verity',
      'sysroot-ro',
    ]);
    expect(r.plan.metadata['composefs.signed']).toBe('/etc/ostree/initramfs-root-binding.key');
  });
});

describe('planPrepareRoot: persisted paths', () => {
  const STORE = '/sysroot.tmp/sysroot/ostree/deploy/os/var/lib/prepare-root/persist';
  const persist = (image: 'dir' | 'file' | 'absent', storeExists: boolean, inRoot = '/etc/ssh') =>
    plan('[root]\ntransient=true\n', { persist: [{ path: inRoot, inRoot, image, storeExists }] })
      .plan.steps.filter((s) => s.id.includes('persist'))
      .map((s) => describeAction(actionOf(s)));

  it('first boot: store made and seeded from the image, then bound', () => {
    expect(persist('dir', false)).toEqual([
      `mkdir -p -m 0755 ${STORE}/etc`,
      `cp -a /sysroot.tmp/etc/ssh ${STORE}/etc/ssh (owner, mode, times, xattrs; through a temporary copy renamed into place)`,
      `mount --bind ${STORE}/etc/ssh /sysroot.tmp/etc/ssh`,
    ]);
  });

  it('later boots: only the bind', () => {
    expect(persist('file', true, '/usr/lib/x')).toEqual([`mount --bind ${STORE}/usr/lib/x /sysroot.tmp/usr/lib/x`]);
  });

  it('not in the image, legacy: refused, the mount point would be made in the deployment itself', () => {
    expect(() =>
      plan('[persist]\npaths=/data\n', {
        persist: [{ path: '/data', inRoot: '/data', image: 'absent', storeExists: false }],
      }),
    ).toThrow(
      'persist.paths: /data: /data is not in the image, and a legacy (the deployment itself) root cannot get a mount point for it (add it to the image, or use root.transient)',
    );
  });

  it('not in the image: an empty store and a mount point', () => {
    expect(persist('absent', false, '/data')).toEqual([
      `mkdir -p -m 0755 ${STORE}`,
      `mkdir -m 0755 ${STORE}/data`,
      'mkdir -p -m 0755 /sysroot.tmp/data',
      `mount --bind ${STORE}/data /sysroot.tmp/data`,
    ]);
  });
});
