// Without an initramfs: our binary as the kernel's init on a plain root (test/harness/run-as-init.sh:
// PID 1 of a new PID namespace, chrooted into a root on a disk filesystem, read-only as the kernel
// mounts it). It makes its own tmpfs root and API filesystems, prepares, and hands over to the
// real init with the kernel's arguments; nothing is written to the physical root; a failure is a
// line on the console and an emergency shell from the physical root, never the end of PID 1.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OURS, hostChangesSince, hostSnapshot, isRoot } from './harness.js';

const HARNESS = path.resolve(import.meta.dirname, '../harness');
const CONF = '/etc/prepare-root/prepare-root.conf';
/** The real init: what it was given, what / is, what the record says. */
const INIT = `#!/usr/bin/busybox sh
echo "INIT pid=$$ args=$*"
/usr/bin/busybox awk '$5 == "/" { for (i = 6; i <= NF; i++) if ($i == "-") print "ROOT", $(i + 1) }' /proc/self/mountinfo
/usr/bin/busybox grep -E '"(result|mode)"' /run/prepare-root/status.json | /usr/bin/busybox tr -d ' ,'
for m in / /etc /var /etc/ssh /home; do
  /usr/bin/busybox awk -v m="$m" '$5 == m { for (i = 6; i <= NF; i++) if ($i == "-") print "MOUNT", m, $(i + 1), substr($6, 1, 2) }' /proc/self/mountinfo
done
`;
const roots: string[] = [];

function plainRoot(conf: string | null): string {
  const root = mkdtempSync('/var/tmp/prepare-root-init.');
  roots.push(root);
  execFileSync('bash', [`${HARNESS}/mkplain.sh`, root]);
  writeFileSync(`${root}/usr/sbin/init`, INIT, { mode: 0o755 });
  execFileSync('ln', ['-s', 'busybox', `${root}/usr/bin/sh`]);
  execFileSync('mkdir', ['-p', `${root}/usr/lib/prepare-root`, `${root}/etc/prepare-root`]);
  writeFileSync(`${root}/usr/lib/prepare-root/prepare-root`, '');
  if (conf !== null) writeFileSync(`${root}${CONF}`, conf);
  return root;
}

/** Every entry of the tree, with mode, size and modification time: what must not change. */
const snapshot = (root: string) =>
  execFileSync('find', [root, '-printf', '%M %s %T@ %P\\n'], { encoding: 'utf8' }).split('\n').sort().join('\n');

