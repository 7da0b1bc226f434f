// Command-line interface: argument parsing and the three commands. Each command returns an exit
// code; errors propagate to main, which prints them once.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type ConfigSource, type Warning, loadConfig, resolveConfig, shadowWarnings } from './config.js';
import { PrepareRootError } from './errors.js';
import { diffUpper, readOverlayXattrs, summarize, summaryLine } from './diff.js';
import { checkpointVolatileOverlays } from './checkpoint.js';
import { handOver } from './handover.js';
import { KMSG_WARNING, toKmsg } from './kmsg.js';
import { parseKeyFile } from './keyfile.js';
import { SystemMounter } from './mounter.js';
import { actionOf, describeAction } from './plan/commands.js';
import type { Plan } from './plan/types.js';
import { COMPOSEFS_SCRATCH, CONFIG_PATHS, DEFAULT_INIT } from './paths.js';
import { decide, readConfigSources, readKernelCmdline, runPrepare } from './prepare.js';
import { canonicalSysroot, readMountInfo } from './probe.js';
import { collectStatus, formatStatus } from './report.js';
import { parsePublicKeys } from './signature.js';
import { VERSION } from './version.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const HELP = `Usage:
  prepare-root [run] SYSROOT [KERNEL_CMDLINE] [--pivot [--init PATH]] [--verbose]
  prepare-root plan SYSROOT [KERNEL_CMDLINE] [--config FILE]... [--json]
  prepare-root check-config [FILE...]
  prepare-root status [--json] [--root DIR]
  prepare-root diff [--json] [--root DIR] [PATH...]
  prepare-root diff --upper DIR --lower DIR[:DIR...] [--json] [PATH...]
  prepare-root checkpoint [--root DIR]
  prepare-root --help | --version

Turns the physical root mounted at SYSROOT (normally /sysroot) into the ostree deployment named
by the kernel command line (ostree=...), as ostree-prepare-root does: a bind-mounted deployment,
or a transient overlay root ([root] transient / transient-ro) whose writes vanish at reboot, with
persistent /etc and /var. The physical root ends up at SYSROOT/sysroot.

Commands:
  run           (default) prepare SYSROOT. KERNEL_CMDLINE replaces /proc/cmdline.
                Writes /run/ostree-booted and /run/prepare-root/status.json. On failure every
                completed step is undone, one line "prepare-root: <what>: <why>" goes to stderr
                (and /dev/kmsg), and the exit status is 1. A second run after success exits 0.
  plan          print the ordered mount plan for SYSROOT without changing anything (no
                privileges needed). --config FILE replaces the initramfs config files (repeat
                for /usr/lib then /etc order).
  check-config  lint prepare-root.conf files (default: the ones this system would read).
                Exit 0 when clean (warnings are printed), 1 on errors.
  status        on the booted system: the mode, each overlay with its lower, upper and the
                filesystem holding the upper (a tmpfs: how full), integrity state, and the
                warnings recorded at boot. Reads /run/prepare-root/status.json, /run/ostree-booted
                (also when ostree-prepare-root booted the system) and the live mount table.
                Warns when a transient tmpfs is over 80% full.
  diff          what will be lost at reboot: every entry in the upper layer of each transient
                overlay (root, /etc), as added, modified, metadata only, deleted (whiteout) or
                replaced directory (opaque), with sizes; a summary line first. PATH limits it.
                --upper/--lower: the same for any overlay upper/lower pair, mounted or not.
                Needs getfattr (package attr) to read overlay xattrs.
  checkpoint    at clean shutdown (prepare-root-checkpoint.service): sync each volatile
                overlay's upper and record that it is whole, so the next boot reuses it
                instead of quarantining it. Exit 1 when a write-back error was found.

Options:
  --pivot        after preparing, switch into SYSROOT and exec init (initramfs without
                 systemd). Implied when running as PID 1.
  --init PATH    the init to exec in pivot mode (default ${DEFAULT_INIT}).
  --json         machine-readable output (plan, status, diff; see docs/status.schema.json).
  --root DIR     where the booted root is mounted (default /), e.g. /sysroot in the initramfs.
  --upper DIR, --lower DIR[:DIR...]
                 diff this upper against these lower layers (top first).
  --verbose      print each command before running it.
  -h, --help     this text.  -V, --version  print the version.

