// The dracut module, built into real initramfs images by Debian's dracut for the guest kernel
// after dracut/install.sh (test/harness/initramfs.sh, the builder of the VM boot tests), both
// flavours, then unpacked and inspected: our binary still runs after dracut (it would not if
// dracut stripped it), the unit and its ostree alias are enabled, kernel modules and tools are in.
// Booting such images is test/vm.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot } from './harness.js';

const BUILD = path.resolve(import.meta.dirname, '../harness/initramfs.sh');
const hasDracut = existsSync('/usr/bin/dracut');
let W: string;

/** Build an uncompressed image (without our dracut.conf.d drop-in: dropIn false) and unpack it. */
function build(flavour: 'systemd' | 'shell', dropIn = true): string {
  const out = path.join(W, `${flavour}${dropIn ? '' : '-no-drop-in'}`);
  mkdirSync(path.join(out, 'root'), { recursive: true });
  const env = { ...process.env, COMPRESS: 'none', DROP_IN: dropIn ? '1' : '0' };
  const r = spawnSync('bash', [BUILD, 'prepare-root', flavour, path.join(out, 'initrd.img')], { encoding: 'utf8', timeout: 240_000, env });
  if (r.status !== 0) throw new Error(`dracut build failed: ${r.stderr}${r.stdout}`);
  const unpack = spawnSync('bash', ['-c', 'cd "$1" && cpio -idm --quiet < ../initrd.img', 'bash', path.join(out, 'root')], { encoding: 'utf8' });
  if (unpack.status !== 0) throw new Error(`cpio: ${unpack.stderr}`);
  return path.join(out, 'root');
}

function runs(binary: string): number | null {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status;
}

beforeAll(() => { W = mkdtempSync(path.join(tmpdir(), 'prepare-root-dracut-')); });
afterAll(() => rmSync(W, { recursive: true, force: true }));

describe.skipIf(!isRoot() || !hasDracut)('dracut module', () => {
  it('systemd flavour: binary intact, unit enabled for initrd-root-fs.target, ostree-prepare-root.service an alias', () => {
    const root = build('systemd');
    expect(runs(path.join(root, 'usr/lib/prepare-root/prepare-root'))).toBe(0);
    const units = path.join(root, 'usr/lib/systemd/system');
    expect(readFileSync(path.join(units, 'prepare-root.service'), 'utf8')).toContain('ExecStart=/usr/lib/prepare-root/prepare-root /sysroot');
    expect(readlinkSync(path.join(units, 'ostree-prepare-root.service'))).toBe('prepare-root.service');
    // An absolute link inside the image: read it, don't follow it on the host.
    expect(readlinkSync(path.join(root, 'etc/systemd/system/initrd-root-fs.target.wants/prepare-root.service'))).toMatch(/^(\/usr)?\/lib\/systemd\/system\/prepare-root\.service$/);
    for (const tool of ['mount', 'umount', 'switch_root', 'losetup', 'cp', 'sync', 'getfattr', 'fsverity']) {
      expect(['usr/bin', 'usr/sbin'].some((d) => existsSync(path.join(root, d, tool))), tool).toBe(true);
    }
    const modules = spawnSync('find', [path.join(root, 'usr/lib/modules'), '-name', '*.ko*'], { encoding: 'utf8' }).stdout;
    for (const m of ['overlay', 'erofs', 'loop']) expect(modules, m).toMatch(new RegExp(`/${m}\\.ko`));
  });

  it('shell flavour: the last cleanup hook hands over in pivot mode; an ostree physical root is accepted', () => {
    const root = build('shell');
    expect(runs(path.join(root, 'usr/lib/prepare-root/prepare-root'))).toBe(0);
    expect(readFileSync(path.join(root, 'usr/lib/dracut/hooks/cleanup/99-prepare-root-pivot.sh'), 'utf8'))
      .toContain('exec /usr/lib/prepare-root/prepare-root --pivot --init "${init:-/sbin/init}" "${NEWROOT:-/sysroot}"');
    expect(readFileSync(path.join(root, 'usr/lib/dracut/hooks/pre-mount/50-prepare-root-usable-root.sh'), 'utf8'))
      .toContain('[ -d "$1/ostree/deploy" ]');
    expect(existsSync(path.join(root, 'usr/lib/systemd/system/prepare-root.service'))).toBe(false);
  });

  it('without our dracut.conf.d drop-in, dracut strips the binary and breaks it: that is why it ships', () => {
    const root = build('systemd', false);
    const binary = path.join(root, 'usr/lib/prepare-root/prepare-root');
    expect(existsSync(binary)).toBe(true);   // there, but broken
    expect(runs(binary)).not.toBe(0);
  });
});

describe('dracut/install.sh', () => {
  it('installs binary, module, drop-in, default config and checkpoint unit into DESTDIR', () => {
    const dest = path.join(W, 'destdir');
    const r = spawnSync('bash', [path.resolve(import.meta.dirname, '../../dracut/install.sh'), dest], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const files = spawnSync('find', [dest, '-type', 'f', '-printf', '%m %P\\n'], { encoding: 'utf8' }).stdout.trim().split('\n').sort();
    expect(files).toEqual([
      '644 usr/lib/dracut/dracut.conf.d/50-prepare-root.conf',
      '644 usr/lib/dracut/modules.d/99prepare-root/prepare-root.service',
      '644 usr/lib/ostree/prepare-root.conf',
      '644 usr/lib/systemd/system/prepare-root-checkpoint.service',
      '755 usr/lib/dracut/modules.d/99prepare-root/module-setup.sh',
      '755 usr/lib/dracut/modules.d/99prepare-root/prepare-root-pivot.sh',
      '755 usr/lib/dracut/modules.d/99prepare-root/prepare-root-usable-root.sh',
      '755 usr/lib/prepare-root/prepare-root',
    ]);
  });
});
