// The Debian package (npm run package, scripts/package.sh): what it holds and with which modes,
// its control fields and control files, that lintian finds nothing the repository does not
// explain, that it installs into and purges from a scratch root with dpkg (never the host), that
// it builds byte for byte the same twice, and the initramfs-tools hook run for real against stub
// hook-functions in a private mount namespace: what it copies, and the exact errors that stop an
// image build. The boot script is booted for real by test/vm/plain.test.ts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot } from './harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const VERSION = `${(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}-1`;
const HOOK = 'usr/share/initramfs-tools/hooks/prepare-root';
const SCRIPT = 'usr/share/initramfs-tools/scripts/local-bottom/prepare-root';

let W: string;
let deb: string;
/** The package's files, extracted (dpkg-deb -x). */
let tree: string;

function run(cmd: string, args: string[], env?: Record<string, string>) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

function ok(cmd: string, args: string[], env?: Record<string, string>): string {
  const r = run(cmd, args, env);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.out}`);
  return r.stdout;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A control-only package (for dpkg's relationship checks in the scratch root). */
function dummyDeb(name: string): string {
  const d = path.join(W, `dummy-${name}`);
  mkdirSync(path.join(d, 'DEBIAN'), { recursive: true });
  writeFileSync(
    path.join(d, 'DEBIAN/control'),
    `Package: ${name}\nVersion: 1.0\nArchitecture: all\nMaintainer: test <test@example.org>\nDescription: stand-in for ${name}\n`,
  );
  ok('dpkg-deb', ['--root-owner-group', '--build', d, `${d}.deb`]);
  return `${d}.deb`;
}

beforeAll(() => {
  W = mkdtempSync('/tmp/prepare-root-package.');
  deb = ok('bash', [path.join(ROOT, 'scripts/package.sh'), path.join(W, 'out')]).trim();
  tree = path.join(W, 'tree');
  ok('dpkg-deb', ['-x', deb, tree]);
}, 300_000);

afterAll(() => {
  if (W) rmSync(W, { recursive: true, force: true });
});

describe('the .deb (scripts/package.sh)', () => {
  it('is named prepare-root_<package.json version>-1_<dpkg architecture>.deb', () => {
    const arch = ok('dpkg', ['--print-architecture']).trim();
    expect(path.basename(deb)).toBe(`prepare-root_${VERSION}_${arch}.deb`);
  });

  it('holds exactly these files, owned by root, with these modes; no config and nothing in /etc', () => {
    const entries = ok('dpkg-deb', ['-c', deb])
      .trim()
      .split('\n')
      .map((l) => {
        const [mode, owner, , , , name, , target] = l.split(/\s+/);
        expect(owner, name).toBe('root/root');
        return `${mode} ${name!.replace(/^\.\//, '')}${target === undefined ? '' : ` -> ${target}`}`;
      })
      .filter((e) => !e.startsWith('d'))
      .sort();
    expect(entries).toEqual([
      '-rw-r--r-- usr/lib/dracut/dracut.conf.d/50-prepare-root.conf',
      '-rw-r--r-- usr/lib/dracut/modules.d/99prepare-root/prepare-root.service',
      '-rw-r--r-- usr/lib/systemd/system/prepare-root-checkpoint.service',
      '-rw-r--r-- usr/lib/systemd/system/prepare-root-relabel.service',
      '-rw-r--r-- usr/share/bash-completion/completions/prepare-root',
      '-rw-r--r-- usr/share/doc/prepare-root/changelog.Debian.gz',
      '-rw-r--r-- usr/share/doc/prepare-root/copyright',
      '-rw-r--r-- usr/share/doc/prepare-root/examples/ostree/prepare-root.conf',
      '-rw-r--r-- usr/share/doc/prepare-root/examples/plain/prepare-root.conf',
      '-rw-r--r-- usr/share/lintian/overrides/prepare-root',
      '-rw-r--r-- usr/share/man/man5/prepare-root.conf.5.gz',
      '-rw-r--r-- usr/share/man/man8/prepare-root.8.gz',
      '-rwxr-xr-x usr/lib/dracut/modules.d/99prepare-root/module-setup.sh',
      '-rwxr-xr-x usr/lib/dracut/modules.d/99prepare-root/prepare-root-pivot.sh',
      '-rwxr-xr-x usr/lib/dracut/modules.d/99prepare-root/prepare-root-usable-root.sh',
      '-rwxr-xr-x usr/lib/prepare-root/prepare-root',
      `-rwxr-xr-x ${HOOK}`,
      `-rwxr-xr-x ${SCRIPT}`,
      'lrwxrwxrwx usr/lib/systemd/system/sysinit.target.wants/prepare-root-relabel.service -> ../prepare-root-relabel.service',
      'lrwxrwxrwx usr/sbin/prepare-root -> ../lib/prepare-root/prepare-root',
    ]);
  });

  it('carries the build, the repository files unchanged, man pages gzip -9n, the examples from conf/', () => {
    const same = (inPackage: string, inRepo: string) =>
      expect(sha256(path.join(tree, inPackage)), inPackage).toBe(sha256(path.join(ROOT, inRepo)));
    same('usr/lib/prepare-root/prepare-root', 'dist/prepare-root');
    same(HOOK, 'initramfs-tools/hooks/prepare-root');
    same(SCRIPT, 'initramfs-tools/scripts/local-bottom/prepare-root');
    same('usr/lib/dracut/modules.d/99prepare-root/module-setup.sh', 'dracut/99prepare-root/module-setup.sh');
    same('usr/share/doc/prepare-root/examples/ostree/prepare-root.conf', 'conf/prepare-root.conf');
    same('usr/share/doc/prepare-root/examples/plain/prepare-root.conf', 'conf/plain-prepare-root.conf');
    same('usr/share/bash-completion/completions/prepare-root', 'completion/prepare-root.bash');
    for (const [gz, src] of [
      ['usr/share/man/man8/prepare-root.8.gz', 'man/prepare-root.8'],
      ['usr/share/man/man5/prepare-root.conf.5.gz', 'man/prepare-root.conf.5'],
    ] as const) {
      const bytes = readFileSync(path.join(tree, gz));
      // gzip header: no file name (FLG bit 3), no time stamp (MTIME 0), best compression (XFL 2).
      expect(bytes[3]! & 0x08, gz).toBe(0);
      expect(bytes.readUInt32LE(4), gz).toBe(0);
      expect(bytes[8], gz).toBe(2);
      expect(ok('zcat', [path.join(tree, gz)])).toBe(readFileSync(path.join(ROOT, src), 'utf8'));
    }
    expect(readlinkSync(path.join(tree, 'usr/sbin/prepare-root'))).toBe('../lib/prepare-root/prepare-root');
    expect(ok(path.join(tree, 'usr/sbin/prepare-root'), ['--version'])).toMatch(/^prepare-root \d+\.\d+\.\d+ /);
    const changelog = ok('zcat', [path.join(tree, 'usr/share/doc/prepare-root/changelog.Debian.gz')]);
    expect(changelog).toMatch(
      new RegExp(`^prepare-root \\(${VERSION.replace(/\./g, '\\.')}\\) unstable; urgency=medium\n`),
    );
    expect(changelog).toMatch(/\n -- .+ <.+@.+> {2}\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\n$/);
  });

  it.skipIf(run('sh', ['-c', 'command -v man']).status !== 0)(
    'the packaged man pages render with man-db and groff at 80 columns without a warning',
    () => {
      for (const [gz, name] of [
        [
          'usr/share/man/man8/prepare-root.8.gz',
          'prepare-root - turn the physical root into the root the system boots',
        ],
        ['usr/share/man/man5/prepare-root.conf.5.gz', 'prepare-root.conf - how prepare-root prepares the root'],
      ] as const) {
        const r = run('man', ['-l', '-P', 'cat', path.join(tree, gz)], { MANWIDTH: '80', LC_ALL: 'C.UTF-8' });
        expect(r.stderr, gz).toBe('');
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^NAME\\n {7}${name.replace(/\./g, '\\.')}\\n`, 'm'));
        expect(Math.max(...r.stdout.split('\n').map((l) => l.length)), gz).toBeLessThanOrEqual(80);
      }
    },
  );

  it('control: the fields dh would write, Depends on either generator, Conflicts: overlayroot', () => {
    const fields = ok('dpkg-deb', ['-f', deb]);
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(fields)?.[1];
    expect(field('Package')).toBe('prepare-root');
    expect(field('Version')).toBe(VERSION);
    expect(field('Architecture')).toBe(ok('dpkg', ['--print-architecture']).trim());
    expect(field('Depends')).toBe('initramfs-tools | dracut');
    expect(field('Conflicts')).toBe('overlayroot');
    expect(field('Section')).toBe('admin');
    expect(field('Priority')).toBe('optional');
    expect(field('Maintainer')).toMatch(/^.+ <[^@ ]+@[^@ ]+>$/);
    // The source packages linked into the static executable, at the versions installed here.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${...} format
    const source = (pkg: string) => ok('dpkg-query', ['-W', '-f=${source:Package} (= ${source:Version})', pkg]);
    expect(field('Built-Using')).toBe(`${source('libc6-dev')}, ${source('libsodium-dev')}`);
    // Installed-Size as dpkg-gencontrol counts it: each file's KiB rounded up, 1 for each
    // directory and symlink.
    const counted = ok('find', [tree, '-mindepth', '1', '-printf', '%y %s\\n'])
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .reduce((sum, [type, bytes]) => sum + (type === 'f' ? Math.ceil(Number(bytes) / 1024) : 1), 0);
    expect(Number(field('Installed-Size'))).toBe(counted);
  });

  it('control files: md5sums of every file, the update-initramfs trigger, no maintainer scripts, no conffiles', () => {
    const control = path.join(W, 'control');
    ok('dpkg-deb', ['-e', deb, control]);
    expect(ok('ls', [control]).trim().split('\n')).toEqual(['control', 'md5sums', 'triggers']);
    expect(readFileSync(path.join(control, 'triggers'), 'utf8')).toBe('activate-noawait update-initramfs\n');
    const sums = readFileSync(path.join(control, 'md5sums'), 'utf8').trim().split('\n');
    const files = ok('find', [tree, '-type', 'f', '-printf', '%P\\n']).trim().split('\n').sort();
    expect(sums.map((l) => l.slice(34))).toEqual(files);
    const check = run('sh', ['-c', 'cd "$0" && md5sum --check --quiet "$1"', tree, path.join(control, 'md5sums')]);
    expect(check).toMatchObject({ status: 0, stdout: '', stderr: '' });
  });

  it('copyright: machine-readable, every licence it names spelled out (ours, QuickJS, libsodium, glibc)', () => {
    const text = readFileSync(path.join(tree, 'usr/share/doc/prepare-root/copyright'), 'utf8');
    expect(text.startsWith('Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n')).toBe(true);
    const paragraphs = text.trim().split(/\n\n/);
    const named = new Set(
      paragraphs.filter((p) => p.startsWith('Files:')).flatMap((p) => /^License: (.*)$/m.exec(p)![1]!.split(' and ')),
    );
    const spelled = paragraphs.filter((p) => p.startsWith('License:')).map((p) => /^License: (.*)$/m.exec(p)![1]);
    expect([...named].sort()).toEqual(['Expat', 'ISC', 'LGPL-2.1+']);
    expect(spelled.sort()).toEqual(['Expat', 'ISC', 'LGPL-2.1+']);
    expect(text).toContain('Fabrice Bellard');
    expect(text).toContain('Frank Denis');
    // Ours: the MIT text of LICENSE, as a Debian copyright file indents it.
    const mit = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8').split('\n').slice(4).join('\n').trim();
    const expat = paragraphs.find((p) => p.startsWith('License: Expat\n'))!;
    expect(expat.replace(/^ \.$/gm, '').replace(/^ /gm, '')).toContain(mit);
  });

  it('lintian: no tag the repository does not override, and every override in use', () => {
    const r = run('lintian', ['--fail-on', 'error,warning', deb]);
    expect(r.out.replace(/^running with root privileges is not recommended!\n/m, '')).toBe('');
    expect(r.status).toBe(0);
    // Each override (with the comment above it) matches a tag lintian would report.
    const overrides = readFileSync(path.join(ROOT, 'packaging/debian/lintian-overrides'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('prepare-root: '));
    const shown = run('lintian', ['--show-overrides', deb])
      .stdout.split('\n')
      .filter((l) => l.startsWith('O: '))
      .map((l) => l.slice(3));
    expect(shown.sort()).toEqual(overrides.sort());
    const text = readFileSync(path.join(ROOT, 'packaging/debian/lintian-overrides'), 'utf8');
    for (const o of overrides)
      expect(text, o).toMatch(new RegExp(`#[^\n]*\n${o.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('is reproducible: two builds in a row are byte for byte the same', () => {
    // Two fresh builds (the first one may rebuild dist/prepare-root from newer sources), with the
    // time stamp fixed (by default it is the last commit's, which a commit in between would move).
    const build = (dir: string) =>
      ok('bash', [path.join(ROOT, 'scripts/package.sh'), path.join(W, dir)], {
        SOURCE_DATE_EPOCH: '1767225600',
      }).trim();
    const first = build('first');
    expect(sha256(build('second'))).toBe(sha256(first));
    // Every member carries that time stamp, not the checkout's or the build's.
    expect(
      new Set(
        ok('dpkg-deb', ['-c', first], { TZ: 'UTC' })
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(/\s+/).slice(3, 5).join(' ')),
      ),
    ).toEqual(new Set(['2026-01-01 00:00']));
  });
});

