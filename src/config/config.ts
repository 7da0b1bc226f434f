// prepare-root.conf → RootConfig, with ostree 2026.4's semantics: the /etc file replaces the
// /usr/lib file wholesale (GLib reloads into one cleared key file), booleans are only
// true/false/1/0, `composefs.enabled` is a tristate or `signed`/`verity`, and the kernel argument
// ostree.prepare-root.composefs overrides the config. Pure: callers read the files.
import { PrepareRootError, type Where, lineOf, whereText } from '../base/errors.js';
import { MAX_TMPFS_BYTES } from '../base/limits.js';
import { shortList } from '../base/text.js';
import { DEFAULT_KEYPATH } from '../base/paths.js';
import { closest } from '../base/suggest.js';
import { type KeyFile, type KeyFileEntry, parseBooleanValue, parseKeyFile } from '../formats/keyfile.js';
import { COMPOSEFS_KARG, RESET_KARG, ROOT_KARG, findKarg, findLastKarg, hasFlag } from './cmdline.js';
import { OVERLAY_GROUP, OVERLAY_KEYS, type OverlayConfig, parseOverlays } from './overlay-config.js';
import { parsePersistPaths } from './persist-config.js';

export type Tristate = 'yes' | 'no' | 'maybe';

export interface Warning {
  /** File:line, key or path the warning is about. */
  readonly where: string;
  readonly message: string;
  /** The config line it is about, when it is about one (for the linter's file order). */
  readonly line?: number;
}

/** A warning about a line of a config file. */
export const lineWarning = (file: string, line: number, message: string): Warning => ({
  where: whereText({ file, line }),
  line,
  message,
});

export interface ConfigSource {
  readonly path: string;
  readonly data: Uint8Array | string;
}

/** How far composefs is trusted beyond mounting it: fs-verity on every file, and a signed commit. */
export type Integrity = 'none' | 'verity' | 'signed';

/**
 * `composefs.enabled` after the kernel argument: off, or `maybe`/`on` (the image is required)
 * with the integrity asked for. The key file of `signed` is read from `keypath` in the initramfs.
 */
export type ComposefsConfig =
  | { readonly mode: 'off'; readonly keypath: string }
  | { readonly mode: 'maybe' | 'on'; readonly integrity: Integrity; readonly keypath: string };

/** What / is: the deployment as it is, or an overlay whose writes vanish at reboot (mounted read-only for transient-ro). */
export type RootMode = 'persistent' | 'transient' | 'transient-ro';

/** `rd.prepare-root=`: this boot's root mode, over the config's; `off` leaves a plain root alone. */
export type RootKarg = 'off' | 'transient' | 'transient-ro';

/** What the kernel command line boots: an ostree deployment (`ostree=`), or a plain root. */
export type BootTarget = 'ostree' | 'plain';

/** A boolean whose parse error only matters if the key is used (ostree evaluates it lazily). */
export type LazyBoolean =
  | { readonly ok: true; readonly value: boolean }
  | { readonly ok: false; readonly error: PrepareRootError };

/** The settings both kinds of root have. */
export interface SharedConfig {
  /** The file whose settings are in effect (the last one that exists), or null for built-in defaults. */
  readonly file: string | null;
  /** The config's root mode, or rd.prepare-root's when that names one. */
  readonly rootMode: RootMode;
  /** rd.prepare-root= as given, null when absent. */
  readonly rootKarg: RootKarg | null;
  /** tmpfs `size=` for the transient root's upper (ours; ostree has none), null = tmpfs default. */
  readonly transientSize: string | null;
  /** `[persist] paths` (ours): paths kept across reboots, bind-mounted from the stateroot /var. */
  readonly persistPaths: readonly string[];
  /** `[overlay PATH]` groups (ours), in mount order. */
  readonly overlays: readonly OverlayConfig[];
}

/** An ostree boot's settings (/etc/ostree/prepare-root.conf and its vendor file). */
export interface OstreeConfig extends SharedConfig {
  readonly kind: 'ostree';
  readonly composefs: ComposefsConfig;
  /** null when not set: the default then depends on composefs and the legacy repo config. */
  readonly sysrootReadonly: boolean | null;
  /** ostree reads etc.transient only in some modes: a bad value matters only there. */
  readonly etcTransient: LazyBoolean;
}

