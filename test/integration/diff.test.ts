// `prepare-root diff` on real overlays: every kind of change made through a mounted overlay
// (metacopy and redirect_dir on, as composefs and prepare-root's transient roots use) is
// reported exactly, with the overlay mounted and after it is unmounted.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { OURS, WITH_COMPOSEFS_IMAGE, isRoot, ours, runScenario } from './harness.js';

const SCRIPT = `set -euo pipefail
W=$(mktemp -d /tmp/prepare-root-diff.XXXXXX); trap 'cd /; umount -R "$W" 2>/dev/null; rmdir "$W"' EXIT
mount -t tmpfs diff "$W"; cd "$W"
mkdir -p L/d L/e L/r L/keep U W M
echo hello > L/a; echo bye > L/b; echo x > L/d/x; echo z > L/e/z; echo q > L/r/q; echo m > L/m; chmod 644 L/m; echo w > L/xw
mount -t overlay -o lowerdir=$W/L,upperdir=$W/U,workdir=$W/W,metacopy=on,redirect_dir=on overlay M
echo new > M/new                    # added
echo more >> M/a                    # modified (data copy-up)
chmod 600 M/m                       # metadata only (metacopy)
rm M/b                              # deleted (whiteout char device)
rm -r M/e                           # deleted directory
rm -r M/r; mkdir M/r; echo q2 > M/r/q2   # replaced directory (opaque) with a new file
mv M/d M/d2                         # renamed directory (redirect) + whiteout at the old name
mkdir M/newdir; echo f > M/newdir/f # added directory with a file
# The xattr form of a whiteout (what nested overlays and composefs images use), made by hand:
touch U/xw; setfattr -n trusted.overlay.whiteout U/xw
echo "### mounted"; "$APP" diff --upper "$W/U" --lower "$W/L" --json
echo "### mounted-text"; "$APP" diff --upper "$W/U" --lower "$W/L" /r /new
umount M
echo "### unmounted"; "$APP" diff --upper "$W/U" --lower "$W/L" --json`;

const validate = new Ajv2020({ strict: true }).compile(
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../docs/diff.schema.json'), 'utf8')),
);

