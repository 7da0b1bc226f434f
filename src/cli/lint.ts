// check-config: lint prepare-root.conf files as a boot would read them, and stricter: every
// finding of every file (errors and warnings, in file order) in one run, and a summary that
// names each file. With --boot KIND, exactly the boot's rules instead, for initramfs builders:
// the files that kind of boot reads, as one chain, failing exactly where the boot would.
import { PrepareRootError, lineOf, reasonOf } from '../base/errors.js';
import { KEY_FILE_MAX } from '../base/limits.js';
import { CONFIG_PATHS, PLAIN_CONFIG_PATHS } from '../base/paths.js';
import { under } from '../base/posix-path.js';
import { oneLine, utf8Decode } from '../base/text.js';
import { readConfigSources } from '../boot/prepare.js';
import { configPathsFor } from '../boot/targets/index.js';
import { needsInitramfs } from '../boot/targets/ostree.js';
import {
  type BootTarget,
  type ConfigSource,
  type LoadedConfig,
  type Warning,
  composefsSetting,
  integrityOf,
  loadConfig,
  type PlainConfig,
  type RootConfig,
  resolveConfig,
  resolveConfigParts,
  shadowWarnings,
} from '../config/config.js';
import { planSwap, transientAreas } from '../plan/swap.js';
import { probePlainFacts } from '../probe/plain.js';
import { parseKeyFile } from '../formats/keyfile.js';
import type { System } from '../platform/system.js';
import { parsePublicKeys } from '../probe/signature.js';
import { type Output, type Values, usageError, warningLine } from './args.js';

interface Finding {
  readonly error: boolean;
  readonly where: string;
  readonly message: string;
  /** The line it names, for file order; none sorts first (it is about the whole file). */
  readonly line: number;
}

const errorFinding = (e: PrepareRootError): Finding => ({
  error: true,
  where: e.what,
  message: e.why,
  line: lineOf(e.where) ?? 0,
});
const warningFinding = (w: Warning): Finding => ({
  error: false,
  where: w.where,
  message: w.message,
  line: w.line ?? 0,
});

/** One file's findings, as --json gives them (docs/check-config.schema.json). */
interface FileReport {
  readonly path: string;
  readonly kind: BootTarget;
  readonly findings: readonly Finding[];
}

/**
 * FILEs each on its own (as a boot of that kind would read a file alone; plain: the files are a
 * plain root's), or with --chain as one precedence chain (what a later file shadows); without
 * FILEs, whichever of ostree's and a plain root's config files exist, each set as its boot reads
 * it. --root IMAGE: what the config needs from the image is looked up there (the signing keys,
 * the swap files a plain root's fstab lists).
 */
