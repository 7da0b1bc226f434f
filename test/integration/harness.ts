// Integration-test harness: real ostree sysroots (ostree admin deploy) on a tmpfs inside a private
// mount namespace, and one fake-initramfs run per implementation (test/harness/run-in-initrd.sh),
// each in its own nested namespace so runs never see each other's mounts. Needs root.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HARNESS = path.join(ROOT, 'test/harness');

export const OURS = path.join(ROOT, 'dist/prepare-root');

/** Commit metadata pinning a composefs digest (any 32 bytes: this kernel cannot measure one anyway). */
export const COMPOSEFS_DIGEST_ARG = `--add-metadata=ostree.composefs.digest.v0=[${Array.from({ length: 32 }, (_, i) => `byte 0x${(i + 16).toString(16)}`).join(', ')}]`;

/** Scenario setup: sign the deployed commit ($W/secret, public key at $W/public). */
export const SIGN_DEPLOYED_COMMIT =
  'bash "$H/sign-commit.sh" "$S/ostree/repo" "$(basename "$D" .0)" "$W/secret" "$W/public"';

/** Scenario setup: give the deployment a composefs image of its commit (stock mkfs.erofs, docs/testing.md). */
export const WITH_COMPOSEFS_IMAGE =
  'chattr -i "$D"; bash "$H/mkcfs.sh" "$S/ostree/repo" probeos/x86_64/stable "$D/.ostree.cfs"; chattr +i "$D"';

/** An SELinux file label of this type. */
export const selinuxLabel = (type: string) => `system_u:object_r:${type}:s0`;

/** Fake-initramfs setup: SELinux enabled, as the kernel shows it (policy not loaded, as at boot). */
export const SELINUX_ON = 'mkdir -p /sys/fs/selinux';
/** And the policy loaded: selinuxfs names the kernel's context in full. */
export const POLICY_LOADED =
  'mkdir -p /sys/fs/selinux/initial_contexts; echo system_u:system_r:kernel_t:s0 > /sys/fs/selinux/initial_contexts/kernel';

/** Tree setup: SELinux labels on the image (committed with it, as `ostree commit --selinux-policy` would). */
export const LABEL_TREE = [
  ['.', 'root_t'],
  ['usr', 'usr_t'],
  ['usr/lib', 'lib_t'],
  ['usr/share/app', 'usr_t'],
  ['usr/etc', 'etc_t'],
  ['usr/etc/hostname', 'etc_t'],
  ['var', 'var_t'],
]
  .map(([p, t]) => `setfattr -n security.selinux -v ${selinuxLabel(t!)} "$T/${p}"`)
  .join('\n');

export interface Impl {
  readonly prep: string;
  readonly preplib?: string;
}

/** The reference ostree-prepare-root 2026.4 (scripts/fetch-reference.sh puts it in .cache). */
export function reference(): Impl {
  const dir = path.join(ROOT, '.cache/reference/2026.4');
  if (!existsSync(`${dir}/ostree-prepare-root`)) {
    throw new Error(`reference ostree-prepare-root missing in ${dir}: run scripts/fetch-reference.sh`);
  }
  return { prep: `${dir}/ostree-prepare-root`, preplib: `${dir}/lib` };
}

