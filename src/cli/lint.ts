// check-config: lint prepare-root.conf files as a boot would read them, and stricter: every
// finding of every file (errors and warnings, in file order) in one run, and a summary that
// names each file.
import { PrepareRootError, isSysError } from '../base/errors.js';
import { KEY_FILE_MAX } from '../base/limits.js';
import { CONFIG_PATHS, PLAIN_CONFIG_PATHS } from '../base/paths.js';
import { utf8Decode } from '../base/text.js';
import { readConfigSources } from '../boot/prepare.js';
import {
  type BootTarget,
  type ConfigSource,
  type LoadedConfig,
  type Warning,
  integrityOf,
  loadConfig,
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
import { type Output, warningLine } from './args.js';

interface Finding {
  readonly error: boolean;
  readonly where: string;
  readonly message: string;
}

const errorFinding = (e: PrepareRootError): Finding => ({ error: true, where: e.what, message: e.why });
const warningFinding = (w: Warning): Finding => ({ error: false, where: w.where, message: w.message });

/** The line a finding names (`file:LINE`), for file order; none sorts first (it is about the whole file). */
function lineOf(f: Finding): number {
  const m = /:(\d+)$/.exec(f.where);
  return m === null ? 0 : Number(m[1]);
}

/**
 * FILEs as a boot of that kind would read them (plain: the files are a plain root's); without
 * FILEs, whichever of ostree's and a plain root's config files exist, each set as its boot reads it.
 */
export function commandCheckConfig(
  sys: System,
  files: string[],
  plain: boolean,
  image: string | undefined,
  io: Output,
): number {
  const sets: Array<{ target: BootTarget; sources: ConfigSource[] }> =
    files.length > 0
      ? [{ target: plain ? 'plain' : 'ostree', sources: readConfigSources(sys, files, false) }]
      : [
          { target: 'ostree', sources: readConfigSources(sys, CONFIG_PATHS, true) },
          { target: 'plain', sources: readConfigSources(sys, PLAIN_CONFIG_PATHS, true) },
        ];
  const found = sets.filter((s) => s.sources.length > 0);
  if (found.length === 0) {
    io.out(
      `no config file found (${[...CONFIG_PATHS, ...PLAIN_CONFIG_PATHS].join(', ')}): built-in defaults apply (a plain root is left alone)`,
    );
    return 0;
  }
  const rc = Math.max(...found.map((s) => lintSet(sys, s.target, s.sources, io)));
  const plainSet = found.find((s) => s.target === 'plain');
  if (image !== undefined && plainSet !== undefined) checkImage(sys, image, plainSet.sources, io);
  return rc;
}

/**
 * --root IMAGE: the plain-root config against the image it will boot: what happens to the swap
 * files its /etc/fstab lists (a config that does not resolve was reported already).
 */
function checkImage(sys: System, image: string, sources: readonly ConfigSource[], io: Output): void {
  let config: RootConfig;
  try {
    config = resolveConfig(loadConfig(sources), '', 'plain').config;
  } catch {
    return;
  }
  const facts = probePlainFacts(sys, image, config);
  for (const w of planSwap(facts, transientAreas(config)).warnings ?? []) io.err(warningLine(w));
}

/** The files one boot reads, in order: each linted on its own, then what a later one shadows. */
function lintSet(sys: System, target: BootTarget, sources: ConfigSource[], io: Output): number {
  // Each file on its own, so every broken file is reported, not just the first.
  const perFile = sources.map((source) => ({ path: source.path, findings: lintFile(sys, source, target) }));
  const parsed = sources.flatMap((s) => {
    try {
      return [parseKeyFile(s.data, s.path)];
    } catch {
      return [];
    }
  });
  if (parsed.length === sources.length && sources.length > 1) {
    for (const w of shadowWarnings(parsed))
      perFile.find((f) => f.path === w.where)?.findings.unshift(warningFinding(w));
  }
  for (const { findings } of perFile) {
    for (const f of findings) io.err(f.error ? `prepare-root: ${f.where}: ${f.message}` : warningLine(f));
  }
  const errors = perFile.reduce((n, f) => n + f.findings.filter((x) => x.error).length, 0);
  if (errors === 0) {
    io.out(`${sources.map((s) => s.path).join(', ')}: ok`);
    return 0;
  }
  io.out(
    perFile
      .map(({ path, findings }) => {
        const n = findings.filter((x) => x.error).length;
        return `${path}: ${n === 0 ? 'ok' : `${n} error${n === 1 ? '' : 's'}`}`;
      })
      .join('; '),
  );
  return 1;
}

/** Every finding of one config file, in file order. A linter reads every key, also the ones a boot only reads in some modes. */
function lintFile(sys: System, source: ConfigSource, target: BootTarget): Finding[] {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig([source]);
  } catch (e) {
    if (e instanceof PrepareRootError) return [errorFinding(e)];
    throw e;
  }
  const { resolved, errors, deferred } = resolveConfigParts(loaded, '', target);
  const findings: Finding[] = [
    ...(resolved?.warnings ?? loaded.warnings).map(warningFinding),
    ...errors.map(errorFinding),
    ...deferred.map(errorFinding),
  ];
  const config = resolved?.config;
  if (config !== undefined && integrityOf(config.composefs) === 'signed') {
    // The keys are read from the initramfs at boot: a build root without them makes an unbootable image.
    const { keypath } = config.composefs;
    try {
      parsePublicKeys(utf8Decode(sys.readFile(keypath, KEY_FILE_MAX)), keypath);
    } catch (e) {
      findings.push(
        errorFinding(
          e instanceof PrepareRootError
            ? e
            : new PrepareRootError(
                `composefs.keypath ${keypath}`,
                `composefs.enabled=signed needs the public keys here: ${isSysError(e) ? e.text : String(e)}`,
              ),
        ),
      );
    }
  }
  return findings.sort((a, b) => lineOf(a) - lineOf(b));
}