function boot(
  root: string,
  opts: {
    args?: string[];
    ro?: boolean;
    proc?: boolean;
    console?: string;
    seconds?: number;
    stdio?: 'closed';
  } = {},
) {
  const env = {
    ...process.env,
    PREP: OURS,
    RO: opts.ro === false ? '0' : '1',
    PROC: opts.proc === true ? '1' : '0',
    SECONDS_LIMIT: String(opts.seconds ?? 60),
    STDIO: opts.stdio ?? '',
  };
  let consoleFile: string | undefined;
  if (opts.console !== undefined) {
    consoleFile = `${root}.console`;
    writeFileSync(consoleFile, opts.console);
  }
  const r = spawnSync('bash', [`${HARNESS}/run-as-init.sh`, root, ...(opts.args ?? [])], {
    encoding: 'utf8',
    env: { ...env, ...(consoleFile === undefined ? {} : { CONSOLE: consoleFile }) },
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  const exit = lines.at(-1);
  expect(lines.at(-2)).toBe('=== pid1-exit');
  const out = lines.slice(0, -2);
  return {
    lines: out.filter((l) => !l.startsWith('MOUNT ')),
    mounts: out.filter((l) => l.startsWith('MOUNT ')),
    exit: Number(exit),
  };
}

afterAll(() => {
  for (const r of roots) {
    rmSync(r, { recursive: true, force: true });
    rmSync(`${r}.console`, { force: true });
  }
});

describe.skipIf(!isRoot())('the kernel’s init, no initramfs', () => {
  it('root.transient on a read-only root: / an overlay, the init run as PID 1 with its arguments, the root unchanged', () => {
    const root = plainRoot('[root]\ntransient=true\n');
    const before = snapshot(root);
    const host = hostSnapshot();
    const { lines, exit } = boot(root, { args: ['single', 'splash'] });
    expect(lines.filter((l) => !l.includes('swap file'))).toEqual([
      'prepare-root: preparing plain root /sysroot: plain-transient, the physical root read-only at /run/prepare-root/physical-root',
      'prepare-root: notice: root.transient: changes to / (including /usr) are kept in memory and discarded at reboot; /etc and /var persist',
      'prepare-root: switching root to /sysroot and executing /sbin/init',
      'INIT pid=1 args=single splash',
      'ROOT overlay',
      '"result":"prepared"',
      '"mode":"plain-transient"',
    ]);
    expect(exit).toBe(0);
    expect(snapshot(root)).toBe(before);
    expect(hostChangesSince(host)).toEqual([]);
  });

  it.each([
    [
      'root.transient-ro',
      '[root]\ntransient-ro=true\n',
      'plain-transient-ro',
      ['MOUNT / overlay ro', 'MOUNT /etc ext4 rw', 'MOUNT /var ext4 rw'],
    ],
    [
      '/, /etc and /var transient',
      '[root]\ntransient=true\n[etc]\ntransient=true\n[var]\ntransient=true\n',
      'plain-transient',
      ['MOUNT / overlay rw', 'MOUNT /etc overlay rw', 'MOUNT /var overlay rw'],
    ],
    [
      'a persisted path in a transient /etc',
      '[root]\ntransient=true\n[etc]\ntransient=true\n[persist]\npaths=/etc/ssh\n',
      'plain-transient',
      ['MOUNT / overlay rw', 'MOUNT /etc overlay rw', 'MOUNT /var ext4 rw', 'MOUNT /etc/ssh ext4 rw'],
    ],
    [
      'a state overlay on /home',
      '[root]\ntransient=true\n[overlay /home]\nupper=state\n',
      'plain-transient',
      ['MOUNT / overlay rw', 'MOUNT /etc ext4 rw', 'MOUNT /var ext4 rw', 'MOUNT /home overlay rw'],
    ],
  ])('%s: as from an initramfs', (_, conf, mode, mounts) => {
    const root = plainRoot(conf);
    const r = boot(root);
    expect(r.lines).toContain('INIT pid=1 args=');
    expect(r.lines).toContain(`"mode":"${mode}"`);
    expect(r.mounts).toEqual(mounts);
    expect(r.exit).toBe(0);
  });

  it('no config: the root is left as it is and its init runs on it', () => {
    const root = plainRoot(null);
    const { lines, exit } = boot(root);
    expect(lines.filter((l) => !l.includes('swap file'))).toEqual([
      'prepare-root: plain root /sysroot left as it is: no /usr/lib/prepare-root/prepare-root.conf or /etc/prepare-root/prepare-root.conf and no rd.prepare-root= on the kernel command line: nothing asked for',
      'prepare-root: switching root to /sysroot and executing /sbin/init',
      'INIT pid=1 args=',
      'ROOT ext4',
      '"result":"untouched"',
      '"mode":null',
    ]);
    expect(exit).toBe(0);
  });

  it('no fds 0-2 (the kernel found no console): the console is opened on them, and the init gets them', () => {
    const root = plainRoot('[root]\ntransient=true\n');
    // Its exit status says what it got: 40 all three on the console and the root prepared.
    const check = [
      '#!/usr/bin/busybox sh',
      'for fd in 0 1 2; do [ "$(/usr/bin/busybox readlink /proc/$$/fd/$fd)" = /dev/console ] || exit 41; done',
      `/usr/bin/busybox grep -qE '"result": *"prepared"' /run/prepare-root/status.json || exit 42`,
      'exit 40',
      '',
    ].join('\n');
    writeFileSync(`${root}/usr/sbin/init`, check, { mode: 0o755 });
    const host = hostSnapshot();
    const { lines, exit } = boot(root, { stdio: 'closed' });
    expect(lines).toEqual([]); // all of it went to the console
    expect(exit).toBe(40);
    expect(hostChangesSince(host)).toEqual([]);
  });

  it('a broken config: the line on the console, a shell from the physical root; fixed there, exiting it boots', () => {
    const root = plainRoot('[root]\ntransiet=true\n');
    // A shell that ends at once would be taken for one without a console: this one takes a while.
    const fix = `echo SHELL-UP; printf '[root]\\ntransient=true\\n' > ${CONF}; /usr/bin/busybox sleep 3; exit\n`;
    const { lines, exit } = boot(root, { ro: false, console: fix });
    const error = `prepare-root: ${CONF}:2: unknown key root.transiet (did you mean root.transient?): a plain root boots only a config it fully understands`;
    expect(lines.slice(0, 4)).toEqual([
      error,
      'prepare-root: the boot cannot go on; starting an emergency shell (/bin/sh in the physical root): fix the cause and exit the shell to try again, or reboot (reboot -f) and add rd.prepare-root=off (a plain root) or pick the previous deployment (ostree)',
      'SHELL-UP',
      'prepare-root: the emergency shell exited: trying again',
    ]);
    expect(lines).toContain('INIT pid=1 args=');
    expect(lines).toContain('ROOT overlay');
    expect(exit).toBe(0);
  });

  it('a broken config and no console for a shell: it holds with the message, PID 1 never exits', () => {
    const root = plainRoot('[root]\ntransient=maybe\n');
    const { lines, exit } = boot(root, { seconds: 10 });
    expect(lines[0]).toBe(
      `prepare-root: ${CONF}:2: root.transient: value “maybe” is not a boolean (use true/false/1/0)`,
    );
    expect(lines.at(-1)).toMatch(
      /^prepare-root: the emergency shell ended at once \(status 0\): no console to read from; holding here/,
    );
    expect(exit).toBe(137);
  });

  it('after an initramfs (its /proc still mounted): the real init at once, nothing prepared', () => {
    const root = plainRoot('[root]\ntransient=true\n');
    const { lines, exit } = boot(root, { proc: true, args: ['single'] });
    expect(lines).toEqual([
      'prepare-root: an initramfs has prepared this root already: executing /sbin/init',
      'INIT pid=1 args=single',
      'ROOT ext4',
      'grep: /run/prepare-root/status.json: No such file or directory',
    ]);
    expect(exit).toBe(0);
  });
});

describe('plan and check-config without an initramfs', () => {
  function image(conf: string): string {
    const root = mkdtempSync('/var/tmp/prepare-root-image.');
    roots.push(root);
    execFileSync('bash', [`${HARNESS}/mkplain.sh`, root]);
    execFileSync('mkdir', ['-p', `${root}/etc/prepare-root`, `${root}/etc/ostree`]);
    writeFileSync(`${root}${CONF}`, conf);
    return root;
  }
  const run = (...args: string[]) => {
    const r = spawnSync(OURS, args, { encoding: 'utf8' });
    return { rc: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
  };

  it('plan --no-initramfs reads the config from the root it plans, not from this system', () => {
    const root = image('[root]\ntransient-ro=true\n');
    const r = run('plan', root, 'root=/dev/nvme0n1p2 ro', '--no-initramfs');
    expect(r.rc).toBe(0);
    expect(r.stdout.split('\n').slice(0, 6)).toEqual([
      `Plan for ${root}`,
      '  physical root:    /run/prepare-root/physical-root (read-only, plain root)',
      '  mode:             plain-transient-ro',
      '  selinux:          not enabled',
      `  config:           ${root}${CONF}`,
      'Steps:',
    ]);
    // Without the option, this system's own (absent) config: nothing to do.
    expect(run('plan', root, 'root=/dev/nvme0n1p2 ro').stdout).toMatch(/^Plan for .*: nothing to do \(no /);
  });

  it('check-config --boot KIND --root IMAGE reads the image’s files; --no-initramfs refuses composefs signed', () => {
    const root = image('[root]\ntransient=true\n');
    expect(run('check-config', '--boot', 'plain', '--root', root)).toEqual({
      rc: 0,
      stdout: `${root}${CONF}: ok for a plain boot`,
      stderr: '',
    });
    writeFileSync(`${root}/etc/ostree/prepare-root.conf`, '[composefs]\nenabled=signed\n');
    writeFileSync(`${root}/etc/ostree/initramfs-root-binding.key`, `${Buffer.alloc(32).toString('base64')}\n`);
    expect(run('check-config', '--boot', 'ostree', '--root', root).rc).toBe(0);
    expect(run('check-config', '--boot', 'ostree', '--root', root, '--no-initramfs')).toEqual({
      rc: 1,
      stdout: `${root}/etc/ostree/prepare-root.conf: an ostree boot would fail`,
      stderr:
        'prepare-root: composefs.enabled=signed: needs an initramfs: the signing keys must come from outside the root they verify, and without an initramfs there is nothing else (use verity, or boot with an initramfs)',
    });
  });

  it('--no-initramfs applies to plan and check-config --boot only', () => {
    expect(run('status', '--no-initramfs').stderr).toBe(
      'prepare-root: usage: --no-initramfs only applies to plan and check-config (see prepare-root status --help)',
    );
    expect(run('check-config', '--no-initramfs').stderr).toBe(
      'prepare-root: usage: --no-initramfs only applies with --boot (see prepare-root check-config --help)',
    );
  });
});
