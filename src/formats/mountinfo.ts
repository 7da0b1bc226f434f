// /proc/self/mountinfo parsing: which paths are mount points, and with which options. Used to
// probe facts (is SYSROOT read-only, was it already prepared) and by tests to check the tree.

export interface MountEntry {
  readonly id: number;
  readonly parentId: number;
  /** The path inside its filesystem that is mounted here (FSROOT). */
  readonly root: string;
  readonly target: string;
  /** Per-mount options, e.g. `rw,relatime`. */
  readonly options: readonly string[];
  /** Propagation fields, e.g. `shared:1`, `master:2`; empty = private. */
  readonly optional: readonly string[];
  readonly fstype: string;
  readonly source: string;
  readonly superOptions: readonly string[];
}

// mountinfo escapes space, tab, newline and backslash as octal.
function unescapeField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-', 6);
    if (sep < 0 || fields.length < sep + 4) continue;
    entries.push({
      id: Number(fields[0]),
      parentId: Number(fields[1]),
      root: unescapeField(fields[3]!),
      target: unescapeField(fields[4]!),
      options: fields[5]!.split(','),
      optional: fields.slice(6, sep),
      fstype: fields[sep + 1]!,
      source: unescapeField(fields[sep + 2]!),
      superOptions: fields[sep + 3]!.split(','),
    });
  }
  return entries;
}

/** The mount that is visible at `path` (the last one mounted there), if `path` is a mount point. */
export function mountAt(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  return entries.findLast((e) => e.target === path);
}

/** The mount containing `path` (longest matching mount point; `path` must be canonical). */
export function mountContaining(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const e of entries) {
    const inside = path === e.target || e.target === '/' || path.startsWith(`${e.target}/`);
    if (inside && (best === undefined || e.target.length >= best.target.length)) best = e;
  }
  return best;
}