export function ours(): Impl {
  if (!existsSync(OURS)) throw new Error(`${OURS} missing: run npm run build`);
  return { prep: OURS };
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export interface Run {
  /** The implementation to run. */
  readonly impl: Impl;
  /** Text for /etc/ostree/prepare-root.conf of the fake initramfs. */
  readonly conf?: string;
  /** Text for /usr/lib/ostree/prepare-root.conf of the fake initramfs. */
  readonly confUsr?: string;
  /** Text for /etc/prepare-root/prepare-root.conf (a plain root's config) of the fake initramfs. */
  readonly plainConf?: string;
  readonly args?: readonly string[];
  readonly mountVar?: boolean;
  /** Create an empty /run/ostree before the run (2026.4 then fails: mkdir EEXIST is fatal). */
  readonly preRunOstree?: boolean;
  /** Shell run in the fake initramfs before prepare-root. */
  readonly pre?: string;
  /** Shell run in the fake initramfs after prepare-root; its output is `check`. */
  readonly check?: string;
  /** A command line the binary runs under, e.g. `strace --inject=…` (fault injection from outside). */
  readonly wrap?: string;
  readonly pivot?: boolean;
  /** Shell run in the scenario (outside the fake initramfs) just before this run, e.g. an update. */
  readonly before?: string;
  /** A file made by the scenario's setup (e.g. '$W/public'), as /etc/ostree/initramfs-root-binding.key. */
  readonly keyFile?: string;
  /** Also bind our binary at /prep/tool (to inspect what another implementation did). */
  readonly tool?: boolean;
  /** Run as PID 1 of a new PID namespace (pivot mode without --pivot). */
  readonly pid1?: boolean;
  /** pid1: what is typed on its console (its stdin), e.g. into an emergency shell. */
  readonly console?: string;
  /** pid1: kill it (with its namespace) after this many seconds. */
  readonly seconds?: number;
}

export interface Scenario {
  /** A plain root (test/harness/mkplain.sh, no ostree) instead of a deployed sysroot; $D is then $S. */
  readonly plain?: boolean;
  /** mktree.sh VARIANT of the deployed tree ('1' by default; '2' is a different commit). */
  readonly treeVariant?: string;
  readonly deployArgs?: readonly string[];
  /** The physical root on a block device (a loop-mounted ext4 image) instead of a tmpfs. */
  readonly blockDevice?: boolean;
  /** Extra `ostree commit` arguments for the deployed commit. */
  readonly commitArgs?: readonly string[];
  /** Shell run on the tree ($T) before it is committed, e.g. to label it. */
  readonly treeSetup?: string;
  /** Shell run after deploy with $S (sysroot), $D (deployment dir), $CMDLINE_FILE and $H (test/harness) set. */
  readonly setup?: string;
  /** Replaces the deployment's own command line (its BLS options line). */
  readonly cmdline?: string;
  readonly runs: readonly Run[];
}

export interface RunResult {
  readonly rc: number;
  readonly stdout: string;
  readonly stderr: string;
  /** /sysroot tree: TARGET FSROOT FSTYPE VFS-OPTIONS PROPAGATION. */
  readonly mounts: readonly string[];
  /** /sysroot tree: TARGET FSTYPE FS-OPTIONS. */
  readonly fsOptions: readonly string[];
  /** Every mount in the namespace after the run. */
  readonly allMounts: readonly string[];
  /** `find /run` listing: mode and path. */
  readonly run: readonly string[];
  /** Hex bytes of /run/ostree-booted, null when absent. */
  readonly ostreeBooted: string | null;
  readonly check: string;
  readonly elapsedUs: number;
  /** Pivot mode: everything printed after the binary took over. */
  readonly pivotOutput: string;
  /** pid1: the exit status of the namespace's PID 1 (137: killed while still running). */
  readonly pid1Exit: number | null;
}

/** Mount listings compared as sets: findmnt lists siblings in mount order, which is not the point. */
export function unordered(lines: readonly string[]): string[] {
  return [...lines].sort();
}

function q(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

function runScript(i: number, run: Run): string {
  const env: string[] = [`PREP=${q(run.impl.prep)}`];
  if (run.impl.preplib) env.push(`PREPLIB=${q(run.impl.preplib)}`);
  const files: string[] = [];
  if (run.conf !== undefined) {
    files.push(`printf '%s' ${q(run.conf)} > "$W/conf-${i}"`);
    env.push(`PREPCONF="$W/conf-${i}"`);
  }
  if (run.confUsr !== undefined) {
    files.push(`printf '%s' ${q(run.confUsr)} > "$W/confusr-${i}"`);
    env.push(`PREPCONF_USR="$W/confusr-${i}"`);
  }
  if (run.plainConf !== undefined) {
    files.push(`printf '%s' ${q(run.plainConf)} > "$W/plainconf-${i}"`);
    env.push(`PLAINCONF="$W/plainconf-${i}"`);
  }
  if (run.args?.length) env.push(`PREPARGS=${q(run.args.join('\n'))}`);
  if (run.mountVar) env.push('MOUNT_VAR=1');
  if (run.preRunOstree) env.push('PRE_RUN_OSTREE=1');
  if (run.pre) env.push(`PRE=${q(run.pre)}`);
  if (run.check) env.push(`CHECK=${q(run.check)}`);
  if (run.wrap) env.push(`PREPWRAP=${q(run.wrap)}`);
  if (run.pivot) env.push('PIVOT=1');
  if (run.pid1) env.push('PID1=1');
  if (run.console !== undefined) {
    files.push(`printf '%s' ${q(run.console)} > "$W/console-${i}"`);
    env.push(`PID1_CONSOLE="$W/console-${i}"`);
  }
  if (run.seconds !== undefined) env.push(`PID1_SECONDS=${run.seconds}`);
  if (run.tool) env.push(`TOOL=${q(OURS)}`);
  if (run.keyFile) env.push(`KEYFILE="${run.keyFile}"`);
  return `${run.before ?? ''}\n${files.join('\n')}\necho '##### RUN ${i}'\n${env.join(' ')} bash ${q(`${HARNESS}/run-in-initrd.sh`)} "$S" "$CMDLINE_FILE"\n`;
}

function parseSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  let name = '';
  let lines: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^=== (\S+)$/.exec(line);
    if (m) {
      if (name) sections.set(name, lines.join('\n'));
      name = m[1]!;
      lines = [];
    } else if (name) {
      lines.push(line);
    }
  }
  if (name) sections.set(name, lines.join('\n'));
  return sections;
}

