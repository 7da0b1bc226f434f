// Commands for the booted system: status, diff, checkpoint.
import { existsSync } from 'node:fs';
import { checkpointVolatileOverlays } from '../checkpoint.js';
import { diffUpper, readOverlayXattrs, summarize, summaryLine } from '../diff.js';
import { PrepareRootError } from '../errors.js';
import { COMPOSEFS_SCRATCH } from '../paths.js';
import { canonicalSysroot, readMountInfo } from '../probe.js';
import { collectStatus, formatStatus } from '../report.js';
import { type Output, type Parsed, usageError } from './args.js';

function rootOf(values: Parsed['values']): string {
  return values.root === undefined ? '/' : canonicalSysroot(values.root);
}

export function commandStatus(positionals: string[], values: Parsed['values'], io: Output): number {
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
  const report = collectStatus(readMountInfo(), rootOf(values));
  if (values.json) io.out(JSON.stringify(report, null, 2));
  else formatStatus(report).forEach((l) => io.out(l));
  report.warnings.forEach((w) => io.err(`prepare-root: warning: ${w}`));
  return 0;
}

export function commandDiff(paths: string[], values: Parsed['values'], io: Output): number {
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

export function commandCheckpoint(positionals: string[], values: Parsed['values'], io: Output): number {
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
  const results = checkpointVolatileOverlays(rootOf(values));
  if (results.length === 0) io.out('no volatile overlay to checkpoint');
  for (const r of results) {
    if (r.result === 'ok') io.out(`prepare-root: checkpointed ${r.path}`);
    else io.err(`prepare-root: ${r.path}: write-back error, not checkpointed (the next boot quarantines the upper): ${r.detail}`);
  }
  return results.every((r) => r.result === 'ok') ? 0 : 1;
}