Configuration (GLib key file, /usr/lib/ostree/prepare-root.conf, replaced wholesale by
/etc/ostree/prepare-root.conf when that exists):
  [sysroot] readonly=BOOL      physical root read-only; /etc and the stateroot /var stay writable
  [root] transient=BOOL        / is an overlay over the deployment with a tmpfs upper
  [root] transient-ro=BOOL     the same, mounted read-only
  [root] transient-size=SIZE   size of that tmpfs (e.g. 2G, 512M, 50%; default: tmpfs default)
  [etc] transient=BOOL         /etc is an overlay over usr/etc with a tmpfs upper
  [composefs] enabled=no|maybe|yes|verity
                               / from the deployment's .ostree.cfs image; maybe falls back to a bind
                               mount without one; verity requires fs-verity on every file; signed
                               also checks the commit's ed25519 signature against [composefs]
                               keypath (default /etc/ostree/initramfs-root-binding.key) and the
                               image's fs-verity digest (needs fsverity-utils)
  [persist] paths=P1;P2;...    keep these paths across reboots, also inside a transient / or
                               /etc: each is bind-mounted from a store under the stateroot's
                               var/lib/prepare-root/persist, seeded from the image on first use
  [overlay PATH] lower=L1:L2 upper=state|transient
                               a writable overlay on PATH (lower default: PATH itself; a lower may
                               be another declared overlay). state: kept under the stateroot /var
                               and, after an update, pruned as ostree's state overlays are
                               (changes to base content reverted, added files kept); transient:
                               on a tmpfs. volatile=true (state only): mounted without syncs,
                               reused after a checkpointed shutdown, quarantined otherwise
Booleans are true/false/1/0. Kernel arguments: ostree=, androidboot.slot_suffix=,
ostree.prepare-root.composefs=.`;

function warningLine(w: Warning): string {
  return `prepare-root: warning: ${w.where}: ${w.message}`;
}

const COMMANDS = ['run', 'plan', 'check-config', 'status', 'diff', 'checkpoint'] as const;
type Command = (typeof COMMANDS)[number];

interface Parsed {
  readonly command: Command;
  readonly positionals: string[];
  readonly values: { pivot?: boolean; init?: string; json?: boolean; verbose?: boolean; config?: string[]; root?: string; upper?: string; lower?: string };
}

function parse(argv: readonly string[]): Parsed | 'help' | 'version' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
      pivot: { type: 'boolean' },
      init: { type: 'string' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
      config: { type: 'string', multiple: true },
      root: { type: 'string' },
      upper: { type: 'string' },
      lower: { type: 'string' },
    },
  });
  if (values.help) return 'help';
  if (values.version) return 'version';
  const [first, ...rest] = positionals;
  const command: Command = (COMMANDS as readonly string[]).includes(first ?? '') ? first as Command : 'run';
  return { command, positionals: command === first ? rest : positionals, values };
}

function usageError(why: string): PrepareRootError {
  return new PrepareRootError('usage', `${why} (see prepare-root --help)`);
}

/** The boot path (as opposed to the tools): `run`, explicit or implied. */
export function isBootRun(argv: readonly string[]): boolean {
  const first = argv.find((a) => !a.startsWith('-'));
  return first === undefined || !(COMMANDS as readonly string[]).includes(first) || first === 'run';
}

export function runCli(argv: readonly string[], io: Output): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    throw usageError((e as Error).message);
  }
  if (parsed === 'help') { io.out(HELP); return 0; }
  if (parsed === 'version') { io.out(`prepare-root ${VERSION} (node ${process.versions.node})`); return 0; }
  const { command, positionals, values } = parsed;
  if (command !== 'plan' && values.config !== undefined) throw usageError('--config only applies to plan');
  if (!['plan', 'status', 'diff'].includes(command) && values.json) throw usageError('--json only applies to plan, status and diff');
  if (!['status', 'diff', 'checkpoint'].includes(command) && values.root !== undefined) throw usageError('--root only applies to status, diff and checkpoint');
  if (command !== 'diff' && (values.upper !== undefined || values.lower !== undefined)) throw usageError('--upper and --lower only apply to diff');
  switch (command) {
    case 'run': return commandRun(positionals, values, io);
    case 'plan': return commandPlan(positionals, values, io);
    case 'check-config': return commandCheckConfig(positionals, io);
    case 'status': return commandStatus(positionals, values, io);
    case 'diff': return commandDiff(positionals, values, io);
    case 'checkpoint': return commandCheckpoint(positionals, values, io);
  }
}

function sysrootAndCmdline(positionals: string[]): [string, string | undefined] {
  if (positionals.length === 0) throw usageError('missing SYSROOT');
  if (positionals.length > 2) throw usageError(`unexpected argument "${positionals[2]}"`);
  return [positionals[0]!, positionals[1]];
}

function commandRun(positionals: string[], values: Parsed['values'], io: Output): number {
  const [sysrootArg, cmdlineArg] = sysrootAndCmdline(positionals);
  const pivot = values.pivot === true || process.pid === 1;
  if (values.init !== undefined && !pivot) throw usageError('--init only applies with --pivot');
  const mounter = new SystemMounter(values.verbose ? { trace: io.err } : {});
  const result = runPrepare({
    sysrootArg, cmdlineArg, handover: pivot ? 'pivot' : 'systemd', mounter,
    ...(pivot ? { init: values.init ?? DEFAULT_INIT } : {}),
    // At boot the console is the kernel log: warnings go there as well as to stderr.
    warn: (w) => { io.err(warningLine(w)); toKmsg(KMSG_WARNING, warningLine(w)); },
    info: (line) => io.out(`prepare-root: ${line}`),
  });
  if (pivot) {
    const root = result.kind === 'prepared' ? result.plan.sysroot : result.sysroot;
    handOver(root, values.init ?? DEFAULT_INIT, (line) => io.out(`prepare-root: ${line}`));
  }
  return 0;
}

function commandPlan(positionals: string[], values: Parsed['values'], io: Output): number {
  const [sysrootArg, cmdlineArg] = sysrootAndCmdline(positionals);
  const cmdline = readKernelCmdline(cmdlineArg);
  const sources = values.config === undefined ? readConfigSources(CONFIG_PATHS, true) : readConfigSources(values.config, false);
  const { plan, warnings, config } = decide(sysrootArg, cmdline, sources, 'XXXXXX');
  if (values.json) {
    io.out(JSON.stringify({
      configFile: config.file,
      plan: { ...plan, steps: plan.steps.map((s) => ({ ...s, ...('content' in s ? { content: Buffer.from(s.content).toString('hex') } : {}), command: describeAction(actionOf(s)) })) },
      warnings,
    }, null, 2));
    return 0;
  }
  printPlan(plan, config.file, io);
  warnings.forEach((w) => io.err(warningLine(w)));
  return 0;
}

function printPlan(plan: Plan, configFile: string | null, io: Output): void {
  io.out(`Plan for ${plan.sysroot}`);
  io.out(`  deployment:       ${plan.deployment}`);
  io.out(`  mode:             ${plan.mode}`);
  io.out(`  sysroot.readonly: ${plan.sysrootReadonly}`);
  io.out(`  config:           ${configFile ?? '(none: built-in defaults)'}`);
  io.out(`  /run/ostree-booted: ${Object.entries(plan.metadata).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
  io.out('Steps:');
  const width = Math.max(...plan.steps.map((s) => s.id.length));
  plan.steps.forEach((s, i) => {
    io.out(`  ${String(i + 1).padStart(2)}. ${s.id.padEnd(width)}  ${describeAction(actionOf(s))}`);
    io.out(`      ${' '.repeat(width)}  # ${s.reason}`);
  });
}

