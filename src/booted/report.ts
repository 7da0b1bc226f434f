// `prepare-root status`: what is active on the booted system, from /run/prepare-root/status.json
// (ours), /run/ostree-booted (ours or ostree-prepare-root's) and the live mount table.
import { messageOf, reasonOf } from '../base/errors.js';
import { COMPOSEFS_SCRATCH, STAGING_ROOT } from '../base/paths.js';
import { under } from '../base/posix-path.js';
import { oneLine } from '../base/text.js';
import { type MountEntry, mountAt, mountContaining } from '../formats/mountinfo.js';
import type { RootModeName, StatusWarning } from '../formats/status-file.js';
import { readLabel } from '../fs/labels.js';
import type { System } from '../platform/system.js';
import { selinuxActive, selinuxEnforcing, selinuxPolicyLoaded } from '../probe/selinux.js';
import { readLabelsFile, readOstreeBooted, readStatusFile } from './state-files.js';
import { modeOfOstreeBooted } from '../plan/modes.js';

export const REPORT_SCHEMA = 1;
/** A transient tmpfs fuller than this gets a warning: writes fail with ENOSPC when it is full. */
export const TMPFS_WARN_PERCENT = 80;

export interface Backing {
  readonly mountpoint: string;
  readonly fstype: string;
  readonly sizeBytes: number;
  readonly usedBytes: number;
  readonly usedPercent: number;
}

export interface OverlayReport {
  /** Where it is mounted in the booted system ('/', '/etc', ...). */
  readonly path: string;
  readonly role: 'root' | 'etc' | 'other';
  readonly readonly: boolean;
  readonly lower: readonly string[];
  readonly upper: string | null;
  readonly work: string | null;
  /** The filesystem holding the upper: a tmpfs means the changes vanish at reboot. */
  readonly backing: Backing | null;
  readonly transient: boolean;
}

export interface LabelReport {
  /** '/' or '/etc'. */
  readonly path: string;
  /** Its SELinux label now; null when it has none or it cannot be read. */
  readonly label: string | null;
  /** The label of what it stands in for (the image's), null when unknown. */
  readonly lowerLabel: string | null;
  /** Where lowerLabel comes from: labels.json (copied from the lower at boot) or the lower layer itself. */
  readonly lowerFrom: string | null;
}

export interface SelinuxReport {
  readonly policyLoaded: boolean;
  readonly enforcing: boolean | null;
  /** / and /etc when they are overlays. */
  readonly labels: readonly LabelReport[];
}

/** A failed boot, from its record: what stopped it, and what of its work was undone. */
export interface FailureReport {
  readonly error: string;
  /** Steps that had been done and were undone. */
  readonly rolledBack: readonly string[];
  /** Steps whose undo failed: still in place. */
  readonly notRolledBack: readonly string[];
}

export interface StatusReport {
  readonly schema: typeof REPORT_SCHEMA;
  /** What status.json says of this boot: null when prepare-root did not run (or left no record). */
  readonly result: 'prepared' | 'untouched' | 'failed' | null;
  /** The failure, when result is failed. */
  readonly failure: FailureReport | null;
  /** Who prepared this boot: we know ours by status.json, ostree's by /run/ostree-booted alone. */
  readonly preparedBy: 'prepare-root' | 'ostree-prepare-root' | null;
  readonly mode: RootModeName | null;
  readonly deployment: string | null;
  readonly sysrootReadonly: boolean | null;
  /** A plain root's physical root, read-only (null on ostree boots: it is /sysroot there). */
  readonly physicalRoot: string | null;
  /** Why a plain root was left as it was at boot (nothing asked for, or rd.prepare-root=off). */
  readonly untouched: string | null;
  readonly integrity: { readonly composefs: boolean; readonly verity: boolean; readonly signedWith: string | null };
  readonly ostreeBooted: Readonly<Record<string, unknown>> | null;
  readonly overlays: readonly OverlayReport[];
  /** Paths kept across reboots ([persist] paths) and their stores. */
  readonly persisted: ReadonlyArray<{ readonly path: string; readonly store: string }>;
  readonly bootWarnings: readonly StatusWarning[];
  /** What the boot announced (what a transient root loses at reboot). */
  readonly bootNotices: readonly StatusWarning[];
  /** null when SELinux is not enabled. */
  readonly selinux: SelinuxReport | null;
  readonly warnings: readonly string[];
}

/** Overlay super options: comma-separated, with backslash escapes. */
function parseOverlayOptions(options: readonly string[]): {
  lower: string[];
  upper: string | null;
  work: string | null;
} {
  const joined = options.join(',');
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i]!;
    if (c === '\\' && i + 1 < joined.length) current += joined[++i];
    else if (c === ',') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  const lower: string[] = [];
  let upper: string | null = null;
  let work: string | null = null;
  for (const p of parts) {
    const [key, ...rest] = p.split('=');
    const value = rest.join('=');
    // lowerdir=A:B (data-only layers after '::'), or the new API's lowerdir+= / datadir+= per layer.
    if (key === 'lowerdir') lower.push(...value.split(/::?/).filter(Boolean));
    else if (key === 'lowerdir+' || key === 'datadir+') lower.push(value);
    else if (key === 'upperdir') upper = value;
    else if (key === 'workdir') work = value;
  }
  return { lower, upper, work };
}

