// Gather the facts the planner needs, reading (never changing) the system.
import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import type { OstreeTarget } from './cmdline.js';
import { type ComposefsImage, probeComposefsImage } from './composefs-image.js';
import type { RootConfig, Warning } from './config.js';
import { type Deployment, resolveDeployment } from './deployment.js';
import { PrepareRootError } from './errors.js';
import type { Facts, OverlayFact, PersistFact } from './facts.js';
import type { OverlayConfig } from './overlay-config.js';
import { isUnder } from './persist-config.js';
import { locateInside } from './resolve-inside.js';
import { parseBooleanValue, parseKeyFile } from './keyfile.js';
import { isReadOnly, mountContaining, parseMountInfo } from './mountinfo.js';
import { HOTFIX_USR_WORK, INITRAMFS_MOUNT_VAR, persistStore, stateOverlayDir } from './paths.js';
import { parsePublicKeys, repoLoader, verifyCommit } from './signature.js';
import { measureVerity } from './verity.js';
import { currentBootId, volatileState } from './volatile-state.js';

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

/** glibc's dev_t encoding, as Node reports st_dev/st_rdev. */
function majorMinor(dev: bigint): { major: number; minor: number } {
  return {
    major: Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)),
    minor: Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn)),
  };
}

/**
 * The block device systemd should treat as the real root once / is an overlay: ostree prefers
 * /dev/gpt-auto-root, else the physical root's st_dev when it has a major number.
 */
function backingDevice(sysroot: string): { major: number; minor: number } | null {
  try {
    const gpt = statSync('/dev/gpt-auto-root', { bigint: true });
    if (gpt.isBlockDevice()) return majorMinor(gpt.rdev);
  } catch { /* no gpt-auto-generator link */ }
  const dev = majorMinor(statSync(sysroot, { bigint: true }).dev);
  return dev.major > 0 ? dev : null;
}

function probePersist(sysroot: string, deployment: Deployment, p: string): PersistFact {
  const { path: inRoot, exists: inImage } = locateInside(deployment.path, p);
  let image: PersistFact['image'] = 'absent';
  if (inImage) {
    const st = lstatSync(`${deployment.path}${inRoot}`);
    image = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  }
  return { path: p, inRoot, image, storeExists: exists(`${persistStore(sysroot, deployment.stateroot)}${inRoot}`) };
}

function probeOverlay(sysroot: string, deployment: Deployment, o: OverlayConfig, all: readonly OverlayConfig[]): OverlayFact {
  const self = locateInside(deployment.path, o.path);
  const lowers = o.lower.map((l) => locateInside(deployment.path, l));
  let stateCommit: string | null = null;
  try {
    stateCommit = readFileSync(`${stateOverlayDir(sysroot, deployment.stateroot, o.path)}/commit`, 'utf8').trim();
  } catch { /* never used, or unknown: treated alike */ }
  const dir = stateOverlayDir(sysroot, deployment.stateroot, o.path);
  return {
    volatile: o.volatile ? volatileState(dir, exists(`${dir}/work/work/incompat/volatile`)) : null,
    volatileToken: randomSuffix(),
    inRoot: self.path,
    pathInImage: self.exists,
    lowersInRoot: lowers.map((l) => l.path),
    lowersExist: lowers.map((l, i) => l.exists || all.some((other) => other !== o && isUnder(o.lower[i]!, other.path))),
    stateCommit,
  };
}

const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomSuffix(): string {
  return [...randomBytes(6)].map((b) => SUFFIX_CHARS[b % SUFFIX_CHARS.length]).join('');
}

/**
 * signed composefs, before anything is mounted: the deployment's commit (or its bootc base) is
 * signed by a key from the initramfs, and the image's kernel-measured fs-verity digest is the one
 * the commit names. Returns the key file; throws saying which check failed.
 */
function verifySigned(sysroot: string, deployment: Deployment, image: ComposefsImage, keypath: string): string {
  let keyText: string;
  try {
    keyText = readFileSync(keypath, 'utf8');
  } catch (e) {
    throw new PrepareRootError(`composefs.keypath ${keypath}`, `cannot read the public keys: ${(e as Error).message}`, { cause: e });
  }
  const keys = parsePublicKeys(keyText, keypath);
  const verified = verifyCommit(deployment.commit, keys, repoLoader(`${sysroot === '/' ? '' : sysroot}/ostree/repo/objects`));
  const measured = measureVerity(image.path);
  if (measured !== verified.digest) {
    throw new PrepareRootError(`composefs image ${image.path}`, `fs-verity digest ${measured} is not the ${verified.digest} signed in commit ${verified.checksum}`);
  }
  return keypath;
}

export function probeFacts(sysroot: string, target: OstreeTarget, config: RootConfig, warnings: Warning[]): Facts {
  const deployment = resolveDeployment(sysroot, target);
  const composefsImage = probeComposefsImage(deployment.path);
  const signed = config.composefs.enabled !== 'no' && config.composefs.signed && composefsImage.state === 'valid';
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
    composefsImage,
    signedWith: signed ? verifySigned(sysroot, deployment, composefsImage, config.composefs.keypath) : null,
    sysrootDevice: backingDevice(sysroot),
    procMounted: exists('/proc/self/mountinfo'),
    persist: config.persistPaths.map((p) => probePersist(sysroot, deployment, p)),
    overlays: config.overlays.map((o) => probeOverlay(sysroot, deployment, o, config.overlays)),
    transientEtcSuffix: randomSuffix(),
    bootId: currentBootId(),
    now: new Date().toISOString().replace(/[:.]/g, '-'),
  };
}
