// formats/modules-dep.ts: depmod's files as the loader reads them, and what it refuses.
import { describe, expect, it } from 'vitest';
import {
  compressionOf,
  moduleName,
  parseModulesBuiltin,
  parseModulesDep,
  parseSoftdeps,
} from '../../../src/formats/modules-dep.js';

describe('moduleName, compressionOf', () => {
  it.each([
    ['kernel/fs/overlayfs/overlay.ko.xz', 'overlay', 'xz'],
    ['kernel/drivers/scsi/virtio_scsi.ko.zst', 'virtio_scsi', 'zstd'],
    ['kernel/drivers/block/loop.ko', 'loop', null],
    ['kernel/lib/crc-t10dif.ko.gz', 'crc_t10dif', 'gzip'],
  ])('%s → %s, %s', (file, name, compression) => {
    expect(moduleName(file)).toBe(name);
    expect(compressionOf(file)).toBe(compression);
  });
});

describe('parseModulesDep', () => {
  it("each module's file and what it needs, nearest last", () => {
    const deps = parseModulesDep(
      [
        'kernel/fs/overlayfs/overlay.ko.xz:',
        'kernel/fs/erofs/erofs.ko.xz: kernel/lib/libcrc32c.ko.xz',
        'kernel/drivers/ata/ahci.ko.xz: kernel/drivers/ata/libahci.ko.xz kernel/drivers/ata/libata.ko.xz',
        '',
      ].join('\n'),
      'modules.dep',
    );
    expect(Object.fromEntries(deps)).toEqual({
      overlay: { file: 'kernel/fs/overlayfs/overlay.ko.xz', needs: [] },
      erofs: { file: 'kernel/fs/erofs/erofs.ko.xz', needs: ['kernel/lib/libcrc32c.ko.xz'] },
      ahci: {
        file: 'kernel/drivers/ata/ahci.ko.xz',
        needs: ['kernel/drivers/ata/libahci.ko.xz', 'kernel/drivers/ata/libata.ko.xz'],
      },
    });
  });

  it.each([
    ['no colon', 'kernel/fs/overlay.ko.xz'],
    ['not a module file', 'kernel/fs/overlay.ko.xz: /etc/shadow'],
    ['a way out of the directory', 'kernel/../../../etc/x.ko:'],
    ['a file with spaces', 'kernel/a b.ko:'],
  ])('refuses %s, naming the line', (_, line) => {
    expect(() => parseModulesDep(`kernel/ok.ko:\n${line}\n`, '/lib/modules/6.12/modules.dep')).toThrow(
      `/lib/modules/6.12/modules.dep:2: not a line of depmod's (“file.ko: needed.ko ...”)`,
    );
  });
});

describe('parseModulesBuiltin, parseSoftdeps', () => {
  it('the names built in', () => {
    expect([...parseModulesBuiltin('kernel/fs/ext4/ext4.ko\nkernel/drivers/nvme/host/nvme-core.ko\n\n')]).toEqual([
      'ext4',
      'nvme_core',
    ]);
  });

  it('the pre: modules of each', () => {
    const soft = parseSoftdeps(
      '# comment\nsoftdep erofs pre: crc32c post: x\nsoftdep ext4 pre: crc32c-intel\nalias y z\n',
    );
    expect(Object.fromEntries(soft)).toEqual({ erofs: ['crc32c'], ext4: ['crc32c_intel'] });
  });
});