export function commandCheckConfig(sys: System, files: string[], values: Values, io: Output): number {
  if (values.boot !== undefined) {
    if (values.boot !== 'ostree' && values.boot !== 'plain')
      throw usageError(`--boot takes ostree or plain, not "${values.boot}"`, 'check-config');
    if (files.length > 0 || values.plain === true || values.chain === true)
      throw usageError('--boot reads the files the boot reads: no FILE, --plain or --chain with it', 'check-config');
    if (values.json === true) throw usageError('--json does not apply with --boot', 'check-config');
    return checkAsBoot(sys, values.boot, values.get, io, values.root ?? '/', values['no-initramfs'] !== true);
  }
  if (values['no-initramfs'] === true) throw usageError('--no-initramfs only applies with --boot', 'check-config');
  if (values.get !== undefined) throw usageError('--get only applies with --boot', 'check-config');
  if (values.chain === true && files.length < 2)
    throw usageError(
      '--chain takes two FILEs or more, in reading order (the /usr/lib one, then the /etc one)',
      'check-config',
    );
  const kind: BootTarget = values.plain === true ? 'plain' : 'ostree';
  const image = values.root;
  const sets: Array<{ target: BootTarget; sources: ConfigSource[] }> =
    files.length === 0
      ? [
          { target: 'ostree', sources: readConfigSources(sys, CONFIG_PATHS, true) },
          { target: 'plain', sources: readConfigSources(sys, PLAIN_CONFIG_PATHS, true) },
        ]
      : values.chain === true
        ? [{ target: kind, sources: readConfigSources(sys, files, false) }]
        : files.map((f) => ({ target: kind, sources: readConfigSources(sys, [f], false) }));
  const found = sets.filter((s) => s.sources.length > 0);
  if (found.length === 0) {
    const none = `no config file found (${[...CONFIG_PATHS, ...PLAIN_CONFIG_PATHS].join(', ')}): built-in defaults apply (a plain root is left alone)`;
    io.out(values.json === true ? JSON.stringify({ ok: true, files: [] }, null, 2) : none);
    return 0;
  }
  const reports = found.flatMap((s) => lintSet(sys, s.target, s.sources, image));
  const swap =
    image === undefined
      ? []
      : found.filter((s) => s.target === 'plain').flatMap((s) => checkImage(sys, image, s.sources));
  const errors = reports.reduce((n, r) => n + r.findings.filter((f) => f.error).length, 0);
  if (values.json === true) {
    io.out(
      JSON.stringify(
        {
          ok: errors === 0,
          files: reports.map((r) => ({
            path: r.path,
            kind: r.kind,
            errors: r.findings.filter((f) => f.error).length,
            findings: r.findings.map((f) => ({
              severity: f.error ? 'error' : 'warning',
              where: f.where,
              line: f.line === 0 ? null : f.line,
              message: f.message,
            })),
          })),
          ...(image === undefined ? {} : { image: { path: image, warnings: swap } }),
        },
        null,
        2,
      ),
    );
    return errors === 0 ? 0 : 1;
  }
  for (const r of reports) for (const f of r.findings) io.err(findingLine(f));
  io.out(oneLine(summaryLine(reports)));
  // What the image makes of the config, after the verdict on the files themselves.
  for (const w of swap) io.err(warningLine(w));
  return errors === 0 ? 0 : 1;
}

/** `a, b: ok`, or each file with its count of errors. */
function summaryLine(reports: readonly FileReport[]): string {
  const count = (r: FileReport) => r.findings.filter((f) => f.error).length;
  if (reports.every((r) => count(r) === 0)) return `${reports.map((r) => r.path).join(', ')}: ok`;
  return reports
    .map((r) => `${r.path}: ${count(r) === 0 ? 'ok' : `${count(r)} error${count(r) === 1 ? '' : 's'}`}`)
    .join('; ');
}

/**
 * --root IMAGE: the plain-root config against the image it will boot: what happens to the swap
 * files its /etc/fstab lists (a config that does not resolve was reported already).
 */
function checkImage(sys: System, image: string, sources: readonly ConfigSource[]): Warning[] {
  let config: PlainConfig;
  try {
    config = resolveConfig(loadConfig(sources), '', 'plain').config;
  } catch {
    return [];
  }
  return [...(planSwap(probePlainFacts(sys, image, config, null), transientAreas(config)).warnings ?? [])];
}

/** The files one boot reads, in order: each linted on its own, then what a later one shadows. */
function lintSet(sys: System, target: BootTarget, sources: ConfigSource[], image: string | undefined): FileReport[] {
  // Each file on its own, so every broken file is reported, not just the first.
  const perFile = sources.map((source) => ({
    path: source.path,
    kind: target,
    findings: lintFile(sys, source, target, image) as readonly Finding[],
  }));
  const parsed = sources.flatMap((s) => {
    try {
      return [parseKeyFile(s.data, s.path)];
    } catch {
      return [];
    }
  });
  if (parsed.length === sources.length && sources.length > 1) {
    for (const w of shadowWarnings(parsed)) {
      const file = perFile.find((f) => f.path === w.where);
      if (file !== undefined) file.findings = [warningFinding(w), ...file.findings];
    }
  }
  return perFile;
}

/** A finding as one escaped line, as a boot prints it. */
function findingLine(f: Finding): string {
  return f.error ? oneLine(`prepare-root: ${f.where}: ${f.message}`) : warningLine(f);
}

/** Every finding of one config file, in file order. A linter reads every key, also the ones a boot only reads in some modes. */
function lintFile(sys: System, source: ConfigSource, target: BootTarget, image?: string): Finding[] {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig([source]);
  } catch (e) {
    if (e instanceof PrepareRootError) return [errorFinding(e)];
    throw e;
  }
  const { resolved, errors, deferred } = resolveConfigParts(loaded, '', target, true);
  const findings: Finding[] = [
    ...(resolved?.warnings ?? loaded.warnings).map(warningFinding),
    ...errors.map(errorFinding),
    ...deferred.map(errorFinding),
    ...keyFindings(sys, resolved?.config, image),
  ];
  return findings.sort((a, b) => a.line - b.line);
}

