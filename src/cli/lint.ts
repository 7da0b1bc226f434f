// check-config: lint prepare-root.conf files as a boot would read them, and stricter: every
// finding of every file (errors and warnings, in file order) in one run, and a summary that
// names each file.
import { PrepareRootError, isSysError } from '../base/errors.js';
import { KEY_FILE_MAX } from '../base/limits.js';
import { CONFIG_PATHS } from '../base/paths.js';
import { utf8Decode } from '../base/text.js';
import { readConfigSources } from '../boot/prepare.js';
import {
  type ConfigSource,
  type LoadedConfig,
  type Warning,
  integrityOf,
  loadConfig,
  resolveConfigParts,
  shadowWarnings,
} from '../config/config.js';
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

export function commandCheckConfig(sys: System, files: string[], io: Output): number {
  const paths = files.length > 0 ? files : CONFIG_PATHS;
  const sources = readConfigSources(sys, paths, files.length === 0);
  if (sources.length === 0) {
    io.out(`no config file found (${CONFIG_PATHS.join(', ')}): built-in defaults apply`);
    return 0;
  }
  // Each file on its own, so every broken file is reported, not just the first.
  const perFile = sources.map((source) => ({ path: source.path, findings: lintFile(sys, source) }));
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
function lintFile(sys: System, source: ConfigSource): Finding[] {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig([source]);
  } catch (e) {
    if (e instanceof PrepareRootError) return [errorFinding(e)];
    throw e;
  }
  const { resolved, errors, deferred } = resolveConfigParts(loaded, '');
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