function commandCheckConfig(files: string[], io: Output): number {
  const paths = files.length > 0 ? files : CONFIG_PATHS;
  const sources = readConfigSources(paths, files.length === 0);
  if (sources.length === 0) {
    io.out(`no config file found (${CONFIG_PATHS.join(', ')}): built-in defaults apply`);
    return 0;
  }
  // Each file is linted on its own, so every broken file is reported, not just the first.
  const errors = sources.flatMap((source) => lintFile(source, io));
  if (errors.length === 0 && sources.length > 1) {
    shadowWarnings(sources.map((s) => parseKeyFile(s.data, s.path))).forEach((w) => io.err(warningLine(w)));
  }
  errors.forEach((e) => io.err(`prepare-root: ${e.message}`));
  io.out(errors.length === 0 ? `${sources.map((s) => s.path).join(', ')}: ok` : `${errors.length} error${errors.length === 1 ? '' : 's'}`);
  return errors.length === 0 ? 0 : 1;
}

/** Errors of one config file; its warnings are printed. A linter reads every key, also the ones a boot only reads in some modes. */
function lintFile(source: ConfigSource, io: Output): PrepareRootError[] {
  let config;
  try {
    config = resolveConfig(loadConfig([source]), '');
  } catch (e) {
    if (e instanceof PrepareRootError) return [e];
    throw e;
  }
  config.warnings.forEach((w) => io.err(warningLine(w)));
  const errors: PrepareRootError[] = [];
  if (!config.etcTransient.ok) errors.push(config.etcTransient.error);
  if (config.composefs.signed) {
    // The keys are read from the initramfs at boot: a build root without them makes an unbootable image.
    try {
      parsePublicKeys(readFileSync(config.composefs.keypath, 'utf8'), config.composefs.keypath);
    } catch (e) {
      errors.push(e instanceof PrepareRootError ? e : new PrepareRootError(`composefs.keypath ${config.composefs.keypath}`,
        `composefs.enabled=signed needs the public keys here: ${(e as Error).message}`));
    }
  }
  return errors;
}

