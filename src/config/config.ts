// prepare-root.conf → RootConfig, with ostree 2026.4's semantics: the /etc file replaces the
// /usr/lib file wholesale (GLib reloads into one cleared key file), booleans are only
// true/false/1/0, `composefs.enabled` is a tristate or `signed`/`verity`, and the kernel argument
// ostree.prepare-root.composefs overrides the config. Pure: callers read the files.
import { PrepareRootError } from '../base/errors.js';
import { DEFAULT_KEYPATH } from '../base/paths.js';
import { closest } from '../base/suggest.js';
import { type KeyFile, type KeyFileEntry, parseBooleanValue, parseKeyFile } from '../formats/keyfile.js';
import { COMPOSEFS_KARG, findKarg } from './cmdline.js';
import { OVERLAY_GROUP, OVERLAY_KEYS, type OverlayConfig, parseOverlays } from './overlay-config.js';
import { parsePersistPaths } from './persist-config.js';

export type Tristate = 'yes' | 'no' | 'maybe';

export interface Warning {
  /** File:line, key or path the warning is about. */
  readonly where: string;
  readonly message: string;
}

export interface ConfigSource {
  readonly path: string;
  readonly data: Uint8Array | string;
}

export interface ComposefsConfig {
  readonly enabled: Tristate;
  readonly requireVerity: boolean;
  readonly signed: boolean;
  readonly keypath: string;
}

/** A boolean whose parse error only matters if the key is used (ostree evaluates it lazily). */
export type LazyBoolean = { readonly ok: true; readonly value: boolean } | { readonly ok: false; readonly error: PrepareRootError };

export interface RootConfig {
  /** The file whose settings are in effect (the last one that exists), or null for built-in defaults. */
  readonly file: string | null;
  readonly composefs: ComposefsConfig;
  /** null when not set: the default then depends on composefs and the legacy repo config. */
  readonly sysrootReadonly: boolean | null;
  /** True for transient-ro too: callers test one flag (as ostree normalises it). */
  readonly rootTransient: boolean;
  readonly rootTransientRo: boolean;
  /** tmpfs `size=` for the transient root's upper (ours; ostree has none), null = tmpfs default. */
  readonly transientSize: string | null;
  readonly etcTransient: LazyBoolean;
  /** `[persist] paths` (ours): paths kept across reboots, bind-mounted from the stateroot /var. */
  readonly persistPaths: readonly string[];
  /** `[overlay PATH]` groups (ours), in mount order. */
  readonly overlays: readonly OverlayConfig[];
  readonly warnings: readonly Warning[];
}

/** Every key ostree 2026.4 reads, plus ours (marked). Anything else is accepted but warned about. */
export const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  sysroot: ['readonly'],
  root: ['transient', 'transient-ro', 'transient-size' /* ours */],
  etc: ['transient'],
  composefs: ['enabled', 'keypath'],
  persist: ['paths' /* ours */],
};

const KNOWN_NAMES = Object.entries(KNOWN_KEYS).flatMap(([g, keys]) => keys.map((k) => `${g}.${k}`));

export interface LoadedConfig {
  readonly keyFile: KeyFile | null;
  readonly warnings: readonly Warning[];
}

/**
 * Parse every existing config file (a syntax error in any is fatal, as GLib parses both) and keep
 * the last one: /etc replaces /usr/lib entirely, without merging keys.
 */
export function loadConfig(sources: readonly ConfigSource[]): LoadedConfig {
  const parsed = sources.map((s) => parseKeyFile(s.data, s.path));
  const effective = parsed.at(-1) ?? null;
  const warnings = [...shadowWarnings(parsed)];
  if (effective !== null) warnings.push(...unknownKeyWarnings(effective));
  return { keyFile: effective, warnings };
}

/** What a later file wipes out of an earlier one: a surprise for anyone expecting a merge. */
export function shadowWarnings(parsed: readonly KeyFile[]): Warning[] {
  const effective = parsed.at(-1);
  if (effective === undefined) return [];
  return parsed.slice(0, -1).flatMap((shadowed) => {
    const lost = [...shadowed.groups].flatMap(([g, keys]) => [...keys.keys()].map((k) => `${g}.${k}`));
    return lost.length === 0 ? [] : [{
      where: shadowed.file,
      message: `ignored entirely because ${effective.file} exists (no key-level merge, as in ostree); lost: ${lost.join(', ')}`,
    }];
  });
}