describe.skipIf(!isRoot())('dpkg into a scratch root (--root, never the host)', () => {
  it('refuses it without a generator, and next to overlayroot, with dpkg’s own words', () => {
    const root = path.join(W, 'root-refused');
    mkdirSync(root);
    const noGenerator = run('dpkg', ['--root', root, '-i', deb]);
    expect(noGenerator.status).toBe(1);
    expect(noGenerator.out).toContain(' prepare-root depends on initramfs-tools | dracut; however:\n');
    expect(noGenerator.out).toContain('  Package initramfs-tools is not installed.\n');
    expect(noGenerator.out).toContain('  Package dracut is not installed.\n');
    ok('dpkg', ['--root', root, '--purge', 'prepare-root']);
    ok('dpkg', ['--root', root, '-i', dummyDeb('initramfs-tools'), dummyDeb('overlayroot')]);
    const conflict = run('dpkg', ['--root', root, '-i', deb]);
    expect(conflict.status).toBe(1);
    expect(conflict.out).toContain('dpkg: regarding ');
    expect(conflict.out).toContain(' prepare-root conflicts with overlayroot\n');
    expect(conflict.out).toContain('  overlayroot (version 1.0) is present and installed.\n');
    expect(conflict.out).toContain(' conflicting packages - not installing prepare-root\n');
    expect(existsIn(root, 'usr/lib/prepare-root/prepare-root')).toBe(false);
  });

  it('installs next to initramfs-tools (or dracut), and purges without a trace', () => {
    for (const generator of ['initramfs-tools', 'dracut']) {
      const root = path.join(W, `root-${generator}`);
      mkdirSync(root);
      ok('dpkg', ['--root', root, '-i', dummyDeb(generator)]);
      const r = run('dpkg', ['--root', root, '-i', deb]);
      expect(r.status, r.out).toBe(0);
      expect(r.out).toContain(`Setting up prepare-root (${VERSION}) ...`);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${...} format
      expect(ok('dpkg-query', ['--root', root, '-W', '-f=${Status} ${Version}', 'prepare-root'])).toBe(
        `install ok installed ${VERSION}`,
      );
      expect(ok(path.join(root, 'usr/sbin/prepare-root'), ['--version'])).toMatch(/^prepare-root /);
      expect(existsIn(root, HOOK) && existsIn(root, SCRIPT)).toBe(true);
      ok('dpkg', ['--root', root, '--purge', 'prepare-root']);
      // Nothing left but dpkg's own database (and the stand-in's package record).
      expect(ok('find', [root, '-mindepth', '1', '-path', `${root}/var`, '-prune', '-o', '-print'])).toBe('');
    }
  });
});

