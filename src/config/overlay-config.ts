// `[overlay /opt]` groups: writable overlays on paths of the new root, set up in the initramfs.
// lower= (':'-separated paths of the new root, default the path itself; a lower may be another
// declared overlay), upper=state (persistent, under the stateroot /var, pruned by ostree's rebase
// rule when the deployment changes) or upper=transient (tmpfs).
import { PrepareRootError } from '../base/errors.js';
import { isUnder } from '../base/posix-path.js';
import { type KeyFile, parseBooleanValue } from '../formats/keyfile.js';
import { refusedPath } from './path-rules.js';

export interface OverlayConfig {
  readonly path: string;
  readonly lower: readonly string[];
  readonly upper: 'state' | 'transient';
  readonly volatile: boolean;
  /** Where it was declared, for messages. */
  readonly where: string;
}

export const OVERLAY_GROUP = /^overlay (.*)$/;
export const OVERLAY_KEYS = ['lower', 'upper', 'volatile'];
function checkPath(p: string, where: string, what: string): void {
  const refused = refusedPath(p, 'use root.transient instead', true);
  if (refused !== null) throw new PrepareRootError(where, `${what}: “${p}” ${refused}`);
}

export function parseOverlays(kf: KeyFile | null): OverlayConfig[] {
  if (kf === null) return [];
  const overlays: OverlayConfig[] = [];
  for (const [group, entries] of kf.groups) {
    const m = OVERLAY_GROUP.exec(group);
    if (m === null) continue;
    const header = kf.groupLines?.get(group);
    const where = `${kf.file}${header === undefined ? '' : `:${header}`}`;
    const p = m[1]!;
    checkPath(p, where, `[${group}]`);
    const lowerEntry = entries.get('lower');
    const lower = lowerEntry === undefined ? [p] : lowerEntry.value.trim().split(':').filter((l) => l !== '');
    if (lower.length === 0) throw new PrepareRootError(`${kf.file}:${lowerEntry!.line}`, `[${group}] lower: no layers`);
    lower.forEach((l) => { if (l !== p) checkPath(l, `${kf.file}:${lowerEntry!.line}`, `[${group}] lower`); });
    const upperEntry = entries.get('upper');
    const upper = (upperEntry?.value.trim() ?? 'state');
    if (upper !== 'state' && upper !== 'transient') {
      throw new PrepareRootError(`${kf.file}:${upperEntry!.line}`, `[${group}] upper: “${upper}” is not state or transient`);
    }
    const volatileEntry = entries.get('volatile');
    const volatile = volatileEntry === undefined ? false : parseBooleanValue(volatileEntry, kf.file, group, 'volatile');
    if (volatile && upper !== 'state') {
      throw new PrepareRootError(`${kf.file}:${volatileEntry!.line}`, `[${group}] volatile: only applies to upper=state (a transient upper is gone at reboot anyway)`);
    }
    overlays.push({ path: p, lower, upper, volatile, where });
  }
  overlays.forEach((a, i) => overlays.slice(i + 1).forEach((b) => {
    if (isUnder(a.path, b.path) || isUnder(b.path, a.path)) {
      throw new PrepareRootError(b.where, `[overlay ${b.path}] and [overlay ${a.path}] overlap: declare one, or use the other as its lower`);
    }
  }));
  return orderByLowers(overlays);
}

/** Overlays whose lower is (inside) another declared overlay are mounted after it; cycles are refused. */
function orderByLowers(overlays: OverlayConfig[]): OverlayConfig[] {
  const ordered: OverlayConfig[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (o: OverlayConfig, chain: string[]): void => {
    if (state.get(o.path) === 'done') return;
    if (state.get(o.path) === 'visiting') {
      throw new PrepareRootError(o.where, `overlays stack on each other in a cycle: ${[...chain, o.path].join(' → ')}`);
    }
    state.set(o.path, 'visiting');
    for (const l of o.lower) {
      const under = overlays.find((other) => other !== o && isUnder(l, other.path));
      if (under !== undefined) visit(under, [...chain, o.path]);
    }
    state.set(o.path, 'done');
    ordered.push(o);
  };
  overlays.forEach((o) => visit(o, []));
  return ordered;
}
