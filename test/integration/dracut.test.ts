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

/** The build root's config files: the plain root's and ostree's /usr/lib file, and /etc/ostree's files. */
interface BuildRoot {
  readonly plainConf?: string;
  readonly ostreeConfUsr?: string;
  readonly etcOstree?: Record<string, string>;
}

/** Build an uncompressed image of FLAVOUR in W/NAME: dracut's exit status and everything it printed. */
function tryBuild(name: string, flavour: 'systemd' | 'shell', files: BuildRoot) {
  const out = path.join(W, name);
  mkdirSync(path.join(out, 'etc-ostree'), { recursive: true });
  const env: Record<string, string | undefined> = { ...process.env, COMPRESS: 'none' };
  if (files.plainConf !== undefined) {
    env.PLAIN_CONF = path.join(out, 'plain.conf');
    writeFileSync(env.PLAIN_CONF, files.plainConf);
  }
  if (files.ostreeConfUsr !== undefined) {
    env.OSTREE_CONF_USR = path.join(out, 'usr-ostree.conf');
    writeFileSync(env.OSTREE_CONF_USR, files.ostreeConfUsr);
  }
  for (const [name, text] of Object.entries(files.etcOstree ?? {}))
    writeFileSync(path.join(out, 'etc-ostree', name), text);
  const image = path.join(out, 'initrd.img');
  const r = spawnSync('bash', [BUILD, 'prepare-root', flavour, image, path.join(out, 'etc-ostree')], {
    encoding: 'utf8',
    timeout: 240_000,
    env,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}`, image, out };
}

/** Build an uncompressed image and unpack it. */
function build(flavour: 'systemd' | 'shell', files: BuildRoot = PLAIN_UPPER_DEVICE, name: string = flavour): string {
  const { status, output, out } = tryBuild(name, flavour, files);
  if (status !== 0) throw new Error(`dracut build failed: ${output}`);
  mkdirSync(path.join(out, 'root'), { recursive: true });
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

// A plain-root config in the build root with a persistent upper: the boot must wait for its device.
const PLAIN_UPPER_DEVICE: BuildRoot = { plainConf: '[root]\ntransient=true\nupper-device=LABEL=prep-upper\n' };
const KEY_A = `${Buffer.alloc(32, 1).toString('base64')}\n`;
const KEY_B = `${Buffer.alloc(32, 2).toString('base64')}\n`;

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

  it('a config that would fail the boot fails the build, naming file, line and key; no image is left', () => {
    const r = tryBuild('broken-plain', 'systemd', { plainConf: '[root]\ntransiet=true\n' });
    expect(r.status, r.output).not.toBe(0);
    expect(r.output).toContain(
      'prepare-root: /usr/lib/prepare-root/prepare-root.conf:2: unknown key root.transiet (did you mean root.transient?): a plain root boots only a config it fully understands',
    );
    expect(r.output).toContain(
      'prepare-root: the plain-boot config above would fail the boot: fix it, then build the initramfs again',
    );
    expect(existsSync(r.image)).toBe(false);
  });

  it('what would only warn at boot is a warning of the build, which goes on', () => {
    const r = tryBuild('warning-ostree', 'systemd', { etcOstree: { 'prepare-root.conf': '[root]\ntransent=true\n' } });
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain(
      'prepare-root: warning: /etc/ostree/prepare-root.conf:2: unknown key root.transent is ignored (did you mean root.transient?)',
    );
    expect(existsSync(r.image)).toBe(true);
  });

  it('signed: the key file is the one the effective config names (/etc replaces /usr/lib wholesale), and a missing one fails the build', () => {
    // The vendor file names a keypath; the /etc file, which replaces it at boot, does not: the
    // boot reads the default key file, so that is the one the image needs.
    const layout = (keys: Record<string, string>): BuildRoot => ({
      ostreeConfUsr: '[composefs]\nenabled=signed\nkeypath=/etc/ostree/vendor.key\n',
      etcOstree: { 'prepare-root.conf': '[composefs]\nenabled=signed\n', ...keys },
    });
    const missing = tryBuild('signed-missing', 'systemd', layout({ 'vendor.key': KEY_A }));
    expect(missing.status, missing.output).not.toBe(0);
    expect(missing.output).toContain(
      'prepare-root: composefs.keypath /etc/ostree/initramfs-root-binding.key: composefs.enabled=signed needs the public keys here: No such file or directory',
    );
    const root = build('systemd', layout({ 'vendor.key': KEY_A, 'initramfs-root-binding.key': KEY_B }), 'signed');
    expect(readFileSync(path.join(root, 'etc/ostree/initramfs-root-binding.key'), 'utf8')).toBe(KEY_B);
    expect(existsSync(path.join(root, 'etc/ostree/vendor.key'))).toBe(false);
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
  it('installs binary, module, drop-in, default config, checkpoint unit, the enabled relabel unit, the man pages and the bash completion into DESTDIR', () => {
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
      '644 usr/share/bash-completion/completions/prepare-root',
      '644 usr/share/man/man5/prepare-root.conf.5',
      '644 usr/share/man/man8/prepare-root.8',
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
