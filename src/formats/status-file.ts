// /run/prepare-root/status.json: what was decided and done at boot, for `prepare-root status`,
// `checkpoint`, VM boot tests and humans (README, "State for userspace"; the JSON of
// `status --json` is another document, docs/status.schema.json). Schema versioned; additive
// changes only within a version. The one reader checks the shape before anything relies on it.

export const STATUS_SCHEMA = 1;

/** What / was made: ostree's modes, then plain roots' (no ostree=). */
export const ROOT_MODES = [
  'legacy',
  'composefs',
  'transient',
  'transient-ro',
  'plain',
  'plain-transient',
  'plain-transient-ro',
  'plain-overlay',
] as const;
export type RootModeName = (typeof ROOT_MODES)[number];

export interface StatusWarning {
  readonly where: string;
  readonly message: string;
}

export interface StatusOverlay {
  readonly path: string;
  readonly lower: readonly string[];
  readonly upper: 'state' | 'transient';
  /** The overlay's own dir as the booted system sees it (upper/, work/, bookkeeping). */
  readonly dir: string;
  readonly upperDir: string;
  readonly pruned: boolean;
  readonly volatile: boolean;
}

export interface StatusStep {
  readonly id: string;
  readonly kind: string;
  readonly command: string;
  readonly reason: string;
}

export interface StatusExecuted {
  readonly id: string;
  readonly command: string;
  readonly status: 'done' | 'failed' | 'undone' | 'undo-failed' | 'kept';
  readonly variant?: string;
  readonly error?: string;
  readonly undo?: string;
}

export interface StatusFile {
  readonly schema: typeof STATUS_SCHEMA;
  readonly version: string;
  /** untouched: a plain root that asked for nothing (or rd.prepare-root=off), left as it was. */
  readonly result: 'prepared' | 'failed' | 'untouched';
  /** Why it was left untouched. */
  readonly untouched?: string;
  readonly time: string;
  readonly sysroot: string;
  readonly handover: 'systemd' | 'pivot';
  readonly configFile: string | null;
  readonly mode: RootModeName | null;
  readonly deployment: string | null;
  readonly sysrootReadonly: boolean | null;
  /** A plain root's physical root in the booted system, read-only. */
  readonly physicalRoot?: string | null;
  readonly ostreeBooted: Readonly<Record<string, unknown>> | null;
  readonly persisted: ReadonlyArray<{ readonly path: string; readonly store: string }>;
  readonly overlays: readonly StatusOverlay[];
  readonly plan: readonly StatusStep[];
  readonly executed: readonly StatusExecuted[];
  readonly warnings: readonly StatusWarning[];
  /** What was asked for and announced at boot (what a transient root loses at reboot). */
  readonly notices?: readonly StatusWarning[];
  /** The boot this record is of (/proc/sys/kernel/random/boot_id), `unknown` without /proc. */
  readonly bootId?: string;
  readonly error: string | null;
}

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const bool: Check = (v) => typeof v === 'boolean';
const nullable =
  (c: Check): Check =>
  (v) =>
    v === null || c(v);
const arrayOf =
  (c: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(c);
const oneOf =
  (...values: unknown[]): Check =>
  (v) =>
    values.includes(v);
const record =
  (fields: Record<string, Check>, optional: Record<string, Check> = {}): Check =>
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.entries(fields).every(([k, c]) => c((v as Record<string, unknown>)[k])) &&
    Object.entries(optional).every(([k, c]) => !(k in v) || c((v as Record<string, unknown>)[k]));

const FIELDS: Record<string, Check> = {
  schema: oneOf(STATUS_SCHEMA),
  version: str,
  result: oneOf('prepared', 'failed', 'untouched'),
  time: str,
  sysroot: str,
  handover: oneOf('systemd', 'pivot'),
  configFile: nullable(str),
  mode: oneOf(...ROOT_MODES, null),
  deployment: nullable(str),
  sysrootReadonly: nullable(bool),
  ostreeBooted: nullable(record({})),
  persisted: arrayOf(record({ path: str, store: str })),
  overlays: arrayOf(
    record({
      path: str,
      lower: arrayOf(str),
      upper: oneOf('state', 'transient'),
      dir: str,
      upperDir: str,
      pruned: bool,
      volatile: bool,
    }),
  ),
  plan: arrayOf(record({ id: str, kind: str, command: str, reason: str })),
  executed: arrayOf(
    record(
      { id: str, command: str, status: oneOf('done', 'failed', 'undone', 'undo-failed', 'kept') },
      { variant: str, error: str, undo: str },
    ),
  ),
  warnings: arrayOf(record({ where: str, message: str })),
  error: nullable(str),
};

/** Fields added within schema 1: absent in files written before them. */
const OPTIONAL: Record<string, Check> = {
  untouched: str,
  physicalRoot: nullable(str),
  notices: arrayOf(record({ where: str, message: str })),
  bootId: str,
};

/** The status file's content, or a one-line reason why it is not one (wrong JSON, field, schema). */
export function parseStatusFile(text: string): StatusFile | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const v = value as Record<string, unknown>;
  if (v.schema !== STATUS_SCHEMA) return `schema ${JSON.stringify(v.schema)} is not ${STATUS_SCHEMA}`;
  const bad =
    Object.entries(FIELDS).find(([k, check]) => !check(v[k])) ??
    Object.entries(OPTIONAL).find(([k, check]) => k in v && !check(v[k]));
  return bad === undefined ? (value as StatusFile) : `field ${bad[0]} is missing or malformed`;
}
