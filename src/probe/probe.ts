// Gather the facts the planner needs, reading (never changing) the system.
import { isSysError, PrepareRootError, reasonOf } from '../base/errors.js';
import { KEY_FILE_MAX, REPO_CONFIG_MAX, STATE_FILE_MAX } from '../base/limits.js';
import { HOTFIX_USR_WORK, INITRAMFS_MOUNT_VAR, ostreeStateDir, persistStore, stateOverlayDir } from '../base/paths.js';
import { isUnder, under } from '../base/posix-path.js';
import { utf8Decode } from '../base/text.js';
import type { OstreeTarget } from '../config/cmdline.js';
import { type OstreeConfig, type Warning, integrityOf } from '../config/config.js';
import type { OverlayConfig } from '../config/overlay-config.js';
import { exists, isMissing, readOptional } from '../fs/files.js';
import { parseBooleanValue, parseKeyFile } from '../formats/keyfile.js';
import type { DevNumber, System } from '../platform/system.js';
import { type ComposefsImage, probeComposefsImage } from './composefs-image.js';
import { type Deployment, resolveDeployment } from './deployment.js';
import type { Facts, OverlayFact, PersistFact } from './facts.js';
import { locateInside, locateKind } from './resolve-inside.js';
import { parsePublicKeys, repoLoader, verifyCommit } from './signature.js';
import { selinuxActive } from './selinux.js';
import { measureVerity } from './verity.js';
import { volatileState } from './volatile-state.js';

export function canonicalSysroot(sys: System, arg: string): string {
  try {
    return sys.realpath(arg);
  } catch (e) {
    throw new PrepareRootError(`SYSROOT ${arg}`, isSysError(e, 'ENOENT') ? 'does not exist' : reasonOf(e), {
      cause: e,
    });
  }
}

/** `[sysroot] readonly` in the repo config: ostree's pre-prepare-root.conf switch. Errors only warn. */
function legacyRepoReadonly(sys: System, sysroot: string): { value: boolean | null; warnings: Warning[] } {
  const file = under(sysroot, '/ostree/repo/config');
  try {
    const data = readOptional(sys, file, REPO_CONFIG_MAX);
    if (data === null) return { value: null, warnings: [] };
    const entry = parseKeyFile(data, file).groups.get('sysroot')?.get('readonly');
    return { value: entry === undefined ? null : parseBooleanValue(entry, file, 'sysroot', 'readonly'), warnings: [] };
  } catch (e) {
    const why = e instanceof PrepareRootError ? e.message : reasonOf(e);
    return { value: null, warnings: [{ where: file, message: `${why}; treating sysroot.readonly as false` }] };
  }
}

/**
 * The block device systemd should treat as the real root once / is an overlay: ostree prefers
 * /dev/gpt-auto-root, else the physical root's st_dev when it has a major number.
 */
export function backingDevice(sys: System, sysroot: string): DevNumber | null {
  try {
    const gpt = sys.stat('/dev/gpt-auto-root');
    if (gpt.kind === 'block') return gpt.rdev;
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
  const { dev } = sys.stat(sysroot);
  return dev.major > 0 ? dev : null;
}

/** A persisted path: where it is in the image (the tree at `image`), and whether its store under `stateDir` exists. */
export function probePersist(sys: System, image: string, stateDir: string, p: string): PersistFact {
  const { inRoot, kind } = locateKind(sys, image, p);
  return { path: p, inRoot, image: kind, storeExists: exists(sys, `${persistStore(stateDir)}${inRoot}`) };
}

/** A declared overlay: its path and lowers in the image (the tree at `image`), and its state under `stateDir`. */
export function probeOverlay(
  sys: System,
  image: string,
  stateDir: string,
  o: OverlayConfig,
  all: readonly OverlayConfig[],
): OverlayFact {
  const self = locateInside(sys, image, o.path);
  const lowers = o.lower.map((l) => locateInside(sys, image, l));
  const dir = stateOverlayDir(stateDir, o.path);
  let stateCommit: string | null = null;
  try {
    const recorded = readOptional(sys, `${dir}/commit`, STATE_FILE_MAX);
    stateCommit = recorded === null ? null : utf8Decode(recorded).trim();
  } catch {
    // Unreadable counts as unknown: the upper is then pruned as after an update, which is safe.
    stateCommit = null;
  }
  return {
    overlay: o,
    volatile: o.volatile ? volatileState(sys, dir, exists(sys, `${dir}/work/work/incompat/volatile`)) : null,
    inRoot: self.path,
    pathInImage: self.exists,
    lowersInRoot: lowers.map((l) => l.path),
    lowersExist: lowers.map((l, i) => l.exists || all.some((other) => other !== o && isUnder(o.lower[i]!, other.path))),
    stateCommit,
  };
}

/**
 * signed composefs, before anything is mounted: the deployment's commit (or its bootc base) is
 * signed by a key from the initramfs, and the image's kernel-measured fs-verity digest is the one
 * the commit names. Returns the key file; throws saying which check failed.
 */
function verifySigned(
  sys: System,
  sysroot: string,
  deployment: Deployment,
  image: ComposefsImage,
  keypath: string,
): string {
  let keyText: string;
  try {
    keyText = utf8Decode(sys.readFile(keypath, KEY_FILE_MAX));
  } catch (e) {
    throw new PrepareRootError(`composefs.keypath ${keypath}`, `cannot read the public keys: ${reasonOf(e)}`, {
      cause: e,
    });
  }
  const keys = parsePublicKeys(keyText, keypath);
  const verified = verifyCommit(
    deployment.commit,
    keys,
    repoLoader(sys, under(sysroot, '/ostree/repo/objects')),
    sys.ed25519Verify,
  );
  const measured = measureVerity(sys, image.path);
  if (measured !== verified.digest) {
    throw new PrepareRootError(
      `composefs image ${image.path}`,
      `fs-verity digest ${measured} is not the ${verified.digest} signed in commit ${verified.checksum}`,
    );
  }
  return keypath;
}

export function probeFacts(
  sys: System,
  sysroot: string,
  target: OstreeTarget,
  config: OstreeConfig,
): { facts: Facts; warnings: readonly Warning[] } {
  const deployment = resolveDeployment(sys, sysroot, target);
  const composefsImage = probeComposefsImage(sys, deployment.path);
  const signed = integrityOf(config.composefs) === 'signed' && composefsImage.state === 'valid';
  // Never parse the target before it is verified when composefs is on (ostree #2930).
  const consultRepo = config.sysrootReadonly !== true && config.composefs.mode !== 'on';
  const legacy = consultRepo ? legacyRepoReadonly(sys, sysroot) : { value: null, warnings: [] };
  const stateDir = ostreeStateDir(sysroot, deployment.stateroot);
  const facts: Facts = {
    sysroot,
    deployment,
    sysrootOnReadonlyMount: sys.statfs(sysroot).readonly,
    legacyRepoReadonly: legacy.value,
    hotfixUsr: exists(sys, `${deployment.path}/${HOTFIX_USR_WORK}`),
    mountVarMarker: exists(sys, INITRAMFS_MOUNT_VAR),
    composefsImage,
    signedWith: signed ? verifySigned(sys, sysroot, deployment, composefsImage, config.composefs.keypath) : null,
    sysrootDevice: backingDevice(sys, sysroot),
    persist: config.persistPaths.map((p) => probePersist(sys, deployment.path, stateDir, p)),
    overlays: config.overlays.map((o) => probeOverlay(sys, deployment.path, stateDir, o, config.overlays)),
    selinux: selinuxActive(sys),
  };
  return { facts, warnings: legacy.warnings };
}