function existsIn(root: string, p: string): boolean {
  return run('test', ['-e', path.join(root, p)]).status === 0;
}

describe('the initramfs-tools boot script and hook', () => {
  it.each([HOOK, SCRIPT])('%s: POSIX sh (dash -n, busybox sh -n), the PREREQ protocol', (file) => {
    const f = path.join(tree, file);
    for (const sh of [
      ['dash', '-n'],
      ['busybox', 'sh', '-n'],
    ])
      expect(run(sh[0]!, [...sh.slice(1), f]).out, sh.join(' ')).toBe('');
    expect(readFileSync(f, 'utf8').startsWith('#!/bin/sh\n')).toBe(true);
    // What mkinitramfs and the boot-time run_scripts ask first: no prerequisites.
    const prereqs = run('dash', [f, 'prereqs']);
    expect(prereqs).toMatchObject({ status: 0, stdout: '\n', stderr: '' });
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's ${rootmnt}, as the script has it
  it('the boot script runs the binary on ${rootmnt} in a panic loop whose message says how out', () => {
    const text = readFileSync(path.join(tree, SCRIPT), 'utf8');
    expect(text).toContain('. /scripts/functions\n');
    expect(text).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's own ${...}, as the script has it
      'while ! "$PREPARE_ROOT" "${rootmnt:-/root}"; do\n    panic "prepare-root could not prepare',
    );
    expect(text).toMatch(/exit this shell to try again, or reboot and add rd\.prepare-root=off/);
    // initramfs-tools' /init hands over (run-init): the script never does.
    const code = text.split('\n').filter((l) => !l.trimStart().startsWith('#'));
    expect(code.filter((l) => /--pivot|run-init|switch_root/.test(l))).toEqual([]);
  });
});

/** Run the hook from the extracted package as mkinitramfs would, in a private mount namespace:
 * the package's /usr and stub hook-functions over the host's /usr, ETC's files over /etc (both
 * read-only overlays), DESTDIR a scratch dir. Returns its exit, output, and the calls it made. */
function runHook(name: string, etc: Record<string, string>, copyExecFails = false) {
  const d = path.join(W, `hook-${name}`);
  const stage = path.join(d, 'stage');
  mkdirSync(d, { recursive: true });
  ok('cp', ['-a', path.join(tree, '.'), stage]);
  writeFileSync(
    path.join(stage, 'usr/share/initramfs-tools/hook-functions'),
    [
      // copy_exec returns non-zero only on a real error (an existing target is 0).
      `copy_exec() { echo "copy_exec $*" >> "$CALLS"; return ${copyExecFails ? 2 : 0}; }`,
      'copy_file() { echo "copy_file $*" >> "$CALLS"; }',
      'manual_add_modules() { echo "manual_add_modules $*" >> "$CALLS"; }',
      '',
    ].join('\n'),
  );
  for (const [p, content] of Object.entries(etc)) {
    mkdirSync(path.dirname(path.join(d, 'etc', p)), { recursive: true });
    writeFileSync(path.join(d, 'etc', p), content);
  }
  mkdirSync(path.join(d, 'etc'), { recursive: true });
  mkdirSync(path.join(d, 'dest/conf'), { recursive: true });
  writeFileSync(path.join(d, 'calls'), '');
  const r = run('unshare', [
    '--mount',
    '--propagation',
    'private',
    'sh',
    '-c',
    `mount -t overlay -o "ro,lowerdir=$0/stage/usr:/usr" hook-usr /usr &&
       mount -t overlay -o "ro,lowerdir=$0/etc:/etc" hook-etc /etc &&
       DESTDIR=$0/dest CALLS=$0/calls exec sh /usr/share/initramfs-tools/hooks/prepare-root`,
    d,
  ]);
  const calls = readFileSync(path.join(d, 'calls'), 'utf8').trim().split('\n').filter(Boolean);
  const upperDevice = run('cat', [path.join(d, 'dest/conf/prepare-root-upper-device')]).stdout;
  return { ...r, calls, upperDevice };
}

describe.skipIf(!isRoot())('the initramfs-tools hook, run (stub hook-functions, private mount namespace)', () => {
  it('no config: the binary and the overlay, erofs and loop modules; no config file, no upper device', () => {
    const h = runHook('none', {});
    expect(h).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(h.calls).toEqual(['copy_exec /usr/lib/prepare-root/prepare-root', 'manual_add_modules overlay erofs loop']);
    expect(h.upperDevice).toBe('');
  });

  it('a plain config with root.upper-device, and an ostree config with its signing key: copied where the boot reads them; the device written down for the boot script', () => {
    const h = runHook('configs', {
      'prepare-root/prepare-root.conf': '[root]\ntransient=true\nupper-device=LABEL=prep-upper\n',
      'ostree/prepare-root.conf': '[composefs]\nenabled=maybe\nkeypath=/etc/ostree/test.key\n',
      'ostree/test.key': 'AAAAC3NzaC1lZDI1NTE5AAAAIBase64KeyForTheTestOnly0000000000000=\n',
    });
    expect(h.stderr).toBe('');
    expect(h.status).toBe(0);
    expect(h.calls).toEqual([
      'copy_exec /usr/lib/prepare-root/prepare-root',
      'copy_file config /etc/ostree/prepare-root.conf',
      'copy_file config /etc/prepare-root/prepare-root.conf',
      'copy_file key /etc/ostree/test.key',
      'manual_add_modules overlay erofs loop',
    ]);
    expect(h.upperDevice).toBe('/dev/disk/by-label/prep-upper\n');
  });

  it('a broken plain config: exit 1 before anything is copied, our line naming file, line and key, then what to do', () => {
    const h = runHook('broken-plain', { 'prepare-root/prepare-root.conf': '[root]\ntransient=ture\n' });
    expect(h.status).toBe(1);
    expect(h.stdout).toBe('');
    expect(h.stderr).toBe(
      [
        'prepare-root: /etc/prepare-root/prepare-root.conf:2: root.transient: value “ture” is not a boolean (use true/false/1/0)',
        'E: prepare-root: the plain-boot config above would fail the boot: fix it, then run update-initramfs -u',
        '',
      ].join('\n'),
    );
    expect(h.calls).toEqual([]);
  });

  it('a broken ostree config: exit 1, the ostree boot named', () => {
    const h = runHook('broken-ostree', { 'ostree/prepare-root.conf': '[sysroot]\nreadonly=yes\n' });
    expect(h.status).toBe(1);
    expect(h.stderr).toBe(
      [
        'prepare-root: /etc/ostree/prepare-root.conf:2: sysroot.readonly: value “yes” is not a boolean (use true/false/1/0)',
        'E: prepare-root: the ostree-boot config above would fail the boot: fix it, then run update-initramfs -u',
        '',
      ].join('\n'),
    );
    expect(h.calls).toEqual([]);
  });

  it('copy_exec failing (say, a full disk): exit 1 naming the binary, nothing else added', () => {
    const h = runHook('copy-fails', { 'prepare-root/prepare-root.conf': '[root]\ntransient=true\n' }, true);
    expect(h.status).toBe(1);
    expect(h.stderr).toBe('E: prepare-root: could not copy /usr/lib/prepare-root/prepare-root into the initramfs\n');
    expect(h.calls).toEqual(['copy_exec /usr/lib/prepare-root/prepare-root']);
  });

  it('a plain config with an unknown key stops the build too (it would stop the boot), suggesting the key', () => {
    const h = runHook('unknown-key', { 'prepare-root/prepare-root.conf': '[root]\ntransent=true\n' });
    expect(h.status).toBe(1);
    expect(h.stderr).toMatch(/^prepare-root: \/etc\/prepare-root\/prepare-root\.conf:2: .*transent.*transient/);
    expect(h.stderr).toContain('E: prepare-root: the plain-boot config above would fail the boot');
  });
});