/** A plain root's settings (/etc/prepare-root/prepare-root.conf and its vendor file). */
export interface PlainConfig extends SharedConfig {
  readonly kind: 'plain';
  /**
   * `[root] upper-device`: the root overlay's upper on this block device (LABEL=, UUID=,
   * PARTUUID=, PARTLABEL= or a /dev path) instead of a tmpfs, with its fstype.
   */
  readonly upperDevice: { readonly spec: string; readonly fstype: string } | null;
  /** rd.prepare-root.reset: the upper on the device starts empty this boot. */
  readonly resetUpper: boolean;
  readonly etcTransient: boolean;
  /** `[var] transient`: /var an overlay with a tmpfs upper. */
  readonly varTransient: boolean;
}

export type RootConfig = OstreeConfig | PlainConfig;

/** The config of that kind of boot. */
export type ConfigOf<T extends BootTarget> = Extract<RootConfig, { readonly kind: T }>;

export interface ResolvedConfig<C extends RootConfig = RootConfig> {
  readonly config: C;
  readonly warnings: readonly Warning[];
}

/** composefs.enabled as ostree names its values, for messages. */
export function composefsSetting(c: ComposefsConfig): string {
  if (c.mode === 'off') return 'no';
  if (c.mode === 'maybe') return c.integrity === 'none' ? 'maybe' : `maybe (${c.integrity})`;
  return c.integrity === 'none' ? 'yes' : c.integrity;
}

/** The composefs integrity in effect, or null when composefs is off. */
export function integrityOf(c: ComposefsConfig): Integrity | null {
  return c.mode === 'off' ? null : c.integrity;
}

/** Every key ostree 2026.4 reads, plus ours (marked). Anything else is accepted but warned about. */
export const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  sysroot: ['readonly'],
  root: ['transient', 'transient-ro', 'transient-size', 'upper-device', 'upper-fstype' /* ours */],
  etc: ['transient'],
  var: ['transient' /* ours, plain roots */],
  composefs: ['enabled', 'keypath'],
  persist: ['paths' /* ours */],
};

const KNOWN_NAMES = Object.entries(KNOWN_KEYS).flatMap(([g, keys]) => keys.map((k) => `${g}.${k}`));

export interface LoadedConfig {
  readonly keyFile: KeyFile | null;
  readonly warnings: readonly Warning[];
  /** Groups and keys of the effective file that no boot reads: a warning or an error, by the kind of boot. */
  readonly unknown: readonly UnknownKey[];
}

/** An unknown group or key: where (file:line), what (`unknown key root.transiet`), and the known key closest to it. */
export interface UnknownKey {
  readonly where: Where;
  readonly what: string;
  readonly hint: string | null;
}

/**
 * Parse every existing config file (a syntax error in any is fatal, as GLib parses both) and keep
 * the last one: /etc replaces /usr/lib entirely, without merging keys.
 */
export function loadConfig(sources: readonly ConfigSource[]): LoadedConfig {
  const parsed = sources.map((s) => parseKeyFile(s.data, s.path));
  const effective = parsed.at(-1) ?? null;
  return {
    keyFile: effective,
    warnings: shadowWarnings(parsed),
    unknown: effective === null ? [] : unknownKeys(effective),
  };
}

/** What a later file wipes out of an earlier one and does not set itself: a surprise for anyone expecting a merge. */
export function shadowWarnings(parsed: readonly KeyFile[]): Warning[] {
  const effective = parsed.at(-1);
  if (effective === undefined) return [];
  return parsed.slice(0, -1).flatMap((shadowed) => {
    const lost = [...shadowed.groups].flatMap(([g, keys]) =>
      [...keys.keys()].filter((k) => !effective.groups.get(g)?.has(k)).map((k) => `${g}.${k}`),
    );
    return lost.length === 0
      ? []
      : [
          {
            where: shadowed.file,
            message: `ignored entirely because ${effective.file} exists (no key-level merge, as in ostree); not set there, so lost: ${shortList(lost, 12)}`,
          },
        ];
  });
}