function rootOf(values: Parsed['values']): string {
  return values.root === undefined ? '/' : canonicalSysroot(values.root);
}

function commandStatus(positionals: string[], values: Parsed['values'], io: Output): number {
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
  const report = collectStatus(readMountInfo(), rootOf(values));
  if (values.json) io.out(JSON.stringify(report, null, 2));
  else formatStatus(report).forEach((l) => io.out(l));
  report.warnings.forEach((w) => io.err(`prepare-root: warning: ${w}`));
  return 0;
}

function commandDiff(paths: string[], values: Parsed['values'], io: Output): number {
  const bad = paths.find((p) => !p.startsWith('/'));
  if (bad !== undefined) throw usageError(`PATH must be absolute: "${bad}"`);
  let sets: Array<{ path: string; upper: string; lower: string[] }>;
  if (values.upper !== undefined || values.lower !== undefined) {
    if (values.upper === undefined || values.lower === undefined) throw usageError('--upper and --lower go together');
    if (values.root !== undefined) throw usageError('--root does not apply with --upper/--lower');
    sets = [{ path: '/', upper: values.upper, lower: values.lower.split(':').filter(Boolean) }];
    for (const dir of [values.upper, ...sets[0]!.lower]) {
      if (!existsSync(dir)) throw new PrepareRootError(dir, 'does not exist');
    }
  } else {
    const root = rootOf(values);
    const report = collectStatus(readMountInfo(), root);
    sets = report.overlays.filter((o) => o.transient && o.upper !== null).map((o) => ({ path: o.path, upper: o.upper!, lower: comparableLower(o.lower, report.deployment, root) }));
    if (sets.length === 0) {
      io.out('no transient overlay is mounted: nothing is lost at reboot');
      return 0;
    }
  }
  const changes = sets.flatMap((set) => {
    const under = pathsInside(set.path, paths);
    if (under === null) return [];
    const prefix = set.path === '/' ? '' : set.path;
    return diffUpper(set.upper, set.lower, readOverlayXattrs(set.upper), under).map((c) => ({ ...c, path: `${prefix}${c.path}` }));
  });
  const summary = summarize(changes);
  if (values.json) {
    io.out(JSON.stringify({ summary, overlays: sets, changes }, null, 2));
    return 0;
  }
  io.out(summaryLine(summary));
  for (const c of changes) {
    io.out(`${c.kind.padEnd(8)} ${c.type.padEnd(7)} ${String(c.size).padStart(10)}  ${c.path}${c.from === undefined ? '' : ` (from ${c.from})`}`);
  }
  return 0;
}

/**
 * What to compare an upper with. A composefs root's lower is the EROFS image, mounted only at
 * boot (its scratch point is empty now); the deployment's checkout next to the image holds the
 * same tree, and the physical root shows it under /sysroot.
 */
function comparableLower(lower: readonly string[], deployment: string | null, root: string): string[] {
  if (!lower.includes(COMPOSEFS_SCRATCH)) return [...lower];
  if (deployment === null) throw new PrepareRootError('diff', 'the composefs image behind / is not mounted and no deployment is recorded to compare with');
  return [`${root === '/' ? '' : root}/sysroot/${deployment}`];
}

/**
 * The PATH arguments as paths inside an overlay mounted at `mountPath`: [] for everything, null
 * when none of them touches it.
 */
function pathsInside(mountPath: string, paths: readonly string[]): string[] | null {
  if (paths.length === 0) return [];
  const inside: string[] = [];
  for (const raw of paths) {
    const p = raw.length > 1 ? raw.replace(/\/+$/, '') : raw;
    if (mountPath === '/') inside.push(p);
    else if (p === mountPath || p.startsWith(`${mountPath}/`)) inside.push(p.slice(mountPath.length) || '/');
    else if (mountPath.startsWith(p === '/' ? '/' : `${p}/`)) inside.push('/');
  }
  if (inside.length === 0) return null;
  return inside.includes('/') ? [] : inside;
}

function commandCheckpoint(positionals: string[], values: Parsed['values'], io: Output): number {
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
  const results = checkpointVolatileOverlays(rootOf(values));
  if (results.length === 0) io.out('no volatile overlay to checkpoint');
  for (const r of results) {
    if (r.result === 'ok') io.out(`prepare-root: checkpointed ${r.path}`);
    else io.err(`prepare-root: ${r.path}: write-back error, not checkpointed (the next boot quarantines the upper): ${r.detail}`);
  }
  return results.every((r) => r.result === 'ok') ? 0 : 1;
}
