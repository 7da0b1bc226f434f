// `[overlay /opt]` groups: writable overlays on paths of the new root, set up in the initramfs.
// lower= (':'-separated paths of the new root, default the path itself; a lower may be another
// declared overlay), upper=state (persistent, under the stateroot /var, pruned by ostree's rebase
// rule when the deployment changes) or upper=transient (tmpfs).
import { PrepareRootError, type Where } from '../base/errors.js';
import { MAX_OVERLAYS, MAX_OVERLAY_LOWERS } from '../base/limits.js';
import { dirname, findNested } from '../base/posix-path.js';
import { type KeyFile, parseBooleanValue } from '../formats/keyfile.js';
import { refusedPath } from './path-rules.js';

export interface OverlayConfig {
  readonly path: string;
  readonly lower: readonly string[];
  readonly upper: 'state' | 'transient';
  readonly volatile: boolean;
  /** Where it was declared, for messages. */
  readonly where: Where;
}

export const OVERLAY_GROUP = /^overlay (.*)$/;
export const OVERLAY_KEYS = ['lower', 'upper', 'volatile'];
function checkPath(p: string, where: Where, what: string): void {
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
    const where: Where = header === undefined ? { name: kf.file } : { file: kf.file, line: header };
    if (overlays.length === MAX_OVERLAYS) {
      throw new PrepareRootError(
        where,
        `[${group}]: more than ${MAX_OVERLAYS} [overlay] groups (a limit of prepare-root)`,
      );
    }
    const p = m[1]!;
    checkPath(p, where, `[${group}]`);
    const lowerEntry = entries.get('lower');
    const lower =
      lowerEntry === undefined
        ? [p]
        : lowerEntry.value
            .trim()
            .split(':')
            .filter((l) => l !== '');
    if (lower.length === 0)
      throw new PrepareRootError({ file: kf.file, line: lowerEntry!.line }, `[${group}] lower: no layers`);
    if (lower.length > MAX_OVERLAY_LOWERS) {
      throw new PrepareRootError(
        { file: kf.file, line: lowerEntry!.line },
        `[${group}] lower: ${lower.length} layers, more than overlayfs stacks (${MAX_OVERLAY_LOWERS})`,
      );
    }
    lower.forEach((l) => {
      if (l !== p) checkPath(l, { file: kf.file, line: lowerEntry!.line }, `[${group}] lower`);
    });
    const upperEntry = entries.get('upper');
    const upper = upperEntry?.value.trim() ?? 'state';
    if (upper !== 'state' && upper !== 'transient') {
      throw new PrepareRootError(
        { file: kf.file, line: upperEntry!.line },
        `[${group}] upper: “${upper}” is not state or transient`,
      );
    }
    const volatileEntry = entries.get('volatile');
    const volatile = volatileEntry === undefined ? false : parseBooleanValue(volatileEntry, kf.file, group, 'volatile');
    if (volatile && upper !== 'state') {
      throw new PrepareRootError(
        { file: kf.file, line: volatileEntry!.line },
        `[${group}] volatile: only applies to upper=state (a transient upper is gone at reboot anyway)`,
      );
    }
    overlays.push({ path: p, lower, upper, volatile, where });
  }
  const nested = findNested(overlays, (o) => o.path);
  if (nested !== null) {
    const [a, b] = nested;
    throw new PrepareRootError(
      b.where,
      `[overlay ${b.path}] and [overlay ${a.path}] overlap: declare one, or use the other as its lower`,
    );
  }
  return orderByLowers(overlays);
}

/**
 * Overlays whose lower is (inside) another declared overlay are mounted after it; cycles are
 * refused. Depth first without recursion (a long chain must not exhaust the stack), each lower's
 * overlay found through its ancestors.
 */
function orderByLowers(overlays: OverlayConfig[]): OverlayConfig[] {
  const byPath = new Map(overlays.map((o) => [o.path, o]));
  const containing = (path: string): OverlayConfig | undefined => {
    for (let p = path; ; p = dirname(p)) {
      const o = byPath.get(p);
      if (o !== undefined || p === '/') return o;
    }
  };
  const ordered: OverlayConfig[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  for (const start of overlays) {
    if (state.has(start.path)) continue;
    const stack = [{ o: start, next: 0 }];
    state.set(start.path, 'visiting');
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      if (top.next === top.o.lower.length) {
        state.set(top.o.path, 'done');
        ordered.push(top.o);
        stack.pop();
        continue;
      }
      const dep = containing(top.o.lower[top.next++]!);
      if (dep === undefined || dep === top.o || state.get(dep.path) === 'done') continue;
      if (state.get(dep.path) === 'visiting') {
        throw new PrepareRootError(
          dep.where,
          `overlays stack on each other in a cycle: ${[...stack.map((f) => f.o.path), dep.path].join(' → ')}`,
        );
      }
      state.set(dep.path, 'visiting');
      stack.push({ o: dep, next: 0 });
    }
  }
  return ordered;
}