/** Each unknown group or key, with the closest known name. */
function unknownKeys(kf: KeyFile): UnknownKey[] {
  const found: UnknownKey[] = [];
  for (const [group, entries] of kf.groups) {
    const known = OVERLAY_GROUP.test(group) ? OVERLAY_KEYS : KNOWN_KEYS[group];
    for (const [key, entry] of entries) {
      if (known?.includes(key)) continue;
      const name = `${group}.${key}`;
      const hint = closest(name, KNOWN_NAMES);
      const what = known === undefined ? `unknown group [${group}]` : `unknown key ${name}`;
      found.push({ where: { file: kf.file, line: entry.line }, what, hint });
    }
  }
  return found;
}

/**
 * How a boot treats an unknown key: by its kind's rule (an ostree boot ignores it, as ostree does;
 * a plain root's config is ours alone, and a typo there would boot a writable root). `strict`
 * (the linter) makes it an error for every kind.
 */
function unknownKeyFindings(
  unknown: readonly UnknownKey[],
  kind: ConfigKind<BootTarget>,
  strict: boolean,
): { warnings: Warning[]; errors: PrepareRootError[] } {
  const hint = (u: UnknownKey) => (u.hint === null ? '' : ` (did you mean ${u.hint}?)`);
  if (strict || kind.unknownKeyStops !== null) {
    const why = kind.unknownKeyStops ?? 'a boot would ignore it';
    return { warnings: [], errors: unknown.map((u) => new PrepareRootError(u.where, `${u.what}${hint(u)}: ${why}`)) };
  }
  return {
    warnings: unknown.map((u) =>
      'file' in u.where
        ? lineWarning(u.where.file, u.where.line, `${u.what} is ignored${hint(u)}`)
        : { where: whereText(u.where), message: `${u.what} is ignored${hint(u)}` },
    ),
    errors: [],
  };
}

function entryOf(kf: KeyFile | null, group: string, key: string): KeyFileEntry | undefined {
  return kf?.groups.get(group)?.get(key);
}

function booleanKey(kf: KeyFile | null, group: string, key: string, fallback: boolean): boolean {
  const entry = entryOf(kf, group, key);
  return entry === undefined ? fallback : parseBooleanValue(entry, kf!.file, group, key);
}

/** GLib/ostree tristate: the value is whitespace-stripped first. */
export function parseTristate(raw: string): Tristate | null {
  switch (raw.trim()) {
    case 'yes':
    case 'true':
    case '1':
      return 'yes';
    case 'no':
    case 'false':
    case '0':
      return 'no';
    case 'maybe':
      return 'maybe';
    default:
      return null;
  }
}

/** composefs.enabled from the config: a tristate, or exactly `verity`/`signed` (as ostree compares them). */
function composefsFromConfig(kf: KeyFile | null): { enabled: Tristate; integrity: Integrity } {
  const entry = entryOf(kf, 'composefs', 'enabled');
  // `signed` and `verity` are compared raw, as ostree does: `signed ` (trailing space) is invalid.
  if (entry?.value === 'signed') return { enabled: 'yes', integrity: 'signed' };
  if (entry?.value === 'verity') return { enabled: 'yes', integrity: 'verity' };
  if (entry === undefined) return { enabled: 'no', integrity: 'none' };
  const enabled = parseTristate(entry.value);
  if (enabled === null) {
    throw new PrepareRootError(
      { file: kf!.file, line: entry.line },
      `composefs.enabled: invalid value “${entry.value}” (use yes, no, maybe, verity or signed)`,
    );
  }
  return { enabled, integrity: 'none' };
}

/** The karg wins over the config. Only `signed` adds signing; other values clear it but keep required verity. */
function applyComposefsKarg(
  config: { enabled: Tristate; integrity: Integrity },
  cmdline: string,
): { enabled: Tristate; integrity: Integrity } {
  const karg = findKarg(cmdline, COMPOSEFS_KARG);
  if (karg === null) return config;
  if (karg === 'signed') return { enabled: 'yes', integrity: 'signed' };
  const enabled = parseTristate(karg);
  // parseTristate strips whitespace, but a karg cannot contain any, so this matches ostree.
  if (enabled === null) {
    throw new PrepareRootError(
      `kernel argument ${COMPOSEFS_KARG}`,
      `invalid value “${karg}” (use yes, no, maybe or signed; “verity” is only valid in the config)`,
    );
  }
  return { enabled, integrity: config.integrity === 'none' ? 'none' : 'verity' };
}

