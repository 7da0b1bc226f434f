// The dracut module, built into real initramfs images by Debian's dracut for the guest kernel
// after dracut/install.sh (test/harness/initramfs.sh, the builder of the VM boot tests), both
// flavours, with dracut's default strip, then unpacked and inspected: our binary comes out of
// dracut working (the same output as the build's), alone (static: no libraries with it), the
// unit and its ostree alias are enabled, the kernel modules are in. Booting such images is test/vm.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OURS, isRoot } from './harness.js';

const BUILD = path.resolve(import.meta.dirname, '../harness/initramfs.sh');
const hasDracut = existsSync('/usr/bin/dracut');
let W: string;

/** Build an uncompressed image and unpack it. */
function build(flavour: 'systemd' | 'shell'): string {
  const out = path.join(W, flavour);
  mkdirSync(path.join(out, 'root'), { recursive: true });
  // A plain-root config in the build root with a persistent upper: the boot must wait for its device.
  const conf = path.join(W, 'plain.conf');
  writeFileSync(conf, '[root]\ntransient=true\nupper-device=LABEL=prep-upper\n');
  const env = { ...process.env, COMPRESS: 'none', PLAIN_CONF: conf };
  const r = spawnSync('bash', [BUILD, 'prepare-root', flavour, path.join(out, 'initrd.img')], {
    encoding: 'utf8',
    timeout: 240_000,
    env,
  });
  if (r.status !== 0) throw new Error(`dracut build failed: ${r.stderr}${r.stdout}`);
  const unpack = spawnSync(
    'bash',
    ['-c', 'cd "$1" && cpio -idm --quiet < ../initrd.img', 'bash', path.join(out, 'root')],
    { encoding: 'utf8' },
  );
  if (unpack.status !== 0) throw new Error(`cpio: ${unpack.stderr}`);
  return path.join(out, 'root');
}

/** What a binary prints for --version and --help: the same as the build's, or it is not our program. */
function output(binary: string): { status: number | null; version: string; help: string } {
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return {
    status: version.status,
    version: version.stdout,
    help: spawnSync(binary, ['--help'], { encoding: 'utf8' }).stdout,
  };
}

const built = () => output(OURS);

beforeAll(() => {
  W = mkdtempSync(path.join(tmpdir(), 'prepare-root-dracut-'));
});
afterAll(() => rmSync(W, { recursive: true, force: true }));