function backingOf(sys: System, mounts: readonly MountEntry[], path: string, warnings: string[]): Backing | null {
  const m = mountContaining(mounts, path);
  if (m === undefined) return null;
  let size = 0;
  let used = 0;
  try {
    const s = sys.statfs(m.target);
    size = s.blocks * s.blockSize;
    used = (s.blocks - s.free) * s.blockSize;
  } catch (e) {
    // A mount outside our view (e.g. --root on another tree): its size stays unknown (0), and we say so.
    warnings.push(`${m.target}: cannot tell how full it is (${reasonOf(e)})`);
  }
  return {
    mountpoint: m.target,
    fstype: m.fstype,
    sizeBytes: size,
    usedBytes: used,
    usedPercent: size === 0 ? 0 : Math.round((used / size) * 1000) / 10,
  };
}

function labelOrNull(sys: System, path: string): string | null {
  try {
    return readLabel(sys, path);
  } catch {
    return null;
  }
}

/**
 * The labels of / and /etc when they are overlays, next to their lowers': the one labels.json
 * recorded for the upper's root (copied from the lower at boot), else the top lower layer's own
 * when it can still be read (not the composefs scratch point, empty once the image is detached).
 */
function selinuxReport(
  sys: System,
  root: string,
  overlays: readonly OverlayReport[],
  warnings: string[],
): SelinuxReport {
  let recorded: ReturnType<typeof readLabelsFile> = null;
  try {
    recorded = readLabelsFile(sys);
  } catch (e) {
    warnings.push(messageOf(e));
  }
  const loaded = selinuxPolicyLoaded(sys);
  const labels = overlays
    .filter((o) => o.role !== 'other')
    .map((o): LabelReport => {
      const fromRecord = recorded?.overlays.find((r) => r.path === o.path)?.entries.find(([rel]) => rel === '')?.[1];
      const lower = o.lower[0];
      const fromLower =
        fromRecord === undefined && lower !== undefined && lower !== COMPOSEFS_SCRATCH ? labelOrNull(sys, lower) : null;
      const lowerLabel = fromRecord ?? fromLower;
      return {
        path: o.path,
        label: labelOrNull(sys, under(root, o.path)),
        lowerLabel,
        lowerFrom: fromRecord !== undefined ? 'labels.json' : fromLower !== null ? lower! : null,
      };
    });
  for (const l of labels) {
    if (l.label === null || l.lowerLabel === null || l.label === l.lowerLabel) continue;
    const fix = !loaded
      ? 'the policy is not loaded yet'
      : recorded !== null
        ? "prepare-root-relabel.service should have given it the image's label: see its log, or run prepare-root relabel"
        : 'labelled from its tmpfs upper, not from the image';
    warnings.push(`${l.path}: SELinux label ${l.label}, but its lower has ${l.lowerLabel} (${fix})`);
  }
  return { policyLoaded: loaded, enforcing: selinuxEnforcing(sys), labels };
}

/** `root` is where the booted root is mounted: / on the booted system. */
export function collectStatus(sys: System, mounts: readonly MountEntry[], root = '/'): StatusReport {
  const status = readStatusFile(sys);
  const booted = readOstreeBooted(sys);
  const overlays: OverlayReport[] = [];
  const unknownSizes: string[] = [];
  for (const m of mounts) {
    if (m.fstype !== 'overlay') continue;
    const inside = m.target === root || m.target.startsWith(root === '/' ? '/' : `${root}/`);
    if (!inside) continue;
    const path = root === '/' ? m.target : m.target.slice(root.length) || '/';
    if (mountAt(mounts, m.target) !== m) continue; // shadowed by a later mount
    const { lower: mountedLower, upper, work } = parseOverlayOptions(m.superOptions);
    // Layers given as /sysroot.tmp/... (the assembly point, gone after the move) are in the root now.
    const lower = mountedLower.map((l) =>
      l === STAGING_ROOT || l.startsWith(`${STAGING_ROOT}/`) ? under(root, l.slice(STAGING_ROOT.length) || '/') : l,
    );
    const backing = upper === null ? null : backingOf(sys, mounts, upper, unknownSizes);
    overlays.push({
      path,
      role: path === '/' ? 'root' : path === '/etc' ? 'etc' : 'other',
      readonly: m.options.includes('ro'),
      lower,
      upper,
      work,
      backing,
      transient: backing?.fstype === 'tmpfs',
    });
  }
  const warnings = [
    ...overlays
      .filter((o) => o.transient && o.backing !== null && o.backing.usedPercent > TMPFS_WARN_PERCENT)
      .map(
        (o) =>
          `${o.path}: the tmpfs holding its changes (${o.backing!.mountpoint}) is ${o.backing!.usedPercent}% full; writes fail when it is full`,
      ),
    ...unknownSizes,
  ];
  const selinux = selinuxActive(sys) ? selinuxReport(sys, root, overlays, warnings) : null;
  const plain = status !== null && status.result === 'prepared' && status.deployment === null ? status : null;
  return {
    schema: REPORT_SCHEMA,
    result: status?.result ?? null,
    failure:
      status?.result === 'failed'
        ? {
            error: status.error ?? '',
            rolledBack: status.executed.filter((e) => e.status === 'undone').map((e) => e.id),
            notRolledBack: status.executed.filter((e) => e.status === 'undo-failed').map((e) => e.id),
          }
        : null,
    preparedBy:
      status !== null && status.result === 'prepared' ? 'prepare-root' : booted !== null ? 'ostree-prepare-root' : null,
    mode: booted !== null ? modeOfOstreeBooted(booted) : (plain?.mode ?? null),
    deployment: status?.deployment ?? null,
    sysrootReadonly: booted === null ? null : booted['sysroot-ro'] === true,
    physicalRoot: plain?.physicalRoot ?? null,
    untouched: status?.result === 'untouched' ? (status.untouched ?? '') : null,
    integrity: {
      composefs: booted?.composefs === true,
      verity: booted?.['composefs.verity'] === true,
      signedWith: typeof booted?.['composefs.signed'] === 'string' ? (booted['composefs.signed'] as string) : null,
    },
    ostreeBooted: booted,
    overlays,
    persisted: status?.result === 'prepared' ? (status.persisted ?? []) : [],
    bootWarnings: status?.warnings ?? [],
    bootNotices: status?.notices ?? [],
    selinux,
    warnings,
  };
}

