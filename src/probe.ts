// Gather the facts the planner needs, reading (never changing) the system.
import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import type { OstreeTarget } from './cmdline.js';
import type { RootConfig, Warning } from './config.js';
import { resolveDeployment } from './deployment.js';
import { PrepareRootError } from './errors.js';
import type { Facts } from './facts.js';
import { parseBooleanValue, parseKeyFile } from './keyfile.js';
import { isReadOnly, mountContaining, parseMountInfo } from './mountinfo.js';
import { HOTFIX_USR_WORK, INITRAMFS_MOUNT_VAR } from './paths.js';

export function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

export function canonicalSysroot(arg: string): string {
  try {
    return realpathSync.native(arg);
  } catch (e) {
    throw new PrepareRootError(`SYSROOT ${arg}`, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (e as Error).message, { cause: e });
  }
}

export function readMountInfo(): ReturnType<typeof parseMountInfo> {
  try {
    return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return [];
  }
}

/** `[sysroot] readonly` in the repo config: ostree's pre-prepare-root.conf switch. Errors only warn. */
function legacyRepoReadonly(sysroot: string, warnings: Warning[]): boolean | null {
  const file = `${sysroot}/ostree/repo/config`;
  try {
    const kf = parseKeyFile(readFileSync(file), file);
    const entry = kf.groups.get('sysroot')?.get('readonly');
    return entry === undefined ? null : parseBooleanValue(entry, file, 'sysroot', 'readonly');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      warnings.push({ where: file, message: `${e instanceof PrepareRootError ? e.message : (e as Error).message}; treating sysroot.readonly as false` });
    }
    return null;
  }
}

const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomSuffix(): string {
  return [...randomBytes(6)].map((b) => SUFFIX_CHARS[b % SUFFIX_CHARS.length]).join('');
}

export function probeFacts(sysroot: string, target: OstreeTarget, config: RootConfig, warnings: Warning[]): Facts {
  const deployment = resolveDeployment(sysroot, target);
  // Never parse the target before it is verified when composefs is on (ostree #2930).
  const consultRepo = config.sysrootReadonly !== true && config.composefs.enabled !== 'yes';
  const mount = mountContaining(readMountInfo(), sysroot);
  return {
    sysroot,
    deployment,
    sysrootOnReadonlyMount: mount !== undefined && isReadOnly(mount),
    legacyRepoReadonly: consultRepo ? legacyRepoReadonly(sysroot, warnings) : null,
    hotfixUsr: exists(`${deployment.path}/${HOTFIX_USR_WORK}`),
    mountVarMarker: exists(INITRAMFS_MOUNT_VAR),
    composefsImage: exists(`${deployment.path}/.ostree.cfs`),
    procMounted: exists('/proc/self/mountinfo'),
    transientEtcSuffix: randomSuffix(),
  };
}