function sections(out: string): Record<string, string> {
  return Object.fromEntries(
    out
      .split(/^### /m)
      .slice(1)
      .map((s) => [s.slice(0, s.indexOf('\n')), s.slice(s.indexOf('\n') + 1).trim()]),
  );
}

describe.skipIf(!isRoot())('diff --upper --lower', () => {
  it('reports added, modified, metadata-only, deleted (both forms), replaced and renamed entries', () => {
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', SCRIPT], {
      encoding: 'utf8',
      env: { ...process.env, APP: OURS },
    });
    expect(r.status, r.stderr).toBe(0);
    const s = sections(r.stdout);
    const mounted = JSON.parse(s.mounted!);
    expect(validate(mounted), JSON.stringify(validate.errors)).toBe(true);
    expect(mounted.changes).toEqual([
      { path: '/a', kind: 'modified', type: 'file', size: 11 },
      { path: '/b', kind: 'deleted', type: 'file', size: 4 },
      { path: '/d', kind: 'deleted', type: 'dir', size: expect.any(Number) },
      { path: '/d2', kind: 'added', type: 'dir', size: 0, from: '/d' },
      { path: '/e', kind: 'deleted', type: 'dir', size: expect.any(Number) },
      { path: '/m', kind: 'metadata', type: 'file', size: 0 },
      { path: '/new', kind: 'added', type: 'file', size: 4 },
      { path: '/newdir', kind: 'added', type: 'dir', size: 0 },
      { path: '/newdir/f', kind: 'added', type: 'file', size: 2 },
      { path: '/r', kind: 'replaced', type: 'dir', size: 0 },
      { path: '/r/q2', kind: 'added', type: 'file', size: 3 },
      { path: '/xw', kind: 'deleted', type: 'file', size: 2 },
    ]);
    expect(mounted.summary).toEqual({ added: 5, modified: 1, metadata: 1, deleted: 4, replaced: 1, bytes: 20 });
    expect(JSON.parse(s.unmounted!)).toEqual(mounted);
    expect(s['mounted-text']!.split('\n')).toEqual([
      '3 changes (7 bytes): 2 added, 0 modified, 0 metadata only, 0 deleted, 1 directories replaced',
      'added    file             4  /new',
      'replaced dir              0  /r',
      'added    file             3  /r/q2',
    ]);
  });

  it('refuses a missing upper, naming it', () => {
    const r = spawnSync(OURS, ['diff', '--upper', '/nonexistent/upper', '--lower', '/'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('prepare-root: /nonexistent/upper: does not exist');
  });
});

describe.skipIf(!isRoot())('diff and status on a prepared transient root', () => {
  it('composefs transient root: compared with the deployment checkout, since the image is not mounted any more', () => {
    const [r] = runScenario({
      setup: WITH_COMPOSEFS_IMAGE,
      runs: [
        {
          impl: ours(),
          conf: '[composefs]\nenabled=yes\n[root]\ntransient=true\n',
          check:
            'echo data > /sysroot/usr/lib/new.txt; rm /sysroot/usr/lib/hello.txt; /prep/bin diff --root /sysroot --json',
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    const diff = JSON.parse(r!.check);
    expect(validate(diff), JSON.stringify(validate.errors)).toBe(true);
    expect(diff.overlays).toEqual([
      {
        path: '/',
        upper: '/run/ostree/.private/root/upper',
        lower: ['/sysroot/sysroot/ostree/deploy/probeos/deploy/CSUM.0'],
      },
    ]);
    expect(diff.changes).toEqual([
      { path: '/usr/lib/hello.txt', kind: 'deleted', type: 'file', size: 26 },
      { path: '/usr/lib/new.txt', kind: 'added', type: 'file', size: 5 },
    ]);
  });

  it('lists exactly what / and /etc writes will lose, and status shows the overlays and tmpfs use', () => {
    const [r] = runScenario({
      runs: [
        {
          impl: ours(),
          conf: '[root]\ntransient=true\ntransient-size=8M\n[sysroot]\nreadonly=true\n[etc]\ntransient=true\n',
          check: `echo data > /sysroot/usr/lib/new.txt; echo changed >> /sysroot/usr/lib/hello.txt; rm /sysroot/usr/lib/modules/6.1.0-test/vmlinuz
echo host2 > /sysroot/etc/hostname; rm /sysroot/etc/passwd
echo "### diff"; /prep/bin diff --root /sysroot --json
echo "### diff-etc"; /prep/bin diff --root /sysroot /etc
echo "### status"; /prep/bin status --root /sysroot --json`,
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    const s = sections(r!.check);
    const diff = JSON.parse(s.diff!);
    expect(validate(diff), JSON.stringify(validate.errors)).toBe(true);
    // Directories copied up only because something below changed are not changes themselves.
    expect(diff.changes).toEqual([
      { path: '/usr/lib/hello.txt', kind: 'modified', type: 'file', size: 34 },
      { path: '/usr/lib/modules/6.1.0-test/vmlinuz', kind: 'deleted', type: 'file', size: 12 },
      { path: '/usr/lib/new.txt', kind: 'added', type: 'file', size: 5 },
      { path: '/etc/hostname', kind: 'modified', type: 'file', size: 6 },
      { path: '/etc/passwd', kind: 'deleted', type: 'file', size: 30 },
    ]);
    expect(s['diff-etc']!.split('\n')[0]).toBe(
      '2 changes (6 bytes): 0 added, 1 modified, 0 metadata only, 1 deleted, 0 directories replaced',
    );
    const status = JSON.parse(s.status!);
    expect(status.mode).toBe('transient');
    expect(
      status.overlays.map(
        (o: { path: string; transient: boolean; backing: { fstype: string; mountpoint: string } }) => [
          o.path,
          o.transient,
          o.backing.fstype,
          o.backing.mountpoint,
        ],
      ),
    ).toEqual([
      ['/', true, 'tmpfs', '/run/ostree/.private/root'],
      ['/etc', true, 'tmpfs', '/run'],
    ]);
  });
});
