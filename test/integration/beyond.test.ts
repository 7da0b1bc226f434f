// What prepare-root does beyond (or deliberately unlike) ostree-prepare-root, on real sysroots
// with real mounts: transient roots without composefs, re-runs, the run lock, an existing
// /run/ostree, the initramfs-mount-var marker, and pivot mode.
import { describe, expect, it } from 'vitest';
import { parseVarDict } from '../../src/formats/gvariant.js';
import { isRoot, ours, reference, runScenario, unordered } from './harness.js';

const DEPLOYMENT = '/sysroot/sysroot/ostree/deploy/probeos/deploy/*.0';
const STATE_VAR = '/sysroot/sysroot/ostree/deploy/probeos/var';
const UPPER = '/run/ostree/.private/root/upper';

// Write through the prepared root, then report where each write landed.
const WRITE_AND_LOCATE = `
echo usr > /sysroot/usr/lib/new-in-usr; echo root > /sysroot/new-at-root
echo etc > /sysroot/etc/new-in-etc; echo var > /sysroot/var/new-in-var
D=$(echo ${DEPLOYMENT})
for f in usr/lib/new-in-usr new-at-root etc/new-in-etc; do
  [ -e ${UPPER}/$f ] && echo "tmpfs:$f"; [ -e "$D/$f" ] && echo "deployment:$f"
done
[ -e ${STATE_VAR}/new-in-var ] && echo stateroot-var:new-in-var
findmnt -rno FSTYPE,FS-OPTIONS /run/ostree/.private/root
true`;

const AFTER_REBOOT = `for f in usr/lib/new-in-usr new-at-root etc/new-in-etc var/new-in-var; do [ -e /sysroot/$f ] && echo "kept:$f"; done; true`;

function booted(hex: string | null) {
  return parseVarDict(
    Uint8Array.from(
      (hex ?? '')
        .split(' ')
        .filter(Boolean)
        .map((h) => parseInt(h, 16)),
    ),
  );
}

