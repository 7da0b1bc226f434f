// check-config: lint prepare-root.conf files as a boot would read them, and stricter.
import { readFileSync } from 'node:fs';
import { type ConfigSource, loadConfig, resolveConfig, shadowWarnings } from '../config.js';
import { PrepareRootError } from '../errors.js';
import { parseKeyFile } from '../keyfile.js';
import { CONFIG_PATHS } from '../paths.js';
import { readConfigSources } from '../prepare.js';
import { parsePublicKeys } from '../signature.js';
import { type Output, warningLine } from './args.js';

export function commandCheckConfig(files: string[], io: Output): number {
  const paths = files.length > 0 ? files : CONFIG_PATHS;
  const sources = readConfigSources(paths, files.length === 0);
  if (sources.length === 0) {
    io.out(`no config file found (${CONFIG_PATHS.join(', ')}): built-in defaults apply`);
    return 0;
  }
  // Each file is linted on its own, so every broken file is reported, not just the first.
  const errors = sources.flatMap((source) => lintFile(source, io));
  if (errors.length === 0 && sources.length > 1) {
    shadowWarnings(sources.map((s) => parseKeyFile(s.data, s.path))).forEach((w) => io.err(warningLine(w)));
  }
  errors.forEach((e) => io.err(`prepare-root: ${e.message}`));
  io.out(errors.length === 0 ? `${sources.map((s) => s.path).join(', ')}: ok` : `${errors.length} error${errors.length === 1 ? '' : 's'}`);
  return errors.length === 0 ? 0 : 1;
}

/** Errors of one config file; its warnings are printed. A linter reads every key, also the ones a boot only reads in some modes. */
function lintFile(source: ConfigSource, io: Output): PrepareRootError[] {
  let config;
  try {
    config = resolveConfig(loadConfig([source]), '');
  } catch (e) {
    if (e instanceof PrepareRootError) return [e];
    throw e;
  }
  config.warnings.forEach((w) => io.err(warningLine(w)));
  const errors: PrepareRootError[] = [];
  if (!config.etcTransient.ok) errors.push(config.etcTransient.error);
  if (config.composefs.signed) {
    // The keys are read from the initramfs at boot: a build root without them makes an unbootable image.
    try {
      parsePublicKeys(readFileSync(config.composefs.keypath, 'utf8'), config.composefs.keypath);
    } catch (e) {
      errors.push(e instanceof PrepareRootError ? e : new PrepareRootError(`composefs.keypath ${config.composefs.keypath}`,
        `composefs.enabled=signed needs the public keys here: ${(e as Error).message}`));
    }
  }
  return errors;
}
