// Helpers of the VM boot tests: the guest (test/vm/guest-disk.sh), initramfs images
// (test/harness/initramfs.sh, plus per-scenario files appended as an extra cpio archive), one qemu boot
// (qemu.sh) and the guest's report read back from its result disk.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

const HERE = import.meta.dirname;

export interface Guest {
  readonly kernel: string;
  readonly disk: string;
  readonly commit: string;
  /** Deployment directory (relative to the physical root) with the good composefs image. */
  readonly deployGood: string;
  readonly kargsGood: string;
  readonly kargsTampered: string;
  readonly publicKey: string;
  readonly wrongPublicKey: string;
}

function run(cmd: string, args: string[], timeoutMs: number, env?: Record<string, string>): string {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 << 20,
    ...(env === undefined ? {} : { env: { ...process.env, ...env } }),
  });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Run a guest-building script, then read the `KEY=value` file it leaves: a getter that names a missing key. */
export function buildWith(script: string, envFile: string): (key: string) => string {
  run('bash', [path.join(HERE, script)], 20 * 60_000);
  const env = new Map<string, string>();
  const file = path.resolve(HERE, '../../.cache/vm', envFile);
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(\w+)=(.*)$/.exec(line);
    if (m) env.set(m[1]!, m[2]!.replace(/^'(.*)'$/, '$1'));
  }
  return (k: string): string => {
    const v = env.get(k);
    if (v === undefined) throw new Error(`${file}: no ${k}`);
    return v;
  };
}

export function buildGuest(): Guest {
  const get = buildWith('guest-disk.sh', 'guest.env');
  return {
    kernel: get('KERNEL'),
    disk: get('DISK'),
    commit: get('COMMIT'),
    deployGood: get('DEPLOY_GOOD'),
    kargsGood: get('KARGS_GOOD'),
    kargsTampered: get('KARGS_TAMPERED'),
    publicKey: get('PUBLIC_KEY'),
    wrongPublicKey: get('WRONG_PUBLIC_KEY'),
  };
}

/**
 * dracut image with IMPL's module (prepare-root or ostree); etcOstree: the build root's /etc/ostree;
 * ostreeConfUsr: its /usr/lib/ostree/prepare-root.conf (a file).
 */
export function buildInitramfs(
  impl: 'prepare-root' | 'ostree',
  flavour: 'systemd' | 'shell',
  out: string,
  etcOstree?: string,
  ostreeConfUsr?: string,
): string {
  run(
    'bash',
    [path.resolve(HERE, '../harness/initramfs.sh'), impl, flavour, out, ...(etcOstree ? [etcOstree] : [])],
    10 * 60_000,
    ostreeConfUsr === undefined ? undefined : { OSTREE_CONF_USR: ostreeConfUsr },
  );
  return out;
}

/** BASE with FILES (path inside the initramfs → content) appended as another zstd cpio archive:
 * later archives override earlier files, so a scenario gets its own config without another dracut
 * run. (An uncompressed archive after dracut's compressed one was silently not unpacked.) */
export function withFiles(base: string, out: string, files: Record<string, string | { link: string }>): string {
  const dir = `${out}.d`;
  spawnSync('rm', ['-rf', dir]);
  for (const [p, content] of Object.entries(files)) {
    const full = path.join(dir, p);
    mkdirSync(path.dirname(full), { recursive: true });
    if (typeof content === 'string') writeFileSync(full, content);
    else run('ln', ['-s', content.link, full], 10_000);
  }
  const cpio = spawnSync(
    'bash',
    ['-c', 'cd "$1" && find . -mindepth 1 | cpio -o -H newc --quiet | zstd -q -3', 'bash', dir],
    { maxBuffer: 64 << 20 },
  );
  if (cpio.status !== 0) throw new Error(`cpio: ${cpio.stderr.toString()}`);
  writeFileSync(out, Buffer.concat([readFileSync(base), cpio.stdout]));
  spawnSync('rm', ['-rf', dir]);
  return out;
}