function nonEmptyLines(s: string | undefined): string[] {
  return (s ?? '').split('\n').filter((l) => l !== '');
}

function parseRun(text: string): RunResult {
  const s = parseSections(text);
  const booted = (s.get('ostree-booted') ?? '').trim();
  return {
    rc: Number((s.get('rc') ?? 'NaN').trim()),
    stdout: (s.get('stdout') ?? '').trim(),
    stderr: (s.get('stderr') ?? '').trim(),
    mounts: nonEmptyLines(s.get('mounts')),
    fsOptions: nonEmptyLines(s.get('fsoptions')),
    allMounts: nonEmptyLines(s.get('all-mounts')),
    run: nonEmptyLines(s.get('run')),
    ostreeBooted: booted === 'absent' ? null : booted,
    check: (s.get('check') ?? '').trim(),
    elapsedUs: Number((s.get('elapsed_us') ?? 'NaN').trim()),
    pivotOutput: s.get('pivot') ?? '',
    pid1Exit: s.has('pid1-exit') ? Number(s.get('pid1-exit')!.trim()) : null,
  };
}

/** Build one sysroot, run every run on it (each in its own namespace), return their results. */
export function runScenario(scenario: Scenario): RunResult[] {
  const script = `set -euo pipefail
W=$(mktemp -d /tmp/prepare-root-fixture.XXXXXX)
trap 'umount -R "$W" 2>/dev/null; rmdir "$W"' EXIT
mount -t tmpfs -o mode=0755 fixture "$W"
S=$W/sysroot
mkdir "$S"
# Its own fs: FSROOTs read /ostree/..., and it is a mount point (it gets moved).
${
  scenario.blockDevice
    ? 'truncate -s 128M "$W/disk.img"; mkfs.ext4 -q "$W/disk.img"; mount -o loop "$W/disk.img" "$S"   # the loop device clears itself when unmounted'
    : 'mount -t tmpfs -o mode=0755 sysroot "$S"'
}
${
  scenario.plain
    ? `bash ${q(`${HARNESS}/mkplain.sh`)} "$S"
T=$S
${scenario.treeSetup ?? ''}
CMDLINE='root=LABEL=plain-root rw'
D=$S`
    : `bash ${q(`${HARNESS}/mktree.sh`)} "$W/tree" ${q(scenario.treeVariant ?? '1')}
T=$W/tree
${scenario.treeSetup ?? ''}
CMDLINE=$(COMMIT_ARGS=${q((scenario.commitArgs ?? []).join('\n'))} bash ${q(`${HARNESS}/mksysroot.sh`)} "$S" "$W/tree" ${(scenario.deployArgs ?? []).map(q).join(' ')})
D=$(realpath "$S"/ostree/deploy/probeos/deploy/*.0)`
}
CMDLINE_FILE=$W/cmdline
${scenario.cmdline === undefined ? 'printf "%s\\n" "$CMDLINE"' : `printf '%s\\n' ${q(scenario.cmdline)}`} > "$CMDLINE_FILE"
H=${q(HARNESS)}
export S D CMDLINE_FILE H
${scenario.setup ?? ''}
${scenario.runs.map((r, i) => runScript(i, r)).join('')}`;
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', script], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`scenario harness failed (${r.status ?? r.signal}): ${r.stderr}\n${r.stdout}`);
  const parts = r.stdout.split(/^##### RUN \d+$/m).slice(1);
  if (parts.length !== scenario.runs.length)
    throw new Error(`expected ${scenario.runs.length} runs, got ${parts.length}:\n${r.stdout}\n${r.stderr}`);
  return parts.map(parseRun);
}

/** The host's mount points (root and mount point of each /proc/self/mountinfo line, sorted) and
 * `losetup -a`, to prove a test left them unchanged. */
export function hostSnapshot(): { mounts: string; loops: string } {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ').slice(3, 5).join(' '))
    .sort()
    .join('\n');
  const loops = spawnSync('losetup', ['-a'], { encoding: 'utf8' }).stdout;
  return { mounts, loops };
}

/**
 * What changed on the host since `before` (a hostSnapshot()): mount points added or removed and
 * loop devices added, one line each; empty when nothing did. Loop devices are global, so a
 * composefs run in another process on the machine holds one for a moment: the comparison is
 * retried for up to `ms` until clean, while a leak would stay. A loop device present in `before`
 * and gone now is someone else's that ended, not a change of ours.
 */
export function hostChangesSince(before: { mounts: string; loops: string }, ms = 15_000): string[] {
  const lines = (s: string) => s.split('\n').filter((l) => l !== '');
  const end = Date.now() + ms;
  for (;;) {
    const now = hostSnapshot();
    const was = lines(before.mounts),
      is = lines(now.mounts),
      loopsWere = lines(before.loops);
    const changes = [
      ...is.filter((m) => !was.includes(m)).map((m) => `mount added: ${m}`),
      ...was.filter((m) => !is.includes(m)).map((m) => `mount removed: ${m}`),
      ...lines(now.loops)
        .filter((l) => !loopsWere.includes(l))
        .map((l) => `loop device added: ${l}`),
    ];
    if (changes.length === 0 || Date.now() >= end) return changes;
    spawnSync('sleep', ['0.2']);
  }
}

// Fault injection from outside: which system call of a real run belongs to which step.

/** The calls that change something: a fault in any of them must fail its step cleanly. */
const MUTATING = [
  'fsopen',
  'fsconfig',
  'fsmount',
  'move_mount',
  'open_tree',
  'mount_setattr',
  'mount',
  'umount2',
  'mkdirat',
  'fchmodat',
  'renameat2',
  'unlinkat',
  'symlinkat',
  'linkat',
  'openat',
  'write',
  'fsync',
  'fchmod',
  'fchownat',
  'utimensat',
  'lsetxattr',
  'copy_file_range',
  'ioctl',
];
export const TRACE = `strace -qq -s 200 -o /tmp/trace -e trace=${MUTATING.join(',')}`;

export interface Fault {
  readonly step: string;
  readonly syscall: string;
  readonly nth: number;
  readonly call: string;
}

/**
 * From a clean run's trace (with --verbose, which writes `+ <step>` to stderr before each step):
 * the first and last state-changing call of each step, numbered as strace's `when=` counts them.
 */
export function faultsOf(trace: string, stepIds: readonly string[]): Fault[] {
  const seen = new Map<string, number>();
  const perStep: Array<Array<Omit<Fault, 'step'>>> = [];
  for (const line of trace.split('\n')) {
    const m = /^(\w+)\((.*)\)\s+= /.exec(line);
    if (m === null) continue;
    const [, syscall, args] = m as unknown as [string, string, string];
    const nth = (seen.get(syscall) ?? 0) + 1;
    seen.set(syscall, nth);
    if (syscall === 'write' && args.startsWith('2, "+ ')) {
      perStep.push([]);
      continue;
    }
    // After the last step the run records its outcome: that is not a step.
    if (args.includes('/run/prepare-root/status.json') || args.includes('/run/prepare-root/.status.json')) break;
    // Output, also to the console through the kernel log (the notices after the last step), is not a step's.
    const output =
      (syscall === 'write' && (/^[12], /.test(args) || /^\d+, "<\d>/.test(args))) || args.includes('/dev/kmsg');
    // The journal is written around each step, not by it (its own faults are tested below).
    const journal = args.includes('/run/prepare-root/journal') || /^\d+, "\{\\"(start|done|undone|run)\\"/.test(args);
    if (journal) continue;
    const reading = syscall === 'openat' && !args.includes('O_CREAT') && !args.includes('O_WRONLY');
    if (perStep.length > 0 && !output && !reading) perStep.at(-1)!.push({ syscall, nth, call: line.slice(0, 120) });
  }
  if (perStep.length !== stepIds.length)
    throw new Error(`trace: ${perStep.length} \`+\` lines for ${stepIds.length} executed steps`);
  return perStep.flatMap((calls, i) => {
    const chosen = calls.length <= 1 ? calls : [calls[0]!, calls.at(-1)!];
    return chosen.map((c) => ({ ...c, step: stepIds[i]! }));
  });
}