describe.skipIf(!isRoot())('transient root without composefs', () => {
  it('root.transient: / and /usr writes go to the sized tmpfs and vanish at reboot; /etc and /var persist', () => {
    const conf = '[root]\ntransient=true\ntransient-size=64M\n';
    const [first, reboot, ref] = runScenario({
      runs: [
        { impl: ours(), conf, mountVar: true, check: WRITE_AND_LOCATE },
        { impl: ours(), conf, mountVar: true, check: AFTER_REBOOT },
        { impl: reference(), conf },
      ],
    });
    expect(ref!.rc).toBe(1);
    expect(ref!.stderr).toMatch(/: Must enable composefs with root\.transient$/);
    expect(first!.rc, first!.stderr).toBe(0);
    expect(first!.check.split('\n')).toEqual([
      'tmpfs:usr/lib/new-in-usr',
      'tmpfs:new-at-root',
      'deployment:etc/new-in-etc',
      'stateroot-var:new-in-var',
      'tmpfs rw,size=65536k,mode=755',
    ]);
    expect(unordered(first!.mounts)).toEqual(
      unordered([
        '/sysroot / overlay rw,relatime private',
        '/sysroot/etc /ostree/deploy/probeos/deploy/CSUM.0/etc tmpfs rw,relatime private',
        '/sysroot/sysroot / tmpfs rw,relatime private',
        '/sysroot/var /ostree/deploy/probeos/var tmpfs rw,relatime shared',
      ]),
    );
    expect(first!.fsOptions[0]).toBe(
      '/sysroot overlay rw,lowerdir=/sysroot/ostree/deploy/probeos/deploy/CSUM.0,upperdir=/run/ostree/.private/root/upper,workdir=/run/ostree/.private/root/work,uuid=on',
    );
    expect(booted(first!.ostreeBooted).map(([k, v]) => [k, v.type === 'b' ? v.value : v.type])).toEqual([
      ['backing-root-device-inode', '(tt)'],
      ['root.transient', true],
      ['root.transient-ro', false],
      ['sysroot-ro', false],
    ]);
    expect(reboot!.check.split('\n')).toEqual(['kept:etc/new-in-etc', 'kept:var/new-in-var']);
  });

  it('root.transient-ro: / is read-only, /etc writable, a private namespace can remount / rw', () => {
    const [r] = runScenario({
      runs: [
        {
          impl: ours(),
          conf: '[root]\ntransient-ro=true\n',
          check: `touch /sysroot/x 2>/dev/null && echo root-writable || echo root-readonly
touch /sysroot/etc/x && echo etc-writable
unshare -m sh -c 'mount -o remount,rw /sysroot && touch /sysroot/private-write && echo remounted-rw'
touch /sysroot/y 2>/dev/null && echo root-writable-after || echo root-still-readonly`,
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    expect(r!.mounts[0]).toBe('/sysroot / overlay ro,relatime private');
    expect(r!.check.split('\n')).toEqual(['root-readonly', 'etc-writable', 'remounted-rw', 'root-still-readonly']);
    expect(booted(r!.ostreeBooted).find(([k]) => k === 'root.transient-ro')?.[1]).toEqual({ type: 'b', value: true });
  });

  it('root.transient with sysroot.readonly and etc.transient: every /etc write lands in tmpfs too', () => {
    const [r] = runScenario({
      runs: [
        {
          impl: ours(),
          conf: '[root]\ntransient=true\n[sysroot]\nreadonly=true\n[etc]\ntransient=true\n',
          check:
            'echo x > /sysroot/etc/new; ls /run/ostree/transient-etc.*/upper; touch /sysroot/sysroot/x 2>/dev/null || echo sysroot-ro',
        },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    expect(r!.check.split('\n')).toEqual(['new', 'sysroot-ro']);
    expect(r!.mounts.map((m) => m.split(' ').slice(0, 3).join(' '))).toEqual([
      '/sysroot / overlay',
      '/sysroot/etc / overlay',
      '/sysroot/sysroot / tmpfs',
      '/sysroot/sysroot/ostree/deploy/probeos/var /ostree/deploy/probeos/var tmpfs',
    ]);
  });
});

describe.skipIf(!isRoot())('composefs keys are read only when signing is in effect', () => {
  it('config signed, karg composefs=0, no key file: ostree fails reading keys it will not use; we boot legacy', () => {
    const setup = 'sed -i "s/$/ ostree.prepare-root.composefs=0/" "$CMDLINE_FILE"';
    const [ref, us] = runScenario({
      setup,
      runs: [
        { impl: reference(), conf: '[composefs]\nenabled=signed\n' },
        { impl: ours(), conf: '[composefs]\nenabled=signed\n' },
      ],
    });
    expect(ref!.rc).toBe(1);
    expect(ref!.stderr).toMatch(/Reading public key file '\/etc\/ostree\/initramfs-root-binding\.key'/);
    expect(us!.rc, us!.stderr).toBe(0);
    expect(us!.mounts[0]).toBe('/sysroot /ostree/deploy/probeos/deploy/CSUM.0 tmpfs rw,relatime private');
  });
});

describe.skipIf(!isRoot())('errors reach the console', () => {
  it('control characters from the input are escaped and a long line is cut, on stderr and in /dev/kmsg alike', () => {
    // A value with an escape sequence and a newline escape, and a kernel argument of 3000 bytes.
    const conf = `[sysroot]\nreadonly=\x1b[2Jyes\n`;
    const [bad, long] = runScenario({
      runs: [
        { impl: ours(), conf, check: 'cat /tmp/kmsg' },
        { impl: ours(), args: [`ostree.prepare-root.composefs=${'x'.repeat(3000)} ostree=/x`], check: 'cat /tmp/kmsg' },
      ],
    });
    expect(bad!.rc).toBe(1);
    const line =
      'prepare-root: /etc/ostree/prepare-root.conf:2: sysroot.readonly: value “\\x1b[2Jyes” is not a boolean (use true/false/1/0)';
    expect(bad!.stderr).toBe(line);
    expect(bad!.check).toBe(`<3>${line}`);
    expect(long!.rc).toBe(1);
    expect(new TextEncoder().encode(long!.stderr).length).toBeLessThanOrEqual(1000);
    expect(long!.stderr).toMatch(
      /^prepare-root: kernel argument ostree\.prepare-root\.composefs: invalid value “x+… \(\d+ more bytes\)$/,
    );
    expect(long!.check).toBe(`<3>${long!.stderr}`);
  });

  it('the one-line error also goes to /dev/kmsg at error level', () => {
    const [r] = runScenario({
      cmdline: 'ostree=/ostree/boot.1/nonexistent/0 quiet',
      runs: [{ impl: ours(), check: 'cat /tmp/kmsg' }],
    });
    expect(r!.rc).toBe(1);
    expect(r!.check).toBe(
      '<3>prepare-root: deployment ostree=/ostree/boot.1/nonexistent/0: /sysroot/ostree/boot.1/nonexistent/0 does not exist',
    );
  });
});

describe.skipIf(!isRoot())('re-runs, locks and existing state', () => {
  it('a second run after success exits 0 and mounts nothing twice', () => {
    const [r] = runScenario({
      runs: [
        {
          impl: ours(),
          conf: '[sysroot]\nreadonly=true\n',
          check:
            'before=$(findmnt -rn | md5sum); /prep/bin /sysroot; echo "rc=$?"; [ "$before" = "$(findmnt -rn | md5sum)" ] && echo same-mounts',
        },
      ],
    });
    expect(r!.rc).toBe(0);
    expect(r!.check).toBe(
      'prepare-root: /sysroot is already prepared (/run/ostree-booted exists and /sysroot/sysroot is mounted); nothing to do\nrc=0\nsame-mounts',
    );
  });

  it('an existing /run/ostree with the initramfs-mount-var marker: ostree fails, we mount /var slave+shared', () => {
    const [ref, us] = runScenario({
      runs: [
        { impl: reference(), mountVar: true },
        { impl: ours(), mountVar: true },
      ],
    });
    expect(ref!.rc).toBe(1);
    expect(ref!.stderr).toMatch(/: Failed to create \/run\/ostree: File exists$/);
    expect(us!.rc, us!.stderr).toBe(0);
    // make-slave on a private mount leaves it without a master, then make-shared: as ostree would.
    expect(us!.mounts).toContain('/sysroot/var /ostree/deploy/probeos/var tmpfs rw,relatime shared');
    expect(us!.run).toContain('-rw-r--r-- /run/ostree/initramfs-mount-var');
  });

  it('a live lock holder makes the run fail without touching anything; a stale lock file is taken over', () => {
    // A live holder: another process holding the lock (flock) with its pid in the file.
    const holder = `mkdir -p /run/prepare-root; flock /run/prepare-root/lock sh -c 'echo $$ > /run/prepare-root/lock; exec sleep 60' >/dev/null 2>&1 &
for i in $(seq 100); do [ -s /run/prepare-root/lock ] && break; sleep 0.05; done`;
    const [live, stale] = runScenario({
      runs: [
        { impl: ours(), pre: holder, check: 'kill $(cat /run/prepare-root/lock)' },
        // What a run killed with SIGKILL leaves: the file, with nobody holding the lock.
        { impl: ours(), pre: 'mkdir -p /run/prepare-root; echo 999999 > /run/prepare-root/lock' },
      ],
    });
    expect(live!.rc).toBe(1);
    expect(live!.stderr).toMatch(
      /^prepare-root: lock \/run\/prepare-root\/lock: another prepare-root \(pid \d+\) is running$/,
    );
    expect(live!.mounts).toEqual(['/sysroot / tmpfs rw,relatime private']);
    expect(live!.ostreeBooted).toBeNull();
    expect(stale!.rc, stale!.stderr).toBe(0);
    expect(stale!.run).not.toContain('-rw-r--r-- /run/prepare-root/lock');
  });

  it('status.json records mode, plan, executed steps and warnings', () => {
    const [r] = runScenario({
      runs: [
        {
          impl: ours(),
          conf: '[etc]\ntransient=true\n[sysroot]\nread-only=true\n',
          check: 'cat /run/prepare-root/status.json',
        },
      ],
    });
    expect(r!.rc).toBe(0);
    const status = JSON.parse(r!.check);
    expect(status).toMatchObject({
      schema: 1,
      result: 'prepared',
      sysroot: '/sysroot',
      handover: 'systemd',
      configFile: '/etc/ostree/prepare-root.conf',
      mode: 'legacy',
      deployment: 'ostree/deploy/probeos/deploy/CSUM.0',
      sysrootReadonly: false,
      error: null,
      ostreeBooted: { 'root.transient': false, 'root.transient-ro': false, 'sysroot-ro': false },
      warnings: [
        {
          where: '/etc/ostree/prepare-root.conf:4',
          message: 'unknown key sysroot.read-only is ignored (did you mean sysroot.readonly?)',
        },
        {
          where: 'etc.transient',
          message: 'has no effect unless sysroot.readonly or root.transient is set (as in ostree)',
        },
      ],
    });
    expect(status.executed.map((s: { status: string }) => s.status)).toEqual(status.plan.map(() => 'done'));
    expect(r!.stderr.split('\n')).toEqual([
      'prepare-root: warning: /etc/ostree/prepare-root.conf:4: unknown key sysroot.read-only is ignored (did you mean sysroot.readonly?)',
      'prepare-root: warning: etc.transient: has no effect unless sysroot.readonly or root.transient is set (as in ostree)',
    ]);
  });
});

describe.skipIf(!isRoot())('pivot mode', () => {
  it('prepares, moves /proc /dev /run into the new root, switches root and runs its init', () => {
    const [r] = runScenario({ runs: [{ impl: ours(), pivot: true, conf: '[sysroot]\nreadonly=true\n' }] });
    const out = r!.pivotOutput;
    expect(out).toContain('prepare-root: switching root to /sysroot and executing /sbin/init');
    const afterInit = out.slice(out.indexOf('PREPARE_ROOT_TEST_INIT_OK'));
    expect(afterInit).toMatch(/^PREPARE_ROOT_TEST_INIT_OK pid=\d+\n/);
    // The init's own view of its mounts: target → (root inside the fs, options)
    const mounts = new Map(
      afterInit
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((l) => {
          const f = l.split(' ');
          return [f[4]!, `${f[3]!.replace(/[0-9a-f]{64}/, 'CSUM')} ${f[5]}`] as const;
        }),
    );
    expect(mounts.get('/')).toBe('/ostree/deploy/probeos/deploy/CSUM.0 rw,relatime');
    expect(mounts.get('/usr')).toBe('/ostree/deploy/probeos/deploy/CSUM.0/usr ro,relatime');
    expect(mounts.get('/etc')).toBe('/ostree/deploy/probeos/deploy/CSUM.0/etc rw,relatime');
    expect(mounts.get('/sysroot')).toBe('/ ro,relatime');
    for (const api of ['/proc', '/dev', '/run']) expect(mounts.has(api), api).toBe(true);
  });

  it("as PID 1 (exec'd by a script /init after mounting /sysroot), switches root without --pivot", () => {
    const [r] = runScenario({ runs: [{ impl: ours(), pid1: true }] });
    expect(r!.pivotOutput).toContain('prepare-root: switching root to /sysroot and executing /sbin/init');
    // switch_root exec'd init in our place: it is PID 1 of the namespace.
    expect(r!.pivotOutput).toMatch(/^PREPARE_ROOT_TEST_INIT_OK pid=1$/m);
  });

  const BROKEN =
    'prepare-root: /etc/ostree/prepare-root.conf:2: root.transient: value “ture” is not a boolean (use true/false/1/0)';

  it('as PID 1, a failed prepare never exits (no kernel panic): the error, an emergency shell; fixed there, exiting the shell tries again and boots', () => {
    const [r] = runScenario({
      runs: [
        {
          impl: ours(),
          pid1: true,
          conf: '[root]\ntransient=ture\n',
          console:
            "echo EMERGENCY-SHELL-UP pid=$$\nprintf '[root]\\ntransient=true\\n' > /etc/ostree/prepare-root.conf\nsleep 3\nexit\n",
        },
      ],
    });
    const lines = r!.pivotOutput.split('\n');
    const at = (text: string) => lines.findIndex((l) => l.startsWith(text));
    expect(lines[0]).toBe(BROKEN);
    expect(lines[1]).toBe(
      'prepare-root: the boot cannot go on; starting an emergency shell (/bin/sh): fix the cause and exit the shell to try again, or reboot (reboot -f) and add rd.prepare-root=off (a plain root) or pick the previous deployment (ostree)',
    );
    expect(lines[2]).toMatch(/^EMERGENCY-SHELL-UP pid=\d+$/);
    expect(lines[2]).not.toBe('EMERGENCY-SHELL-UP pid=1');
    expect(at('prepare-root: the emergency shell exited: trying again')).toBe(3);
    expect(at('prepare-root: preparing /sysroot: transient root')).toBeGreaterThan(3);
    expect(r!.pivotOutput).toMatch(/^PREPARE_ROOT_TEST_INIT_OK pid=1$/m);
  });

  it('as PID 1 with no console for a shell: holds with the message on the console instead of exiting', () => {
    const [r] = runScenario({ runs: [{ impl: ours(), pid1: true, conf: '[root]\ntransient=ture\n', seconds: 6 }] });
    const lines = r!.pivotOutput.trim().split('\n');
    expect(lines[0]).toBe(BROKEN);
    expect(lines.at(-1)).toMatch(
      /^prepare-root: the emergency shell ended at once \(status 0\): no console to read from; holding here so that the error above stays on the console/,
    );
    // Killed by the harness after 6 s: still running, so it never exited.
    expect(r!.pid1Exit).toBe(137);
  });

  it("--init without --pivot (dracut's shell flavour prepares in a child, then hands over): checks init, records the pivot hand-over", () => {
    const [r, missing] = runScenario({
      runs: [
        { impl: ours(), args: ['--init', '/sbin/init'], check: 'cat /run/prepare-root/status.json' },
        { impl: ours(), args: ['--init', '/no/such/init'] },
      ],
    });
    expect(r!.rc, r!.stderr).toBe(0);
    expect(JSON.parse(r!.check)).toMatchObject({ result: 'prepared', handover: 'pivot' });
    expect(missing!.rc).toBe(1);
    expect(missing!.stderr).toBe(
      'prepare-root: init /no/such/init: not found in the deployment ostree/deploy/probeos/deploy/CSUM.0 (pivot mode executes it after switching root)',
    );
    expect(missing!.mounts).toEqual(['/sysroot / tmpfs rw,relatime private']);
    expect(missing!.ostreeBooted).toBeNull();
  });

  it('refuses an init the deployment does not have before mounting anything', () => {
    const [r] = runScenario({ runs: [{ impl: ours(), args: ['--pivot', '--init', '/no/such/init'] }] });
    expect(r!.rc).toBe(1);
    expect(r!.stderr).toBe(
      'prepare-root: init /no/such/init: not found in the deployment ostree/deploy/probeos/deploy/CSUM.0 (pivot mode executes it after switching root)',
    );
    expect(r!.mounts).toEqual(['/sysroot / tmpfs rw,relatime private']);
    expect(r!.ostreeBooted).toBeNull();
  });
});