/** A copy-on-write disk over the guest's: what a scenario writes stays in it, across its reboots. */
export function scenarioDisk(guest: Pick<Guest, 'disk'>, out: string): string {
  spawnSync('rm', ['-f', out]);
  run('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', guest.disk, out], 60_000);
  return out;
}

/**
 * A raw copy of the guest's disk at OUT with FILE (an absolute path in its ext4 root) holding
 * CONTENT, written with debugfs (no mount, no loop device) and read back. For boots without an
 * initramfs, whose config is the root's own; what they write stays on the copy.
 */
export function rawDiskWith(guest: Pick<Guest, 'disk'>, out: string, file?: string, content?: string): string {
  run('cp', ['--sparse=always', guest.disk, out], 60_000);
  if (file !== undefined && content !== undefined) {
    const source = `${out}.file`;
    writeFileSync(source, content);
    run('debugfs', ['-w', '-R', `write ${source} ${file}`, out], 60_000);
    if (run('debugfs', ['-R', `cat ${file}`, out], 60_000) !== content)
      throw new Error(`${out}: debugfs did not write ${file}`);
  }
  return out;
}

export interface Boot {
  readonly exitCode: number;
  readonly seconds: number;
  /** The console (serial) log, escape sequences removed. */
  readonly serial: string;
  /** The guest's report lines ("key: value") from the result disk; empty if it never got that far. */
  readonly report: string[];
  /** First value of a report key. */
  value(key: string): string | undefined;
  /** Every value of a report key, in order. */
  values(key: string): string[];
}

// rd.emergency=poweroff: a failing initrd powers the VM off (with rd.shell=0, no shell waits).
const BASE_KARGS = 'console=ttyS0 quiet panic=-1 rd.shell=0 rd.emergency=poweroff rd.timeout=90';

/** What is typed on the console once it shows `wait` (qemu.sh's CONSOLE_WAIT / CONSOLE_SEND). */
export interface ConsoleInput {
  readonly wait: string;
  readonly send: string;
}

/**
 * One boot; `extraDisk` (raw) is attached as /dev/vdc. `initrd` '': none at all. `nvme`: the disk
 * on NVMe (built into Debian's cloud kernel), as a boot without an initramfs needs.
 */
export function boot(
  guest: Pick<Guest, 'kernel'>,
  initrd: string,
  disk: string,
  outDir: string,
  kargs: string,
  extraDisk?: string,
  input?: ConsoleInput,
  nvme = false,
): Boot {
  const [code, seconds] = run(
    'bash',
    [
      path.join(HERE, 'qemu.sh'),
      guest.kernel,
      initrd,
      disk,
      outDir,
      `${BASE_KARGS} ${kargs}`,
      ...(extraDisk === undefined ? [] : [extraDisk]),
    ],
    10 * 60_000,
    {
      ...(input === undefined ? {} : { CONSOLE_WAIT: input.wait, CONSOLE_SEND: input.send }),
      ...(nvme ? { DISK_IF: 'nvme' } : {}),
    },
  )
    .trim()
    .split(' ');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour escapes are what is removed
  const serial = readFileSync(path.join(outDir, 'serial.log'), 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
  const result = readFileSync(path.join(outDir, 'result.txt'), 'utf8');
  const report = result.includes('VMTEST-RESULT: DONE') ? result.split('\n').filter((l) => l !== '') : [];
  const values = (key: string): string[] =>
    report.filter((l) => l.startsWith(`${key}: `)).map((l) => l.slice(key.length + 2));
  return { exitCode: Number(code), seconds: Number(seconds), serial, report, values, value: (key) => values(key)[0] };
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * A boot that had to fail in the initramfs: no report, MESSAGE on the console, systemd's status
 * line for our unit (cut to the console width), then OnFailure=emergency.target: dracut's
 * emergency service says so, and rd.emergency=poweroff ends the VM.
 */
export function expectEmergency(b: Boot, message: string): void {
  expect(b.report).toEqual([]);
  expect(b.serial).toContain(message);
  expect(b.serial).toMatch(/FAILED\] Failed to start .*prepare-ro/);
  expect(b.serial).toContain('Boot has failed.');
}

export function sizeMiB(file: string): string {
  return (statSync(file).size / (1 << 20)).toFixed(1);
}