/**
 * composefs signed: the keys are read from the initramfs at boot, so a build root without them
 * makes an unbootable image. `image`: the build root they are looked up in (default: this system).
 */
function keyFindings(sys: System, config: RootConfig | undefined, image = '/'): Finding[] {
  const findings: Finding[] = [];
  if (config?.kind === 'ostree' && integrityOf(config.composefs) === 'signed') {
    const keypath = under(image, config.composefs.keypath);
    try {
      parsePublicKeys(utf8Decode(sys.readFile(keypath, KEY_FILE_MAX)), keypath);
    } catch (e) {
      findings.push(
        errorFinding(
          e instanceof PrepareRootError
            ? e
            : new PrepareRootError(
                `composefs.keypath ${keypath}`,
                `composefs.enabled=signed needs the public keys here: ${reasonOf(e)}`,
              ),
        ),
      );
    }
  }
  return findings;
}

/** What --get can ask for: the settings an initramfs builder needs to know (the key file to copy, the device to wait for). */
const GETTERS: Record<string, (c: RootConfig) => string | null> = {
  'composefs.keypath': (c) => (c.kind === 'ostree' ? c.composefs.keypath : null),
  'composefs.enabled': (c) => (c.kind === 'ostree' ? composefsSetting(c.composefs) : null),
  'root.upper-device': (c) => (c.kind === 'plain' ? (c.upperDevice?.spec ?? '') : null),
  'root.upper-fstype': (c) => (c.kind === 'plain' ? (c.upperDevice?.fstype ?? '') : null),
};

/**
 * --boot KIND: the files a KIND boot reads from the initramfs (the build root's, at the same
 * paths; --root IMAGE: IMAGE's), as one chain, by the boot's own rules with no kernel arguments:
 * an error exactly where that boot would stop (a bad value of a key the boot reads only in some
 * modes included: it is wrong whatever the mode), a warning where it would warn. --get KEY
 * prints the effective value. --no-initramfs: the boot reads them from the image itself, as the
 * kernel's init, and what needs an initramfs (composefs signed) is an error.
 */
function checkAsBoot(
  sys: System,
  kind: BootTarget,
  get: string | undefined,
  io: Output,
  image: string,
  initramfs: boolean,
): number {
  const getter = get === undefined ? undefined : GETTERS[get];
  if (get !== undefined && getter === undefined)
    throw usageError(`--get takes ${Object.keys(GETTERS).join(', ')}, not "${get}"`, 'check-config');
  const sources = readConfigSources(sys, configPathsFor(kind, image), true);
  let findings: Finding[];
  let config: RootConfig | undefined;
  try {
    const { resolved, errors, deferred } = resolveConfigParts(loadConfig(sources), '', kind);
    config = resolved?.config;
    findings = [
      ...(resolved?.warnings ?? []).map(warningFinding),
      ...errors.map(errorFinding),
      ...deferred.map(errorFinding),
      ...keyFindings(sys, config, image),
    ];
  } catch (e) {
    if (!(e instanceof PrepareRootError)) throw e;
    findings = [errorFinding(e)];
  }
  const refused = !initramfs && config?.kind === 'ostree' ? needsInitramfs(config) : null;
  if (refused !== null) findings.push(errorFinding(refused));
  for (const f of findings) io.err(findingLine(f));
  const failed = findings.some((f) => f.error);
  const files =
    sources.length === 0 ? `no ${configPathsFor(kind).join(' or ')}` : sources.map((s) => s.path).join(' then ');
  if (getter !== undefined) {
    // A key of the other kind of boot: that boot has no such setting, an empty line says so.
    if (!failed && config !== undefined) io.out(oneLine(getter(config) ?? ''));
  } else {
    const boot = `${kind === 'ostree' ? 'an' : 'a'} ${kind} boot`;
    io.out(oneLine(`${files}: ${failed ? `${boot} would fail` : `ok for ${boot}`}`));
  }
  return failed ? 1 : 0;
}
