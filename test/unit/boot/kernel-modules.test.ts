// boot/kernel-modules.ts: what is loaded, in which order, with which parameters, and each refusal,
// on a modules directory as depmod leaves it (the System records each load).
import { describe, expect, it } from 'vitest';
import { SysError } from '../../../src/base/errors.js';
import { loadKernelModules, moduleParams } from '../../../src/boot/kernel-modules.js';
import { memorySystem } from '../../helpers/memory-system.js';

const DIR = '/sysroot/usr/lib/modules/6.12.0-test-amd64';

function system(compression = 'xz') {
  const sys = memorySystem();
  sys.file(
    `${DIR}/modules.dep`,
    [
      'kernel/fs/overlayfs/overlay.ko.xz:',
      'kernel/fs/erofs/erofs.ko.xz: kernel/lib/libcrc32c.ko.xz kernel/lib/base.ko.xz',
      'kernel/lib/libcrc32c.ko.xz: kernel/lib/base.ko.xz',
      'kernel/lib/base.ko.xz:',
      'kernel/lib/crc32c-generic.ko.xz:',
      'kernel/drivers/block/loop.ko.xz:',
      '',
    ].join('\n'),
  );
  sys.file(`${DIR}/modules.builtin`, 'kernel/fs/ext4/ext4.ko\n');
  sys.file(`${DIR}/modules.softdep`, 'softdep erofs pre: crc32c-generic\n');
  for (const f of [
    'fs/overlayfs/overlay',
    'fs/erofs/erofs',
    'lib/libcrc32c',
    'lib/base',
    'lib/crc32c-generic',
    'drivers/block/loop',
  ])
    sys.file(`${DIR}/kernel/${f}.ko.xz`);
  if (compression !== '') sys.file('/sys/module/compression', `${compression}\n`);
  return sys;
}

describe('loadKernelModules', () => {
  it('each module after what it needs (softdeps first, then modules.dep last to first), once each', () => {
    const sys = system();
    expect(loadKernelModules(sys, DIR, ['overlay', 'erofs', 'ext4'], 'root=/dev/nvme0n1 erofs.x=1')).toEqual([
      { name: 'overlay', state: 'loaded' },
      { name: 'erofs', state: 'loaded' },
      { name: 'ext4', state: 'built-in' },
    ]);
    expect(sys.loads).toEqual([
      `${DIR}/kernel/fs/overlayfs/overlay.ko.xz compressed`,
      `${DIR}/kernel/lib/crc32c-generic.ko.xz compressed`,
      `${DIR}/kernel/lib/base.ko.xz compressed`,
      `${DIR}/kernel/lib/libcrc32c.ko.xz compressed`,
      `${DIR}/kernel/fs/erofs/erofs.ko.xz x=1 compressed`,
    ]);
  });

  it('what is loaded already is left alone, and nothing is read when all are', () => {
    const sys = system();
    sys.dir('/sys/module/overlay');
    sys.dir('/sys/module/base');
    expect(loadKernelModules(sys, DIR, ['overlay', 'loop'], '')).toEqual([
      { name: 'overlay', state: 'present' },
      { name: 'loop', state: 'loaded' },
    ]);
    expect(sys.loads).toEqual([`${DIR}/kernel/drivers/block/loop.ko.xz compressed`]);
    const none = memorySystem();
    none.dir('/sys/module/overlay');
    expect(loadKernelModules(none, '/nowhere', ['overlay'], '')).toEqual([{ name: 'overlay', state: 'present' }]);
  });

  it('a module without a file is missing (built in without a trace, or its mount says why)', () => {
    expect(loadKernelModules(system(), DIR, ['squashfs'], '')).toEqual([{ name: 'squashfs', state: 'missing' }]);
    expect(loadKernelModules(memorySystem(), '/nowhere', ['overlay'], '')).toEqual([
      { name: 'overlay', state: 'missing' },
    ]);
  });

  it.each([
    ['zstd', 'only zstd'],
    ['', 'no module'],
  ])('refuses a compression the kernel cannot undo (it decompresses %j)', (kernel, what) => {
    const sys = system(kernel);
    expect(() => loadKernelModules(sys, DIR, ['overlay'], '')).toThrow(
      `${DIR}/kernel/fs/overlayfs/overlay.ko.xz: cannot load module overlay: it is xz-compressed and this kernel decompresses ${what} (CONFIG_MODULE_DECOMPRESS)`,
    );
    expect(sys.loads).toEqual([]);
  });

  it.each([
    ['ENOENT', 'it needs a symbol no loaded module has (a module it needs is missing)'],
    ['ENOEXEC', 'it is not a module for this kernel'],
    ['EKEYREJECTED', 'its signature is not accepted (Key was rejected by service)'],
    ['EPERM', 'Operation not permitted'],
  ])('says why the kernel refused one (%s), and which module needed it', (code, why) => {
    const sys = system();
    const texts: Record<string, string> = {
      ENOENT: 'No such file or directory',
      ENOEXEC: 'Exec format error',
      EKEYREJECTED: 'Key was rejected by service',
      EPERM: 'Operation not permitted',
    };
    sys.loadModule = () => {
      throw new SysError('finit_module', code, texts[code]!);
    };
    expect(() => loadKernelModules(sys, DIR, ['erofs'], '')).toThrow(
      `${DIR}/kernel/lib/crc32c-generic.ko.xz: cannot load module crc32c_generic (needed by erofs): ${why}`,
    );
  });

  it('a broken modules.dep names its line', () => {
    const sys = system();
    sys.file(`${DIR}/modules.dep`, 'kernel/a.ko:\n../../x.ko:\n');
    expect(() => loadKernelModules(sys, DIR, ['overlay'], '')).toThrow(`${DIR}/modules.dep:2: not a line of depmod's`);
  });
});

describe('moduleParams', () => {
  it.each([
    ['overlay.redirect_dir=on quiet overlay.metacopy=off', 'overlay', 'redirect_dir=on metacopy=off'],
    ['crc32c-generic.x=1 crc32c_generic.y=2', 'crc32c_generic', 'x=1 y=2'],
    ['overlayfs.x=1 root=/dev/x.y overlay.flag', 'overlay', ''],
  ])('%s → %s: %j', (cmdline, name, params) => {
    expect(moduleParams(cmdline, name)).toBe(params);
  });
});
