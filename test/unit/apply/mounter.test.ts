// How the mounter makes a mount on kernels that lack a feature: the next variant only when the
// kernel says it lacks what the previous used, the variant that worked returned for the record.
import { describe, expect, it } from 'vitest';
import type { FsMount } from '../../../src/apply/actions.js';
import { SystemMounter } from '../../../src/apply/mounter.js';
import { SysError } from '../../../src/base/errors.js';
import type { FsOption, System } from '../../../src/platform/system.js';
import { memorySystem } from '../../helpers/memory-system.js';

/** A System whose mountFs records its calls and fails per call with the given errors. */
function kernel(failures: Array<SysError | null>) {
  const calls: string[] = [];
  const sys: System = {
    ...memorySystem(),
    mountFs(fstype: string, source: string, target: string, options: readonly FsOption[]) {
      calls.push(`${fstype} ${source} ${target} ${options.map((o) => o.join('=')).join(',')}`);
      const f = failures.shift();
      if (f) throw f;
    },
    attachLoop: (image: string) => ({
      device: `/dev/loop7 (over ${image})`,
      release: () => calls.push('release loop'),
    }),
  };
  return { sys, calls };
}

const COMPOSEFS: FsMount = {
  fstype: 'overlay',
  source: 'composefs',
  target: '/sysroot.tmp',
  readonly: true,
  overlay: { lower: ['/run/cfs'], data: ['/sysroot/ostree/repo/objects'], upper: null, work: null },
  options: ['metacopy=on'],
};
const EROFS: FsMount = {
  fstype: 'erofs',
  source: '/d/.ostree.cfs',
  target: '/run/cfs',
  readonly: true,
  options: ['noacl'],
};
/** EINVAL from fsconfig on `key`, as the platform layer reports it. */
/** The variant that made the mount, as the executor records it. */
const mountWith = (sys: System, m: FsMount) => new SystemMounter(sys).perform({ op: 'mount', mount: m }).variant;

const einval = (call: string, key: string) =>
  new SysError(call, 'EINVAL', 'Invalid argument', `overlay: Unknown parameter '${key}'`, {
    name: 'fsconfig',
    arg: key,
  });

describe('SystemMounter: kernel variants', () => {
  it('composefs: lowerdir+/datadir+ per layer when the kernel has them', () => {
    const { sys, calls } = kernel([]);
    expect(mountWith(sys, COMPOSEFS)).toBe('lowerdir+');
    expect(calls).toEqual([
      'overlay composefs /sysroot.tmp lowerdir+=/run/cfs,datadir+=/sysroot/ostree/repo/objects,metacopy=on,ro',
    ]);
  });

  it('no lowerdir+ (EINVAL on it): the lowerdir=A::DATA string; no data-only layers: A:DATA', () => {
    const { sys, calls } = kernel([
      einval('fsconfig lowerdir+=/run/cfs', 'lowerdir+'),
      einval('fsconfig lowerdir=/run/cfs::/sysroot/ostree/repo/objects', 'lowerdir'),
    ]);
    expect(mountWith(sys, COMPOSEFS)).toBe('lowerdir-no-data-only');
    expect(calls.map((c) => c.split(' ')[3]!.split(',')[0])).toEqual([
      'lowerdir+=/run/cfs',
      'lowerdir=/run/cfs::/sysroot/ostree/repo/objects',
      'lowerdir=/run/cfs:/sysroot/ostree/repo/objects',
    ]);
  });

  it("any other refusal is the error, with the kernel's words, and no other variant is tried", () => {
    const { sys, calls } = kernel([
      new SysError(
        'fsconfig create overlay',
        'ENOENT',
        'No such file or directory',
        "overlay: failed to resolve '/run/cfs': -2",
      ),
    ]);
    expect(() => mountWith(sys, COMPOSEFS)).toThrow(
      "mount -t overlay -o ro,lowerdir=/run/cfs::/sysroot/ostree/repo/objects,metacopy=on composefs /sysroot.tmp: No such file or directory: the kernel says: overlay: failed to resolve '/run/cfs': -2",
    );
    expect(calls).toHaveLength(1);
  });

  it('decides on the errno and the system call, not on the text of the call', () => {
    // EINVAL from fsmount (after every fsconfig passed) is no missing lowerdir+, whatever the words say.
    const { sys, calls } = kernel([
      new SysError('fsconfig lowerdir+=/run/cfs', 'EINVAL', 'Invalid argument', '', { name: 'fsmount' }),
    ]);
    expect(() => mountWith(sys, COMPOSEFS)).toThrow(
      'mount -t overlay -o ro,lowerdir=/run/cfs::/sysroot/ostree/repo/objects,metacopy=on composefs /sysroot.tmp: Invalid argument (the kernel refused the mount; its log, dmesg, says why)',
    );
    expect(calls).toHaveLength(1);
  });

  it('when the last variant fails too, the error says what each one got from the kernel', () => {
    const { sys } = kernel([
      einval('fsconfig lowerdir+=/run/cfs', 'lowerdir+'),
      einval('fsconfig lowerdir=/run/cfs::/sysroot/ostree/repo/objects', 'lowerdir'),
      new SysError(
        'fsconfig create overlay',
        'ENOENT',
        'No such file or directory',
        "overlay: failed to resolve '/run/cfs': -2",
        {
          name: 'fsconfig',
          arg: 'create',
        },
      ),
    ]);
    expect(() => mountWith(sys, COMPOSEFS)).toThrow(
      "mount -t overlay -o ro,lowerdir=/run/cfs::/sysroot/ostree/repo/objects,metacopy=on composefs /sysroot.tmp: No such file or directory: the kernel says: overlay: failed to resolve '/run/cfs': -2 (lowerdir-no-data-only; before it lowerdir+: Invalid argument: the kernel says: overlay: Unknown parameter 'lowerdir+'; lowerdir: Invalid argument: the kernel says: overlay: Unknown parameter 'lowerdir')",
    );
  });

  it('EROFS: from the file, else (ENOTBLK) through a loop device, released once mounted', () => {
    const file = kernel([]);
    expect(mountWith(file.sys, EROFS)).toBe('file');
    const loop = kernel([
      new SysError('fsconfig create erofs', 'ENOTBLK', 'Block device required', '', {
        name: 'fsconfig',
        arg: 'create',
      }),
    ]);
    expect(mountWith(loop.sys, EROFS)).toBe('loop');
    expect(loop.calls).toEqual([
      'erofs /d/.ostree.cfs /run/cfs noacl,ro',
      'erofs /dev/loop7 (over /d/.ostree.cfs) /run/cfs noacl,ro',
      'release loop',
    ]);
  });

  it('a plain overlay: one lowerdir string, as ostree and mount(8) pass it, or lowerdir+ when it is too long for fsconfig', () => {
    const plain: FsMount = {
      fstype: 'overlay',
      source: 'overlay',
      target: '/t',
      readonly: false,
      overlay: { lower: ['/a', '/b'], data: [], upper: '/u', work: '/w' },
      options: [],
    };
    const short = kernel([]);
    expect(mountWith(short.sys, plain)).toBe('lowerdir');
    expect(short.calls).toEqual(['overlay overlay /t lowerdir=/a:/b,upperdir=/u,workdir=/w']);
    const long = kernel([]);
    const layers = Array.from({ length: 20 }, (_, i) => `/layers/layer-number-${i}`);
    expect(mountWith(long.sys, { ...plain, overlay: { ...plain.overlay!, lower: layers } })).toBe('lowerdir+');
    expect(long.calls[0]!.match(/lowerdir\+=/g)).toHaveLength(20);
  });
});
