// [persist] paths on real sysroots: the first boot seeds each store from the image (mode and
// xattrs kept), later boots keep what was written there, while every other write to a transient
// / or /etc is gone. Bad paths are refused before anything is mounted.
import { describe, expect, it } from 'vitest';
import { WITH_COMPOSEFS_IMAGE, isRoot, ours, runScenario } from './harness.js';

const CONF =
  '[root]\ntransient=true\n[sysroot]\nreadonly=true\n[etc]\ntransient=true\n[persist]\npaths=/etc/ssh;/data;/usr/lib/hello.txt\n';
const STORE = '/sysroot/sysroot/ostree/deploy/probeos/var/lib/prepare-root/persist';

const FIRST_BOOT = `stat -c "%a %n" /sysroot/etc/ssh/ssh_host_key ${STORE}/etc/ssh/ssh_host_key
getfattr --absolute-names --only-values -n user.prepare-root-test ${STORE}/etc/ssh/ssh_host_key; echo
ls -A /sysroot/data | wc -l
echo new > /sysroot/etc/ssh/new_key; echo f > /sysroot/data/f; echo appended >> /sysroot/usr/lib/hello.txt
echo lost > /sysroot/etc/lost; echo lost > /sysroot/usr/lost
tr -d ' \\n' < /run/prepare-root/status.json | grep -o '"persisted":\\[[^]]*\\]'`;

const SECOND_BOOT = `for f in etc/ssh/new_key etc/ssh/ssh_host_key data/f etc/lost usr/lost; do [ -e /sysroot/$f ] && echo "kept $f" || echo "gone $f"; done
tail -1 /sysroot/usr/lib/hello.txt`;

describe.skipIf(!isRoot())('[persist] paths', () => {
  it('seeds on the first boot, keeps on the next, while other transient writes vanish', () => {
    const [first, second] = runScenario({
      runs: [
        { impl: ours(), conf: CONF, check: FIRST_BOOT },
        { impl: ours(), conf: CONF, check: SECOND_BOOT },
      ],
    });
    expect(first!.rc, first!.stderr).toBe(0);
    expect(first!.check.split('\n')).toEqual([
      '600 /sysroot/etc/ssh/ssh_host_key',
      `600 ${STORE}/etc/ssh/ssh_host_key`,
      'kept',
      '0',
      '"persisted":[{"path":"/etc/ssh","store":"/sysroot/ostree/deploy/probeos/var/lib/prepare-root/persist/etc/ssh"},{"path":"/data","store":"/sysroot/ostree/deploy/probeos/var/lib/prepare-root/persist/data"},{"path":"/usr/lib/hello.txt","store":"/sysroot/ostree/deploy/probeos/var/lib/prepare-root/persist/usr/lib/hello.txt"}]',
    ]);
    expect(first!.mounts.filter((m) => m.includes('persist'))).toEqual([
      '/sysroot/etc/ssh /ostree/deploy/probeos/var/lib/prepare-root/persist/etc/ssh tmpfs rw,relatime private',
      '/sysroot/data /ostree/deploy/probeos/var/lib/prepare-root/persist/data tmpfs rw,relatime private',
      '/sysroot/usr/lib/hello.txt /ostree/deploy/probeos/var/lib/prepare-root/persist/usr/lib/hello.txt tmpfs rw,relatime private',
    ]);
    expect(second!.rc, second!.stderr).toBe(0);
    expect(second!.check.split('\n')).toEqual([
      'kept etc/ssh/new_key',
      'kept etc/ssh/ssh_host_key',
      'kept data/f',
      'gone etc/lost',
      'gone usr/lost',
      'appended',
    ]);
  });

  it.each([
    [
      'a path that resolves into /var through a symlink',
      '[persist]\npaths=/root\n',
      {},
      'prepare-root: persist.paths: /root: resolves to /var/roothome in the image, under /var, which already persists',
    ],
    [
      'a path missing from a read-only composefs image',
      '[composefs]\nenabled=yes\n[persist]\npaths=/data\n',
      { setup: WITH_COMPOSEFS_IMAGE },
      'prepare-root: persist.paths: /data: /data is not in the image, and a read-only composefs root cannot get a mount point for it (add it to the image, or use root.transient)',
    ],
    [
      'a path under /var',
      '[persist]\npaths=/var/lib/app\n',
      {},
      'prepare-root: /etc/ostree/prepare-root.conf:2: persist.paths: “/var/lib/app” is under /var, which already persists',
    ],
  ])('refuses %s before mounting anything', (_, conf, scenario, message) => {
    const [r] = runScenario({ ...scenario, runs: [{ impl: ours(), conf }] });
    expect(r!.rc).toBe(1);
    expect(r!.stderr.split('\n').filter((l) => !l.includes('warning:'))).toEqual([message]);
    expect(r!.mounts).toEqual(['/sysroot / tmpfs rw,relatime private']);
  });
});

describe.skipIf(!isRoot())('seeding a persisted path is all or nothing', () => {
  it('a disk that fills up during the copy: the boot fails, nothing half-copied is left, the next boot seeds again', () => {
    const conf = '[root]\ntransient=true\n[persist]\npaths=/etc/ssh\n';
    const store = '/sysroot/ostree/deploy/probeos/var/lib/prepare-root/persist/etc';
    const [full, next] = runScenario({
      runs: [
        {
          impl: ours(),
          conf,
          wrap: 'strace -qq -o /dev/null -e trace=copy_file_range -e inject=copy_file_range:error=ENOSPC:when=1',
          check: `[ ! -e ${store} ] || ls -A ${store}`,
        },
        {
          impl: ours(),
          conf,
          check: `ls -A ${store}; cat /sysroot/etc/ssh/ssh_host_key; stat -c %a /sysroot/etc/ssh/ssh_host_key`,
        },
      ],
    });
    expect(full!.rc).toBe(1);
    expect(
      full!.stderr
        .split('\n')
        .filter((l) => !l.includes('warning:'))
        .join('\n'),
    ).toMatch(
      /^prepare-root: step seed-persist-store-0: cp -a \/sysroot\.tmp\/etc\/ssh \S+\/persist\/etc\/ssh .*: No space left on device; rolled back \d+ completed steps$/,
    );
    expect(full!.check).toBe(''); // neither the store nor its temporary copy (nor the dirs made for them)
    expect(next!.rc, next!.stderr).toBe(0);
    expect(next!.check.split('\n')).toEqual(['ssh', 'host key 1', '600']);
  });
});
