// Commands for the booted system: status, diff, checkpoint, relabel.
import { PrepareRootError } from '../base/errors.js';
import { checkpointVolatileOverlays } from '../booted/checkpoint.js';
import { relabelUppers } from '../booted/relabel.js';
import { type DiffSet, changesOf, transientSets } from '../booted/diff.js';
import { collectStatus, formatStatus } from '../booted/report.js';
import { readMountInfo } from '../booted/state-files.js';
import { LABELS_FILE } from '../base/paths.js';
import { exists } from '../fs/files.js';
import { oneLine } from '../base/text.js';
import { summarize, summaryLine } from '../overlayfs/upper-diff.js';
import type { System } from '../platform/system.js';
import { canonicalSysroot } from '../probe/probe.js';
import { type Output, type Values, usageError } from './args.js';

function rootOf(sys: System, values: Values): string {
  return values.root === undefined ? '/' : canonicalSysroot(sys, values.root);
}

export function commandStatus(sys: System, positionals: string[], values: Values, io: Output): number {
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, 'status');
  const report = collectStatus(sys, readMountInfo(sys), rootOf(sys, values));
  if (values.json) io.out(JSON.stringify(report, null, 2));
  else for (const l of formatStatus(report)) io.out(l);
  for (const w of report.warnings) io.err(oneLine(`prepare-root: warning: ${w}`));
  return report.result === 'failed' ? STATUS_BOOT_FAILED : 0;
}

/** `status`'s exit status when the boot's record says it failed (1 is `status` itself failing). */
export const STATUS_BOOT_FAILED = 3;

export function commandDiff(sys: System, paths: string[], values: Values, io: Output): number {
  const bad = paths.find((p) => !p.startsWith('/'));
  if (bad !== undefined) throw usageError(`PATH must be absolute: "${bad}"`, 'diff');
  let sets: DiffSet[];
  if (values.upper !== undefined || values.lower !== undefined) {
    if (values.upper === undefined || values.lower === undefined)
      throw usageError('--upper and --lower go together', 'diff');
    if (values.root !== undefined) throw usageError('--root does not apply with --upper/--lower', 'diff');
    sets = [{ path: '/', upper: values.upper, lower: values.lower.split(':').filter(Boolean) }];
    for (const dir of [values.upper, ...sets[0]!.lower]) {
      if (!exists(sys, dir)) throw new PrepareRootError(dir, 'does not exist');
    }
  } else {
    sets = transientSets(sys, readMountInfo(sys), rootOf(sys, values));
    if (sets.length === 0) {
      io.out('no transient overlay is mounted: nothing is lost at reboot');
      return 0;
    }
  }
  const changes = changesOf(sys, sets, paths);
  const summary = summarize(changes);
  if (values.json) {
    io.out(JSON.stringify({ summary, overlays: sets, changes }, null, 2));
    return 0;
  }
  io.out(summaryLine(summary));
  for (const c of changes) {
    io.out(
      `${c.kind.padEnd(8)} ${c.type.padEnd(7)} ${String(c.size).padStart(10)}  ${c.path}${c.from === undefined ? '' : ` (from ${c.from})`}`,
    );
  }
  return 0;
}

export function commandCheckpoint(sys: System, positionals: string[], values: Values, io: Output): number {
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, 'checkpoint');
  const results = checkpointVolatileOverlays(sys, rootOf(sys, values));
  if (results.length === 0) io.out('no volatile overlay to checkpoint');
  for (const r of results) {
    if (r.result === 'ok') io.out(`prepare-root: checkpointed ${r.path}`);
    else
      io.err(
        `prepare-root: ${r.path}: write-back error, not checkpointed (the next boot quarantines the upper): ${r.detail}`,
      );
  }
  return results.every((r) => r.result === 'ok') ? 0 : 1;
}

export function commandRelabel(sys: System, positionals: string[], values: Values, io: Output): number {
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`, 'relabel');
  const outcome = relabelUppers(sys, rootOf(sys, values));
  switch (outcome.state) {
    case 'selinux-off':
      io.out('prepare-root: SELinux is not enabled: nothing to relabel');
      return 0;
    case 'policy-not-loaded':
      io.out('prepare-root: the SELinux policy is not loaded yet: labels set now would not last; nothing done');
      return 0;
    case 'nothing-recorded':
      io.out(`prepare-root: no ${LABELS_FILE} (no tmpfs upper this boot): nothing to relabel`);
      return 0;
  }
  for (const o of outcome.overlays) {
    if (o.skipped !== undefined) {
      io.err(`prepare-root: ${o.path}: not relabelled: ${o.skipped}`);
      continue;
    }
    const notes = [
      ...(o.unrecorded > 0 ? [`${o.unrecorded} made after the record`] : []),
      ...(o.covered > 0 ? [`${o.covered} under another mount, left alone`] : []),
      ...(o.gone > 0 ? [`${o.gone} recorded no longer there`] : []),
      ...(o.failed.length > 0 ? [`${o.failed.length} failed`] : []),
    ];
    io.out(
      `prepare-root: ${o.path}: relabelled ${o.relabelled} of ${o.entries} entries${notes.length === 0 ? '' : ` (${notes.join(', ')})`}`,
    );
    for (const f of o.failed) io.err(`prepare-root: ${f.path}: cannot set its label: ${f.error}`);
  }
  if (outcome.refusedAtBoot > 0)
    io.err(
      `prepare-root: warning: ${outcome.refusedAtBoot} malformed labels were refused at boot (see ${LABELS_FILE})`,
    );
  return outcome.overlays.every((o) => o.skipped === undefined && o.failed.length === 0) ? 0 : 1;
}