function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

function headLines(r: StatusReport): string[] {
  if (r.physicalRoot !== null)
    return [
      `prepared by:      ${r.preparedBy}`,
      `mode:             ${r.mode}`,
      `physical root:    ${r.physicalRoot} (read-only)`,
    ];
  return [
    `prepared by:      ${r.preparedBy}`,
    `mode:             ${r.mode}`,
    ...(r.deployment === null ? [] : [`deployment:       ${r.deployment}`]),
    `sysroot:          ${r.sysrootReadonly ? 'read-only' : 'writable'}`,
    `integrity:        composefs ${r.integrity.composefs ? 'yes' : 'no'}, verity ${r.integrity.verity ? 'required' : 'no'}, signature ${r.integrity.signedWith === null ? 'no' : `checked with ${r.integrity.signedWith}`}`,
  ];
}

/** A failed boot: the error, and what was undone; then what is there now (it may be nothing). */
function failureLines(f: FailureReport): string[] {
  return [
    `boot failed:      ${f.error}`,
    `rolled back:      ${f.rolledBack.length === 0 ? 'nothing had been done' : `${f.rolledBack.length} steps (${f.rolledBack.join(', ')})`}`,
    ...(f.notRolledBack.length === 0 ? [] : [`NOT rolled back:  ${f.notRolledBack.join(', ')} (their undo failed)`]),
  ];
}

export function formatStatus(r: StatusReport): string[] {
  const failed = r.failure === null ? [] : failureLines(r.failure);
  const atBoot = [
    ...r.bootNotices.map((n) => `notice at boot: ${n.where}: ${n.message}`),
    ...r.bootWarnings.map((w) => `warning at boot: ${w.where}: ${w.message}`),
  ];
  if (r.ostreeBooted === null && r.physicalRoot === null)
    return [
      ...failed,
      ...(r.failure !== null
        ? []
        : [
            r.untouched === null
              ? 'not prepared at this boot: no /run/prepare-root/status.json and no /run/ostree-booted'
              : `root left as it was at boot: ${r.untouched}`,
          ]),
      ...atBoot,
      ...r.warnings.map((w) => `warning: ${w}`),
    ].map((l) => oneLine(l));
  const lines = [...failed, ...headLines(r)];
  for (const o of r.overlays) {
    lines.push(
      `overlay ${o.path} (${o.role}${o.readonly ? ', read-only' : ''}): changes ${o.transient ? 'vanish at reboot' : 'persist'}`,
    );
    lines.push(`  lower: ${o.lower.join(' : ') || '-'}`);
    lines.push(`  upper: ${o.upper ?? '-'}`);
    if (o.backing !== null) {
      lines.push(
        `  on:    ${o.backing.fstype} ${o.backing.mountpoint}, ${size(o.backing.usedBytes)} used of ${size(o.backing.sizeBytes)} (${o.backing.usedPercent}%)`,
      );
    }
  }
  for (const p of r.persisted) lines.push(`persisted ${p.path}: from ${p.store}`);
  if (r.selinux !== null) {
    const mode = r.selinux.enforcing === null ? '' : r.selinux.enforcing ? ', enforcing' : ', permissive';
    lines.push(`selinux:          ${r.selinux.policyLoaded ? `policy loaded${mode}` : 'enabled, policy not loaded'}`);
    for (const l of r.selinux.labels) {
      lines.push(
        `  label ${l.path.padEnd(5)} ${l.label ?? '(none)'}${l.lowerLabel === null ? '' : `, lower ${l.lowerLabel} (${l.lowerFrom})`}`,
      );
    }
  }
  lines.push(...atBoot);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  // Paths, labels and messages come from the system: every line escaped.
  return lines.map((l) => oneLine(l));
}
