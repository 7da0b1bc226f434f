// check-config: lint prepare-root.conf files as a boot would read them, and stricter.
import { PrepareRootError, isSysError } from '../base/errors.js';
import { KEY_FILE_MAX } from '../base/limits.js';
import { CONFIG_PATHS } from '../base/paths.js';
import { utf8Decode } from '../base/text.js';
import { readConfigSources } from '../boot/prepare.js';
import { type ConfigSource, loadConfig, resolveConfig, shadowWarnings } from '../config/config.js';
import { parseKeyFile } from '../formats/keyfile.js';
import type { System } from '../platform/system.js';
import { parsePublicKeys } from '../probe/signature.js';
import { type Output, warningLine } from './args.js';

export function commandCheckConfig(sys: System, files: string[], io: Output): number {
  const paths = files.length > 0 ? files : CONFIG_PATHS;
  const sources = readConfigSources(sys, paths, files.length === 0);
  if (sources.length === 0) {
    io.out(`no config file found (${CONFIG_PATHS.join(', ')}): built-in defaults apply`);
    return 0;
  }
  // Each file is linted on its own, so every broken file is reported, not just the first.
  const errors = sources.flatMap((source) => lintFile(sys, source, io));
  if (errors.length === 0 && sources.length > 1) {
    shadowWarnings(sources.map((s) => parseKeyFile(s.data, s.path))).forEach((w) => io.err(warningLine(w)));
  }
  errors.forEach((e) => io.err(`prepare-root: ${e.message}`));
  io.out(errors.length === 0 ? `${sources.map((s) => s.path).join(', ')}: ok` : `${errors.length} error${errors.length === 1 ? '' : 's'}`);
  return errors.length === 0 ? 0 : 1;
}

/** Errors of one config file; its warnings are printed. A linter reads every key, also the ones a boot only reads in some modes. */
function lintFile(sys: System, source: ConfigSource, io: Output): PrepareRootError[] {
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
      parsePublicKeys(utf8Decode(sys.readFile(config.composefs.keypath, KEY_FILE_MAX)), config.composefs.keypath);
    } catch (e) {
      errors.push(e instanceof PrepareRootError ? e : new PrepareRootError(`composefs.keypath ${config.composefs.keypath}`,
        `composefs.enabled=signed needs the public keys here: ${isSysError(e) ? e.text : String(e)}`));
    }
  }
  return errors;
}