function composefsOf(kf: KeyFile | null, cmdline: string): ComposefsConfig {
  const keypath = entryOf(kf, 'composefs', 'keypath')?.value ?? DEFAULT_KEYPATH;
  const { enabled, integrity } = applyComposefsKarg(composefsFromConfig(kf), cmdline);
  return enabled === 'no' ? { mode: 'off', keypath } : { mode: enabled === 'yes' ? 'on' : 'maybe', integrity, keypath };
}

/** rd.prepare-root=: the last one wins, so one appended at the boot menu overrides the image's. */
export function rootKargOf(cmdline: string): RootKarg | null {
  const karg = findLastKarg(cmdline, ROOT_KARG);
  if (karg === null || karg === 'off' || karg === 'transient' || karg === 'transient-ro') return karg;
  throw new PrepareRootError(
    `kernel argument ${ROOT_KARG}`,
    `invalid value “${karg}” (use transient, transient-ro or off)`,
  );
}

const DEVICE_SPEC =
  /^(?:(?:LABEL|UUID|PARTUUID|PARTLABEL)=[A-Za-z0-9._-]+|\/dev\/[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*)$/;

/** root.upper-device and root.upper-fstype; the device needs root.transient (it holds that overlay's upper). */
function upperDeviceOf(kf: KeyFile | null, rootMode: RootMode): PlainConfig['upperDevice'] {
  const entry = entryOf(kf, 'root', 'upper-device');
  const fstypeEntry = entryOf(kf, 'root', 'upper-fstype');
  if (entry === undefined) return null;
  const where = { file: kf!.file, line: entry.line };
  const spec = entry.value.trim();
  if (!DEVICE_SPEC.test(spec) || spec.split('/').includes('..')) {
    throw new PrepareRootError(
      where,
      `root.upper-device: “${entry.value}” is not a device (use LABEL=, UUID=, PARTUUID=, PARTLABEL= or a /dev path)`,
    );
  }
  if (rootMode !== 'transient') {
    throw new PrepareRootError(where, "root.upper-device needs root.transient=true (it holds that overlay's upper)");
  }
  const fstype = fstypeEntry?.value.trim() ?? 'ext4';
  if (!/^[a-z0-9]+$/.test(fstype)) {
    throw new PrepareRootError(
      { file: kf!.file, line: fstypeEntry!.line },
      `root.upper-fstype: “${fstype}” is not a filesystem type`,
    );
  }
  return { spec, fstype };
}

const otherKinds = (target: BootTarget) => (Object.keys(CONFIG_KINDS) as BootTarget[]).filter((k) => k !== target);

/** Keys set that only another kind of config reads: they do nothing here. */
function otherKindsKeys(kf: KeyFile | null, target: BootTarget): Warning[] {
  return otherKinds(target)
    .flatMap((k) => CONFIG_KINDS[k].ownKeys)
    .flatMap((name) => {
      const [group, key] = name.split('.') as [string, string];
      const entry = entryOf(kf, group, key);
      return entry === undefined
        ? []
        : [lineWarning(kf!.file, entry.line, `${name} has no effect on ${CONFIG_KINDS[target].reader}`)];
    });
}

function sysrootReadonlyOf(kf: KeyFile | null): boolean | null {
  const entry = entryOf(kf, 'sysroot', 'readonly');
  return entry === undefined ? null : parseBooleanValue(entry, kf!.file, 'sysroot', 'readonly');
}

function rootModeOf(kf: KeyFile | null): RootMode {
  const transient = booleanKey(kf, 'root', 'transient', false);
  const transientRo = booleanKey(kf, 'root', 'transient-ro', false);
  if (transient && transientRo) {
    const line = entryOf(kf, 'root', 'transient-ro')!.line;
    throw new PrepareRootError(
      { file: kf!.file, line },
      'root.transient and root.transient-ro cannot both be set (transient-ro already implies a transient root)',
    );
  }
  return transientRo ? 'transient-ro' : transient ? 'transient' : 'persistent';
}

const TMPFS_SIZE = /^(?:[1-9][0-9]*[kmgtpe]?|(?:[1-9][0-9]?|100)%)$/i;

const SIZE_SUFFIX: Record<string, bigint> = {
  '': 1n,
  k: 1n << 10n,
  m: 1n << 20n,
  g: 1n << 30n,
  t: 1n << 40n,
  p: 1n << 50n,
  e: 1n << 60n,
};

function transientSizeOf(kf: KeyFile | null): string | null {
  const entry = entryOf(kf, 'root', 'transient-size');
  if (entry === undefined) return null;
  const value = entry.value.trim();
  const where = { file: kf!.file, line: entry.line };
  if (!TMPFS_SIZE.test(value)) {
    throw new PrepareRootError(where, `root.transient-size: invalid size “${entry.value}” (use e.g. 2G, 512M or 50%)`);
  }
  if (!value.endsWith('%')) {
    const m = /^(\d+)([kmgtpe]?)$/i.exec(value)!;
    if (BigInt(m[1]!) * SIZE_SUFFIX[m[2]!.toLowerCase()]! >= MAX_TMPFS_BYTES) {
      throw new PrepareRootError(
        where,
        `root.transient-size: “${value}” is more than tmpfs can take (at most 8E, 2^63 bytes)`,
      );
    }
  }
  return value;
}

function lazyBoolean(kf: KeyFile | null, group: string, key: string): LazyBoolean {
  try {
    return { ok: true, value: booleanKey(kf, group, key, false) };
  } catch (e) {
    if (e instanceof PrepareRootError) return { ok: false, error: e };
    throw e;
  }
}

/** The line an error names (file:LINE: ...), for ordering; errors without one go last. */
function lineOrLast(e: PrepareRootError): number {
  return lineOf(e.where) ?? Number.MAX_SAFE_INTEGER;
}

/** Collects a setting's error and goes on with a fallback, so that one bad value does not hide the next. */
type Part = <V>(fn: () => V, fallback: V) => V;

/** A kind's own settings: its config without the shared ones. */
type OwnSettings<K extends BootTarget> = Omit<ConfigOf<K>, keyof SharedConfig | 'kind'>;

/**
 * What sets one kind of config apart: who reads it (for messages), the keys only it reads, how a
 * key no boot reads is taken, and its own settings. A new kind of root is a new record here.
 */
interface ConfigKind<K extends BootTarget> {
  /** For messages: "has no effect on READER". */
  readonly reader: string;
  /** Keys of KNOWN_KEYS that only this kind reads: another kind warns that they do nothing. */
  readonly ownKeys: readonly string[];
  /** Why an unknown key stops this kind's boot, or null: only a warning (the linter makes it an error). */
  readonly unknownKeyStops: string | null;
  /** Whether `[persist] paths` may be under /var (a transient /var would not keep them). */
  varPersists(own: OwnSettings<K>): boolean;
  /**
   * Its keys' values, checked when another kind reads the file: they have no effect there (a
   * warning says so), but a value that is wrong is wrong whatever reads it.
   */
  checkValues(kf: KeyFile | null, cmdline: string, part: Part): void;
  resolve(
    kf: KeyFile | null,
    cmdline: string,
    rootMode: RootMode,
    part: Part,
  ): {
    own: OwnSettings<K>;
    /** Errors a boot of this kind meets only in some modes. */
    deferred: PrepareRootError[];
  };
}

const CONFIG_KINDS: { readonly [K in BootTarget]: ConfigKind<K> } = {
  ostree: {
    reader: 'an ostree boot',
    ownKeys: ['sysroot.readonly', 'composefs.enabled', 'composefs.keypath'],
    unknownKeyStops: null,
    varPersists: () => true,
    checkValues(kf, cmdline, part) {
      part(() => composefsOf(kf, cmdline), null);
      part(() => sysrootReadonlyOf(kf), null);
    },
    resolve(kf, cmdline, _rootMode, part) {
      const off: ComposefsConfig = { mode: 'off', keypath: DEFAULT_KEYPATH };
      const composefs = part(() => composefsOf(kf, cmdline), off);
      const sysrootReadonly = part(() => sysrootReadonlyOf(kf), null);
      // ostree reads etc.transient only in some modes: a bad value matters only there.
      const etcTransient = lazyBoolean(kf, 'etc', 'transient');
      return {
        own: { composefs, sysrootReadonly, etcTransient },
        deferred: etcTransient.ok ? [] : [etcTransient.error],
      };
    },
  },
  plain: {
    reader: 'a plain root (no ostree=)',
    ownKeys: ['var.transient', 'root.upper-device', 'root.upper-fstype'],
    unknownKeyStops: 'a plain root boots only a config it fully understands',
    varPersists: (own) => !own.varTransient,
    checkValues(kf, _cmdline, part) {
      part(() => booleanKey(kf, 'var', 'transient', false), false);
    },
    resolve(kf, cmdline, rootMode, part) {
      return {
        own: {
          upperDevice: part(() => upperDeviceOf(kf, rootMode), null),
          resetUpper: hasFlag(cmdline, RESET_KARG),
          etcTransient: part(() => booleanKey(kf, 'etc', 'transient', false), false),
          varTransient: part(() => booleanKey(kf, 'var', 'transient', false), false),
        },
        deferred: [],
      };
    },
  },
};

/**
 * Every setting resolved on its own, so that one bad value does not hide the next: the errors
 * in the order of their lines. `resolveConfig` stops at the first; the linter reports them all.
 */
export function resolveConfigParts<T extends BootTarget = 'ostree'>(
  loaded: LoadedConfig,
  cmdline: string,
  target: T = 'ostree' as T,
  /** The linter's rules: an unknown key is an error in either kind of config. */
  strict = false,
): {
  resolved: ResolvedConfig<ConfigOf<T>> | null;
  errors: PrepareRootError[];
  /** Errors of keys ostree only reads in some modes (etc.transient): a boot meets them only then. */
  deferred: PrepareRootError[];
} {
  const kf = loaded.keyFile;
  const kind: ConfigKind<T> = CONFIG_KINDS[target];
  const errors: PrepareRootError[] = [];
  const part: Part = (fn, fallback) => {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof PrepareRootError)) throw e;
      errors.push(e);
      return fallback;
    }
  };
  const configRootMode = part(() => rootModeOf(kf), 'persistent' as RootMode);
  const rootKarg = part(() => rootKargOf(cmdline), null);
  const rootMode = rootKarg === 'transient' || rootKarg === 'transient-ro' ? rootKarg : configRootMode;
  const transientSize = part(() => transientSizeOf(kf), null);
  const { own, deferred } = kind.resolve(kf, cmdline, rootMode, part);
  for (const other of otherKinds(target)) CONFIG_KINDS[other].checkValues(kf, cmdline, part);
  const persistEntry = entryOf(kf, 'persist', 'paths');
  const varPersists = kind.varPersists(own);
  const persistPaths =
    persistEntry === undefined ? [] : part(() => parsePersistPaths(persistEntry, kf!.file, varPersists), []);
  const overlays = part(() => parseOverlays(kf), []);
  const unknown = unknownKeyFindings(loaded.unknown, kind, strict);
  errors.push(...unknown.errors);
  const warnings = [...loaded.warnings, ...unknown.warnings, ...otherKindsKeys(kf, target)];
  if (transientSize !== null && rootMode === 'persistent') {
    warnings.push({
      where: 'root.transient-size',
      message: 'has no effect without root.transient or root.transient-ro',
    });
  }
  if (errors.length > 0)
    return { resolved: null, errors: errors.sort((a, b) => lineOrLast(a) - lineOrLast(b)), deferred };
  const shared: SharedConfig = { file: kf?.file ?? null, rootMode, rootKarg, transientSize, persistPaths, overlays };
  // The kind is the target's: `own` is that kind's settings.
  const config = { kind: target, ...shared, ...own } as unknown as ConfigOf<T>;
  return { resolved: { config, warnings }, errors: [], deferred };
}

/** Resolve the effective settings from the loaded key file and the kernel command line; the first error is thrown. */
export function resolveConfig<T extends BootTarget = 'ostree'>(
  loaded: LoadedConfig,
  cmdline: string,
  target: T = 'ostree' as T,
): ResolvedConfig<ConfigOf<T>> {
  const { resolved, errors } = resolveConfigParts(loaded, cmdline, target);
  if (resolved === null) throw errors[0]!;
  return resolved;
}