function unknownKeyWarnings(kf: KeyFile): Warning[] {
  const warnings: Warning[] = [];
  for (const [group, entries] of kf.groups) {
    const known = OVERLAY_GROUP.test(group) ? OVERLAY_KEYS : KNOWN_KEYS[group];
    for (const [key, entry] of entries) {
      if (known?.includes(key)) continue;
      const name = `${group}.${key}`;
      const hint = closest(name, KNOWN_NAMES);
      const what = known === undefined ? `unknown group [${group}]` : `unknown key ${name}`;
      warnings.push({
        where: `${kf.file}:${entry.line}`,
        message: `${what} is ignored${hint === null ? '' : ` (did you mean ${hint}?)`}`,
      });
    }
  }
  return warnings;
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
    case 'yes': case 'true': case '1': return 'yes';
    case 'no': case 'false': case '0': return 'no';
    case 'maybe': return 'maybe';
    default: return null;
  }
}

function composefsFromConfig(kf: KeyFile | null): ComposefsConfig {
  const entry = entryOf(kf, 'composefs', 'enabled');
  const keypath = entryOf(kf, 'composefs', 'keypath')?.value ?? DEFAULT_KEYPATH;
  // `signed` and `verity` are compared raw, as ostree does: `signed ` (trailing space) is invalid.
  if (entry?.value === 'signed') return { enabled: 'yes', requireVerity: true, signed: true, keypath };
  if (entry?.value === 'verity') return { enabled: 'yes', requireVerity: true, signed: false, keypath };
  if (entry === undefined) return { enabled: 'no', requireVerity: false, signed: false, keypath };
  const enabled = parseTristate(entry.value);
  if (enabled === null) {
    throw new PrepareRootError(`${kf!.file}:${entry.line}`,
      `composefs.enabled: invalid value “${entry.value}” (use yes, no, maybe, verity or signed)`);
  }
  return { enabled, requireVerity: false, signed: false, keypath };
}

/** The karg wins over the config. Only `signed` adds signing; other values clear it but keep require-verity. */
function applyComposefsKarg(config: ComposefsConfig, cmdline: string): ComposefsConfig {
  const karg = findKarg(cmdline, COMPOSEFS_KARG);
  if (karg === null) return config;
  if (karg === 'signed') return { ...config, enabled: 'yes', requireVerity: true, signed: true };
  const enabled = parseTristate(karg);
  // parseTristate strips whitespace, but a karg cannot contain any, so this matches ostree.
  if (enabled === null) {
    throw new PrepareRootError(`kernel argument ${COMPOSEFS_KARG}`,
      `invalid value “${karg}” (use yes, no, maybe or signed; “verity” is only valid in the config)`);
  }
  return { ...config, enabled, signed: false };
}

const TMPFS_SIZE = /^(?:[1-9][0-9]*[kmgtpe]?|(?:[1-9][0-9]?|100)%)$/i;

function transientSizeOf(kf: KeyFile | null): string | null {
  const entry = entryOf(kf, 'root', 'transient-size');
  if (entry === undefined) return null;
  const value = entry.value.trim();
  if (!TMPFS_SIZE.test(value)) {
    throw new PrepareRootError(`${kf!.file}:${entry.line}`,
      `root.transient-size: invalid size “${entry.value}” (use e.g. 2G, 512M or 50%)`);
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

/** Resolve the effective settings from the loaded key file and the kernel command line. */
export function resolveConfig(loaded: LoadedConfig, cmdline: string): RootConfig {
  const kf = loaded.keyFile;
  const composefs = applyComposefsKarg(composefsFromConfig(kf), cmdline);
  const transient = booleanKey(kf, 'root', 'transient', false);
  const transientRo = booleanKey(kf, 'root', 'transient-ro', false);
  if (transient && transientRo) {
    const line = entryOf(kf, 'root', 'transient-ro')!.line;
    throw new PrepareRootError(`${kf!.file}:${line}`,
      'root.transient and root.transient-ro cannot both be set (transient-ro already implies a transient root)');
  }
  const readonlyEntry = entryOf(kf, 'sysroot', 'readonly');
  const sysrootReadonly = readonlyEntry === undefined ? null : parseBooleanValue(readonlyEntry, kf!.file, 'sysroot', 'readonly');
  const transientSize = transientSizeOf(kf);
  const persistEntry = entryOf(kf, 'persist', 'paths');
  const warnings = [...loaded.warnings];
  if (transientSize !== null && !transient && !transientRo) {
    warnings.push({ where: 'root.transient-size', message: 'has no effect without root.transient or root.transient-ro' });
  }
  return {
    file: kf?.file ?? null,
    composefs,
    sysrootReadonly,
    rootTransient: transient || transientRo,
    rootTransientRo: transientRo,
    transientSize,
    etcTransient: lazyBoolean(kf, 'etc', 'transient'),
    persistPaths: persistEntry === undefined ? [] : parsePersistPaths(persistEntry, kf!.file),
    overlays: parseOverlays(kf),
    warnings,
  };
}