describe.skipIf(!isRoot() || !hasDracut)('dracut module', () => {
  it('systemd flavour: binary intact, unit enabled for initrd-root-fs.target, ostree-prepare-root.service an alias', () => {
    const root = build('systemd');
    const binary = path.join(root, 'usr/lib/prepare-root/prepare-root');
    expect(output(binary)).toEqual({ ...built(), status: 0 });
    // Static: nothing for a loader to find, so dracut installed no libraries for it.
    expect(spawnSync('readelf', ['--program-headers', '--dynamic', binary], { encoding: 'utf8' }).stdout).not.toMatch(
      /INTERP|NEEDED/,
    );
    const units = path.join(root, 'usr/lib/systemd/system');
    expect(readFileSync(path.join(units, 'prepare-root.service'), 'utf8')).toContain(
      'ExecStart=/usr/lib/prepare-root/prepare-root /sysroot',
    );
    expect(readlinkSync(path.join(units, 'ostree-prepare-root.service'))).toBe('prepare-root.service');
    // An absolute link inside the image: read it, don't follow it on the host.
    expect(
      readlinkSync(path.join(root, 'etc/systemd/system/initrd-root-fs.target.wants/prepare-root.service')),
    ).toMatch(/^(\/usr)?\/lib\/systemd\/system\/prepare-root\.service$/);
    const modules = spawnSync('find', [path.join(root, 'usr/lib/modules'), '-name', '*.ko*'], {
      encoding: 'utf8',
    }).stdout;
    for (const m of ['overlay', 'erofs', 'loop']) expect(modules, m).toMatch(new RegExp(`/${m}\\.ko`));
    // root.upper-device=LABEL=prep-upper: the unit waits for that device.
    expect(readFileSync(path.join(root, 'usr/lib/prepare-root/prepare-root.conf'), 'utf8')).toContain(
      'upper-device=LABEL=prep-upper',
    );
    expect(readFileSync(path.join(root, 'etc/systemd/system/prepare-root.service.d/upper-device.conf'), 'utf8')).toBe(
      '[Unit]\nWants=dev-disk-by\\x2dlabel-prep\\x2dupper.device\nAfter=dev-disk-by\\x2dlabel-prep\\x2dupper.device\n',
    );
  });

  it('shell flavour: the last cleanup hook hands over in pivot mode; an ostree physical root is accepted', () => {
    const root = build('shell');
    expect(output(path.join(root, 'usr/lib/prepare-root/prepare-root'))).toEqual({ ...built(), status: 0 });
    expect(readFileSync(path.join(root, 'usr/lib/dracut/hooks/cleanup/99-prepare-root-pivot.sh'), 'utf8'))
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's own ${...}, as the hook has it
      .toContain('exec /usr/lib/prepare-root/prepare-root --pivot --init "${init:-/sbin/init}" "${NEWROOT:-/sysroot}"');
    expect(
      readFileSync(path.join(root, 'usr/lib/dracut/hooks/pre-mount/50-prepare-root-usable-root.sh'), 'utf8'),
    ).toContain('[ -d "$1/ostree/deploy" ]');
    expect(existsSync(path.join(root, 'usr/lib/systemd/system/prepare-root.service'))).toBe(false);
    // Without systemd, dracut's own wait for the root.upper-device of the plain-root config.
    expect(
      readFileSync(path.join(root, 'usr/lib/dracut/hooks/cmdline/60-prepare-root-upper-device.sh'), 'utf8'),
    ).toContain('wait_for_dev "/dev/disk/by-label/prep-upper"');
  });

  it("dracut's default strip ran (the drop-in leaves it on), and the binary survived it", () => {
    const drop = readFileSync(
      path.resolve(import.meta.dirname, '../../dracut/dracut.conf.d/50-prepare-root.conf'),
      'utf8',
    );
    expect(drop).not.toMatch(/do_strip/);
    const stripped = path.join(W, 'strip-g');
    copyFileSync(OURS, stripped);
    expect(spawnSync('strip', ['-g', stripped]).status).toBe(0); // what dracut runs on every ELF file
    expect(output(stripped)).toEqual({ ...built(), status: 0 });
  });
});

describe('dracut/install.sh', () => {
  it('installs binary, module, drop-in, default config, checkpoint unit and the enabled relabel unit into DESTDIR', () => {
    const dest = path.join(W, 'destdir');
    const r = spawnSync('bash', [path.resolve(import.meta.dirname, '../../dracut/install.sh'), dest], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const files = spawnSync('find', [dest, '-type', 'f', '-printf', '%m %P\\n'], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')
      .sort();
    expect(files).toEqual([
      '644 usr/lib/dracut/dracut.conf.d/50-prepare-root.conf',
      '644 usr/lib/dracut/modules.d/99prepare-root/prepare-root.service',
      '644 usr/lib/ostree/prepare-root.conf',
      '644 usr/lib/systemd/system/prepare-root-checkpoint.service',
      '644 usr/lib/systemd/system/prepare-root-relabel.service',
      '755 usr/lib/dracut/modules.d/99prepare-root/module-setup.sh',
      '755 usr/lib/dracut/modules.d/99prepare-root/prepare-root-pivot.sh',
      '755 usr/lib/dracut/modules.d/99prepare-root/prepare-root-usable-root.sh',
      '755 usr/lib/prepare-root/prepare-root',
    ]);
    expect(
      readlinkSync(path.join(dest, 'usr/lib/systemd/system/sysinit.target.wants/prepare-root-relabel.service')),
    ).toBe('../prepare-root-relabel.service');
  });
});
