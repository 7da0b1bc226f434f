// The built binary's command line: --help/--version, usage errors, check-config, and plan (as an
// unprivileged user, on a real sysroot).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OURS, isRoot, ours, runScenario } from './harness.js';

function run(...args: string[]) {
  const r = spawnSync(OURS, args, { encoding: 'utf8' });
  return { rc: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

const validateCheckConfig = new Ajv2020({ allErrors: true, strict: true }).compile(
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../docs/check-config.schema.json'), 'utf8')),
);

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'prepare-root-cli-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function confFile(text: string, name = 'prepare-root.conf'): string {
  const file = path.join(mkdtempSync(path.join(scratch, 'c-')), name);
  writeFileSync(file, text);
  return file;
}

describe('prepare-root binary', () => {
  it('--version names itself and the QuickJS it embeds', () => {
    expect(run('--version')).toEqual({ rc: 0, stdout: 'prepare-root 0.1.0 (QuickJS 2025-04-26)', stderr: '' });
  });

  it('checkpoint outside a prepare-root boot says what is missing', () => {
    expect(run('checkpoint')).toEqual({
      rc: 1,
      stdout: '',
      stderr:
        'prepare-root: checkpoint: this boot has no /run/prepare-root/status.json: it was not prepared by prepare-root',
    });
  });

  it('--help explains the commands and the config keys', () => {
    const r = run('--help');
    expect(r.rc).toBe(0);
    for (const word of [
      'prepare-root [run] SYSROOT',
      'plan SYSROOT',
      'check-config',
      '--pivot',
      'transient-size',
      '[etc] transient',
      'prepare-root relabel [--root DIR]',
    ]) {
      expect(r.stdout).toContain(word);
    }
  });

  it.each([
    [['--bogus'], 'prepare-root: usage: unknown option --bogus (see prepare-root --help)'],
    [['plan', '--config'], 'prepare-root: usage: --config needs a value (see prepare-root --help)'],
    [['--json=yes', '/sysroot'], 'prepare-root: usage: --json takes no value (see prepare-root --help)'],
    [[], 'prepare-root: usage: missing SYSROOT (see prepare-root run --help)'],
    [
      ['/sysroot', 'ostree=/x', 'extra'],
      'prepare-root: usage: unexpected argument "extra" (see prepare-root run --help)',
    ],
    [
      ['/sysroot', '--json'],
      'prepare-root: usage: --json only applies to plan, status, diff and check-config (see prepare-root run --help)',
    ],
    [
      ['plan', '/sysroot', '--root', '/x'],
      'prepare-root: usage: --root only applies to status, diff, checkpoint, relabel and check-config (see prepare-root plan --help)',
    ],
    [
      ['status', '--plain'],
      'prepare-root: usage: --plain and --chain only apply to check-config (see prepare-root status --help)',
    ],
    [
      ['status', '--upper', '/x'],
      'prepare-root: usage: --upper and --lower only apply to diff (see prepare-root status --help)',
    ],
    [['diff', '--upper', '/x'], 'prepare-root: usage: --upper and --lower go together (see prepare-root diff --help)'],
    [
      ['diff', 'relative/path'],
      'prepare-root: usage: PATH must be absolute: "relative/path" (see prepare-root diff --help)',
    ],
    [['status', 'extra'], 'prepare-root: usage: unexpected argument "extra" (see prepare-root status --help)'],
    [['checkpoint', 'extra'], 'prepare-root: usage: unexpected argument "extra" (see prepare-root checkpoint --help)'],
    // A word that is not a command is a mistyped one, never a SYSROOT to prepare.
    [['stauts'], 'prepare-root: usage: unknown command "stauts" (did you mean status?) (see prepare-root --help)'],
    [['sysroot'], 'prepare-root: usage: unknown command "sysroot" (see prepare-root --help)'],
    [
      ['run', 'sysroot'],
      'prepare-root: usage: SYSROOT must be an absolute path, not "sysroot" (see prepare-root run --help)',
    ],
    [
      ['plan', './sysroot'],
      'prepare-root: usage: SYSROOT must be an absolute path, not "./sysroot" (see prepare-root plan --help)',
    ],
    [
      ['check-config', '--get', 'x'],
      'prepare-root: usage: --get only applies with --boot (see prepare-root check-config --help)',
    ],
    [
      ['check-config', '--boot', 'debian'],
      'prepare-root: usage: --boot takes ostree or plain, not "debian" (see prepare-root check-config --help)',
    ],
    [
      ['check-config', '--boot', 'plain', '--get', 'root.transient'],
      'prepare-root: usage: --get takes composefs.keypath, composefs.enabled, root.upper-device, root.upper-fstype, not "root.transient" (see prepare-root check-config --help)',
    ],
    [
      ['check-config', '--boot', 'plain', '/some/file'],
      'prepare-root: usage: --boot reads the files the boot reads: no FILE, --plain or --chain with it (see prepare-root check-config --help)',
    ],
    [
      ['status', '--boot', 'plain'],
      'prepare-root: usage: --boot and --get only apply to check-config (see prepare-root status --help)',
    ],
  ])('usage error %j: exit 2, one line, nothing else', (args, message) => {
    expect(run(...args)).toEqual({ rc: 2, stdout: '', stderr: message });
  });

  it.each([
    ['status', 'prepare-root status [--json] [--root DIR]', 'Exit 3 when the boot'],
    [
      'check-config',
      'prepare-root check-config [FILE...] [--plain] [--chain] [--root IMAGE] [--json]',
      'check-config --boot ostree|plain [--root IMAGE] [--no-initramfs] [--get KEY]',
    ],
    ['run', 'prepare-root [run] SYSROOT', '--pivot'],
    ['plan', 'prepare-root plan SYSROOT', 'pasted into a shell'],
  ])('%s --help: that command alone', (command, usage, word) => {
    const r = run(command, '--help');
    expect(r.rc).toBe(0);
    expect(r.stdout.startsWith(`Usage:\n  ${usage}`)).toBe(true);
    expect(r.stdout).toContain(word);
    expect(r.stdout).toContain('Exit status: 0 success; 1 failure (one line says why); 2 usage error');
    // Only its own part: no other command's usage line.
    const others = ['status', 'check-config', 'plan', 'diff', 'checkpoint', 'relabel'].filter((c) => c !== command);
    for (const other of others) expect(r.stdout).not.toContain(`prepare-root ${other} `);
  });
});

describe('check-config', () => {
  it('a clean config: exit 0, says ok', () => {
    const f = confFile('[sysroot]\nreadonly=true\n[root]\ntransient=true\ntransient-size=2G\n');
    expect(run('check-config', f)).toEqual({ rc: 0, stdout: `${f}: ok`, stderr: '' });
  });

  it('warnings do not fail the lint', () => {
    const f = confFile('[sysroot]\nreadonly=true\n[var]\ntransient=true\n');
    expect(run('check-config', f)).toEqual({
      rc: 0,
      stdout: `${f}: ok`,
      stderr: `prepare-root: warning: ${f}:4: var.transient has no effect on an ostree boot`,
    });
  });

  it.each([
    ['ostree', [], `:4: unknown key root.transent (did you mean root.transient?): a boot would ignore it`],
    [
      'plain',
      ['--plain'],
      `:4: unknown key root.transent (did you mean root.transient?): a plain root boots only a config it fully understands`,
    ],
  ])('an unknown key is an error in an %s config, with the key meant', (_kind, flags, suffix) => {
    const f = confFile('[sysroot]\nreadonly=true\n[root]\ntransent=true\n');
    expect(run('check-config', ...flags, f)).toEqual({
      rc: 1,
      stdout: `${f}: 1 error`,
      stderr: `prepare-root: ${f}${suffix}`,
    });
  });

  it('an unknown group is an error too', () => {
    const f = confFile('[roots]\ntransient=true\n');
    expect(run('check-config', '--plain', f)).toMatchObject({
      rc: 1,
      stderr: `prepare-root: ${f}:2: unknown group [roots] (did you mean root.transient?): a plain root boots only a config it fully understands`,
    });
  });

  it('values are escaped and lines bounded, as boot messages are: nothing from a file drives the terminal', () => {
    const f = confFile(`[persist]\npaths=rel\x1b[31mative\r;/${'x'.repeat(3000)}\n`);
    const r = run('check-config', f);
    expect(r.rc).toBe(1);
    expect(r.stderr).toBe(`prepare-root: ${f}:2: persist.paths: “rel\\x1b[31mative\\r” is not an absolute path`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not appear
    expect(r.stderr + r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('reports every broken file, then fails', () => {
    const a = confFile('[sysroot]\nreadonly=yes\n', 'a.conf');
    const b = confFile('garbage\n', 'b.conf');
    const r = run('check-config', a, b);
    expect(r.rc).toBe(1);
    expect(r.stdout).toBe(`${a}: 1 error; ${b}: 1 error`);
    expect(r.stderr.split('\n')).toEqual([
      `prepare-root: ${a}:2: sysroot.readonly: value “yes” is not a boolean (use true/false/1/0)`,
      `prepare-root: ${b}:1: Key file contains line “garbage” which is not a key-value pair, group, or comment`,
    ]);
  });

  it('reports every finding of a file in one run, warnings and errors, in file order', () => {
    const f = confFile(
      '[etc]\ntransiet=true\n[persist]\npaths=relative\n[root]\ntransient=bogus\n[sysroot]\nreadonly=yes\n[etc]\ntransient=maybe\n',
    );
    const ok = confFile('[sysroot]\nreadonly=true\n', 'ok.conf');
    const r = run('check-config', '--chain', f, ok);
    expect(r.rc).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      `prepare-root: warning: ${f}: ignored entirely because ${ok} exists (no key-level merge, as in ostree); not set there, so lost: etc.transiet, etc.transient, persist.paths, root.transient`,
      `prepare-root: ${f}:2: unknown key etc.transiet (did you mean etc.transient?): a boot would ignore it`,
      `prepare-root: ${f}:4: persist.paths: “relative” is not an absolute path`,
      `prepare-root: ${f}:6: root.transient: value “bogus” is not a boolean (use true/false/1/0)`,
      `prepare-root: ${f}:8: sysroot.readonly: value “yes” is not a boolean (use true/false/1/0)`,
      `prepare-root: ${f}:10: etc.transient: value “maybe” is not a boolean (use true/false/1/0)`,
    ]);
    expect(r.stdout).toBe(`${f}: 5 errors; ${ok}: ok`);
  });

  it.each([
    ['[sysroot]\nreadonly=yes\n', ':2: sysroot.readonly: value “yes” is not a boolean (use true/false/1/0)'],
    ['[etc]\ntransient=maybe\n', ':2: etc.transient: value “maybe” is not a boolean (use true/false/1/0)'],
    [
      '[root]\ntransient=1\ntransient-ro=1\n',
      ':3: root.transient and root.transient-ro cannot both be set (transient-ro already implies a transient root)',
    ],
  ])('%j is an error', (text, suffix) => {
    const f = confFile(text);
    const r = run('check-config', f);
    expect(r.rc).toBe(1);
    expect(r.stderr.split('\n').at(-1)).toBe(`prepare-root: ${f}${suffix}`);
  });

  it('signed: the key file must be readable where the linter runs (the build root feeding the initramfs)', () => {
    const key = confFile(`${Buffer.alloc(32, 7).toString('base64')}\n`, 'binding.key');
    const good = confFile(`[composefs]\nenabled=signed\nkeypath=${key}\n`);
    expect(run('check-config', good)).toEqual({ rc: 0, stdout: `${good}: ok`, stderr: '' });
    const bad = confFile('[composefs]\nenabled=signed\nkeypath=/nonexistent/binding.key\n');
    expect(run('check-config', bad)).toEqual({
      rc: 1,
      stdout: `${bad}: 1 error`,
      stderr:
        'prepare-root: composefs.keypath /nonexistent/binding.key: composefs.enabled=signed needs the public keys here: No such file or directory',
    });
    const truncated = confFile(`${Buffer.alloc(31).toString('base64')}\n`, 'short.key');
    expect(run('check-config', confFile(`[composefs]\nenabled=signed\nkeypath=${truncated}\n`)).stderr).toBe(
      `prepare-root: ${truncated}:1: not an ed25519 public key (base64 of 32 bytes; this decodes to 31)`,
    );
  });

  it.each([
    [
      '[overlay /usr/local]\nupper=state\n[overlay /usr/local/share]\n',
      ':3: [overlay /usr/local/share] and [overlay /usr/local] overlap: declare one, or use the other as its lower',
    ],
    [
      '[overlay /usr/local]\nupper=transient\nvolatile=true\n',
      ':3: [overlay /usr/local] volatile: only applies to upper=state (a transient upper is gone at reboot anyway)',
    ],
    ['[overlay /usr/local]\nupper=tmpfs\n', ':2: [overlay /usr/local] upper: “tmpfs” is not state or transient'],
    ['[overlay /var/lib/x]\n', ':1: [overlay /var/lib/x]: “/var/lib/x” is under /var, which already persists'],
    [
      '[persist]\npaths=/etc;/etc/ssh\n',
      ':2: persist.paths: “/etc” and “/etc/ssh” overlap: persist only the outer one',
    ],
  ])('overlays and persisted paths: %j is an error', (text, suffix) => {
    const f = confFile(text);
    expect(run('check-config', f)).toMatchObject({ rc: 1, stderr: `prepare-root: ${f}${suffix}` });
  });

  it('a missing file is an error naming it', () => {
    expect(run('check-config', '/nonexistent/prepare-root.conf')).toEqual({
      rc: 1,
      stdout: '',
      stderr: 'prepare-root: /nonexistent/prepare-root.conf: cannot read config: No such file or directory',
    });
  });

  it('--chain: two files in boot order, says what the later one wipes out', () => {
    const usr = confFile('[sysroot]\nreadonly=true\n', 'usr.conf');
    const etc = confFile('[etc]\ntransient=true\n', 'etc.conf');
    expect(run('check-config', '--chain', usr, etc)).toEqual({
      rc: 0,
      stdout: `${usr}, ${etc}: ok`,
      stderr: `prepare-root: warning: ${usr}: ignored entirely because ${etc} exists (no key-level merge, as in ostree); not set there, so lost: sysroot.readonly`,
    });
  });

  it('several files without --chain: each on its own, nothing shadowed', () => {
    const usr = confFile('[sysroot]\nreadonly=true\n', 'usr.conf');
    const etc = confFile('[etc]\ntransient=true\n', 'etc.conf');
    expect(run('check-config', usr, etc)).toEqual({ rc: 0, stdout: `${usr}, ${etc}: ok`, stderr: '' });
  });

  it('--chain takes two files or more', () => {
    expect(run('check-config', '--chain', confFile('[root]\ntransient=true\n'))).toEqual({
      rc: 2,
      stdout: '',
      stderr:
        'prepare-root: usage: --chain takes two FILEs or more, in reading order (the /usr/lib one, then the /etc one) (see prepare-root check-config --help)',
    });
  });

  it('--json: every finding of every file, valid against docs/check-config.schema.json', () => {
    const bad = confFile('[root]\ntransiet=true\n[sysroot]\nreadonly=yes\n', 'bad.conf');
    const good = confFile('[root]\ntransient=true\n', 'good.conf');
    const r = run('check-config', '--plain', '--json', bad, good);
    expect(r.rc).toBe(1);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(validateCheckConfig(report), JSON.stringify(validateCheckConfig.errors)).toBe(true);
    expect(report).toEqual({
      ok: false,
      files: [
        {
          path: bad,
          kind: 'plain',
          errors: 2,
          findings: [
            {
              severity: 'error',
              where: `${bad}:2`,
              line: 2,
              message:
                'unknown key root.transiet (did you mean root.transient?): a plain root boots only a config it fully understands',
            },
            {
              severity: 'error',
              where: `${bad}:4`,
              line: 4,
              message: 'sysroot.readonly: value “yes” is not a boolean (use true/false/1/0)',
            },
          ],
        },
        { path: good, kind: 'plain', errors: 0, findings: [] },
      ],
    });
  });

  it('--root IMAGE: a signed config is checked against the keys in the image, not on this host', () => {
    const image = mkdtempSync(path.join(scratch, 'image-'));
    const conf = confFile('[composefs]\nenabled=signed\nkeypath=/etc/ostree/k.pub\n');
    expect(run('check-config', '--root', image, conf)).toEqual({
      rc: 1,
      stdout: `${conf}: 1 error`,
      stderr: `prepare-root: composefs.keypath ${image}/etc/ostree/k.pub: composefs.enabled=signed needs the public keys here: No such file or directory`,
    });
    mkdirSync(path.join(image, 'etc/ostree'), { recursive: true });
    // Any 32 bytes, base64: a key the signature check can load.
    writeFileSync(path.join(image, 'etc/ostree/k.pub'), `${Buffer.alloc(32, 7).toString('base64')}\n`);
    expect(run('check-config', '--root', image, conf)).toEqual({ rc: 0, stdout: `${conf}: ok`, stderr: '' });
  });

  it('checks the shipped default config', () => {
    const shipped = path.resolve(import.meta.dirname, '../../conf/prepare-root.conf');
    expect(run('check-config', shipped)).toEqual({ rc: 0, stdout: `${shipped}: ok`, stderr: '' });
  });
});

describe.skipIf(!isRoot())('plan', () => {
  it('prints the plan as an unprivileged user and changes nothing', () => {
    const [r] = runScenario({
      runs: [
        {
          impl: ours(),
          conf: '[root]\ntransient=true\n',
          pre: `chmod 644 /etc/ostree/prepare-root.conf
setpriv --reuid=65534 --regid=65534 --clear-groups /prep/bin plan /sysroot > /tmp/plan.txt 2>&1; echo "plan-rc=$?" >> /tmp/plan.txt
findmnt -rn > /tmp/mounts-after-plan`,
          check: 'cat /tmp/plan.txt',
          // The harness's own run of the binary only prints help: this test is about the plan.
          args: ['--help'],
        },
      ],
    });
    const lines = r!.check.split('\n');
    expect(lines[0]).toBe('Plan for /sysroot');
    expect(lines).toContain('  mode:             transient');
    expect(lines).toContain(
      '   9. mount-transient-root      mount -t overlay -o lowerdir=/sysroot/ostree/deploy/probeos/deploy/CSUM.0,upperdir=/run/ostree/.private/root/upper,workdir=/run/ostree/.private/root/work overlay /sysroot.tmp',
    );
    expect(lines.at(-1)).toBe('plan-rc=0');
    expect(r!.ostreeBooted).toBeNull();
  });
});
