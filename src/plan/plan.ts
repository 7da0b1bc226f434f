// Decide the mount plan: ostree-prepare-root 2026.4's order and flags (reference §3.1), plus a
// transient root on a plain bind-mounted deployment, which ostree refuses. Pure.
import type { RootConfig, Warning } from '../config.js';
import { PrepareRootError } from '../errors.js';
import type { Facts } from '../facts.js';
import { type VarDict, serializeVarDict } from '../gvariant.js';
import {
  COMPOSEFS_SCRATCH, HOTFIX_USR_UPPER, HOTFIX_USR_WORK, VOLATILE_ROOT_LINK, RUN_OSTREE, RUN_OSTREE_BOOTED, RUN_OSTREE_PRIVATE, STAGING_ROOT,
  TRANSIENT_ETC_PREFIX, TRANSIENT_ROOT_DIR, persistStore, stateOverlayDir, transientOverlayDir,
} from '../paths.js';
import type { Mode, Plan, Step } from './types.js';
import { QUARANTINE_DIR, VOLATILE_MOUNT_FILE, type VolatileMount } from '../volatile-state.js';
import path from 'node:path';
import { isUnder } from '../persist-config.js';

export interface PlanResult {
  readonly plan: Plan;
  readonly warnings: readonly Warning[];
}

/**
 * Whether / is the deployment's composefs image: `yes` (also verity/signed) requires it, `maybe`
 * uses it when the deployment has one and otherwise falls back to the plain bind mount.
 */
function decideComposefs(config: RootConfig, facts: Facts, warnings: Warning[]): boolean {
  const { enabled } = config.composefs;
  const image = facts.composefsImage;
  if (enabled === 'no') return false;
  if (image.state === 'invalid') throw new PrepareRootError(`composefs image ${image.path}`, image.reason);
  if (image.state === 'absent') {
    if (enabled === 'yes') {
      throw new PrepareRootError('composefs', `the deployment has no image ${image.path} (composefs.enabled=yes; use maybe to fall back to a plain bind mount)`);
    }
    warnings.push({ where: 'composefs.enabled', message: 'maybe: the deployment has no composefs image; using the plain bind mount' });
    return false;
  }
  return true;
}

/**
 * sysroot.readonly, as ostree decides it: the config value, defaulting to true when composefs is
 * YES; when that yields false (even an explicit false) and composefs is not YES, a legacy
 * `[sysroot] readonly=true` in the repo config turns it on.
 */
function decideSysrootReadonly(config: RootConfig, facts: Facts, warnings: Warning[]): boolean {
  const composefsYes = config.composefs.enabled === 'yes';
  const configured = config.sysrootReadonly ?? composefsYes;
  if (configured || composefsYes) return configured;
  if (facts.legacyRepoReadonly === true) {
    warnings.push({
      where: `${facts.sysroot}/ostree/repo/config`,
      message: 'found legacy [sysroot] readonly=true; move it to [sysroot] readonly in prepare-root.conf',
    });
    return true;
  }
  return false;
}

function modeOf(config: RootConfig, composefs: boolean): Mode {
  if (config.rootTransientRo) return 'transient-ro';
  if (config.rootTransient) return 'transient';
  return composefs ? 'composefs' : 'legacy';
}

export function planPrepareRoot(config: RootConfig, facts: Facts): PlanResult {
  const warnings: Warning[] = [...config.warnings];
  const composefs = decideComposefs(config, facts, warnings);
  const sysrootReadonly = decideSysrootReadonly(config, facts, warnings);
  const mode = modeOf(config, composefs);
  const R = facts.sysroot;
  const D = facts.deployment.path;
  const T = STAGING_ROOT;
  const steps: Step[] = [];
  const add = (step: Step): void => void steps.push(step);
  const metadata: Array<[string, VarDict[number][1]]> = [
    ['backing-root-device-inode', { type: '(tt)', value: [facts.deployment.dev, facts.deployment.ino] }],
    ['root.transient', { type: 'b', value: config.rootTransient }],
    ['root.transient-ro', { type: 'b', value: config.rootTransientRo }],
  ];

  const bareRoot = !facts.procMounted;
  if (bareRoot) {
    add({ id: 'mkdir-proc', kind: 'mkdir', path: '/proc', mode: 0o555, existOk: true, reason: 'no /proc here: util-linux needs one while we work' });
    add({ id: 'mount-proc', kind: 'proc', target: '/proc', reason: 'no /proc here: util-linux needs one while we work' });
  }
  add({ id: 'make-root-private', kind: 'make-private', target: '/', reason: 'shared mounts cannot be moved' });
  // ostree fails when /run/ostree exists; it may legitimately hold the initramfs-mount-var marker.
  add({ id: 'mkdir-run-ostree', kind: 'mkdir', path: RUN_OSTREE, mode: 0o755, existOk: true, reason: 'ostree state dir' });
  add({ id: 'mkdir-run-ostree-private', kind: 'mkdir', path: RUN_OSTREE_PRIVATE, mode: 0o000, existOk: true, reason: 'internals hidden from unprivileged users' });
  add({ id: 'mkdir-staging', kind: 'mkdir', path: T, mode: 0o755, existOk: true, reason: 'assembly point of the new root' });

  if (config.composefs.enabled !== 'no') {
    // ostree creates the EROFS scratch point before it knows whether an image exists.
    add({ id: 'mkdir-composefs-scratch', kind: 'mkdir', path: COMPOSEFS_SCRATCH, mode: 0o700, existOk: true, reason: `composefs.enabled=${config.composefs.enabled}` });
  }
  if (composefs) {
    planComposefsRoot(config, facts, mode, add);
    if (config.composefs.signed) {
      // The probe verified signature and image digest before planning; ostree records the key file.
      if (facts.signedWith === null) throw new Error('signed composefs planned without a verified signature');
      metadata.push(['composefs.signed', { type: 's', value: facts.signedWith }]);
    }
    metadata.push(['composefs', { type: 'b', value: true }], ['composefs.verity', { type: 'b', value: config.composefs.requireVerity }]);
  } else if (mode === 'legacy') {
    add({ id: 'bind-deployment', kind: 'bind', source: D, target: T, reason: 'legacy mode: / is a bind of the deployment' });
  } else {
    planTransientUpper(config, mode, add);
    add({
      id: 'mount-transient-root', kind: 'overlay', target: T, lower: [D], upper: `${TRANSIENT_ROOT_DIR}/upper`, work: `${TRANSIENT_ROOT_DIR}/work`, readonly: false,
      reason: mode === 'transient-ro' ? 'root.transient-ro: / is an overlay with a tmpfs upper, mounted read-only below' : 'root.transient: / is an overlay with a tmpfs upper, writes vanish at reboot',
    });
  }
  if (mode === 'transient-ro') {
    // Only this mount is read-only, not the overlay superblock: privileged code may remount it rw
    // in its own mount namespace (as with ostree, which sets MOUNT_ATTR_RDONLY).
    add({ id: 'remount-root-ro', kind: 'remount-bind', target: T, readonly: true, reason: 'root.transient-ro' });
  }
  if (composefs && facts.sysrootDevice !== null) {
    const { major, minor } = facts.sysrootDevice;
    const reason = 'tells systemd which block device is the real root now that / is an overlay';
    add({ id: 'mkdir-run-systemd', kind: 'mkdir', path: '/run/systemd', mode: 0o755, existOk: true, reason });
    add({ id: 'link-volatile-root', kind: 'symlink', path: VOLATILE_ROOT_LINK, linkTarget: `/dev/block/${major}:${minor}`, reason });
  }
  metadata.push(['sysroot-ro', { type: 'b', value: sysrootReadonly }]);

  if (mode !== 'legacy') {
    warnings.push({ where: `root.${mode}`, message: 'changes to / (including /usr) are kept in memory and discarded at reboot; /etc and /var persist' });
  }
  planEtc(config, sysrootReadonly, composefs, facts, add, metadata, warnings);
  planUsr(mode, composefs && config.composefs.signed, composefs, facts, add);

  add({ id: 'bind-physical-root', kind: 'bind', source: R, target: `${T}/sysroot`, reason: 'the physical root stays reachable at /sysroot' });
  add({ id: 'detach-physical-root', kind: 'detach', target: R, restoreFrom: `${T}/sysroot`, reason: 'bind then detach instead of a move: no mount cycle, sysroot.mount can still be stopped' });

  const stateVar = `${T}/sysroot/ostree/deploy/${facts.deployment.stateroot}/var`;
  if (sysrootReadonly) {
    add({ id: 'bind-stateroot-var', kind: 'bind', source: stateVar, target: stateVar, reason: 'sysroot.readonly: the stateroot var stays writable' });
    add({ id: 'remount-stateroot-var-rw', kind: 'remount-bind', target: stateVar, readonly: false, reason: 'sysroot.readonly: the stateroot var stays writable' });
  }
  if (facts.mountVarMarker) {
    const reason = 'initramfs-mount-var marker: /var is mounted here instead of by the systemd generator';
    add({ id: 'bind-var', kind: 'bind', source: stateVar, target: `${T}/var`, reason });
    add({ id: 'var-slave', kind: 'propagation', target: `${T}/var`, propagation: 'slave', reason: 'submounts of /var must not leak into the stateroot var' });
    add({ id: 'var-shared', kind: 'propagation', target: `${T}/var`, propagation: 'shared', reason: 'slave+shared, as the generator\'s var.mount' });
  }

  const overlays = planOverlays(config, facts, mode, add, warnings);
  const persisted = planPersist(facts, mode, add);

  add({
    id: 'write-ostree-booted', kind: 'write-file', path: RUN_OSTREE_BOOTED, mode: 0o644,
    content: serializeVarDict(metadata), summary: metadata.map(([k]) => k).join(', '),
    reason: 'tells ostree, rpm-ostree and bootc that this is an ostree boot, and which deployment',
  });
  add({ id: 'move-to-sysroot', kind: 'move', source: T, target: R, reason: 'the new root takes the place of the physical root' });
  add({ id: 'rmdir-staging', kind: 'rmdir', path: T, reason: 'assembly point is empty now' });
  if (sysrootReadonly) {
    add({ id: 'remount-sysroot-ro', kind: 'remount-bind', target: `${R}/sysroot`, readonly: true, reason: 'sysroot.readonly' });
  }
  if (bareRoot) add({ id: 'unmount-proc', kind: 'unmount', target: '/proc', fstype: 'proc', reason: 'leave the root as we found it' });

  return {
    plan: {
      mode,
      sysroot: R,
      deployment: facts.deployment.relPath,
      sysrootReadonly,
      persisted,
      overlays,
      steps,
      metadata: describeMetadata(metadata),
    },
    warnings,
  };
}

/** /run/ostree-booted decoded for humans and JSON (bigints as strings). */
export function describeMetadata(entries: VarDict): Record<string, unknown> {
  return Object.fromEntries(entries.map(([k, v]) => {
    switch (v.type) {
      case '(tt)': return [k, v.value.map(String)];
      case 'other': return [k, { signature: v.signature, hex: Buffer.from(v.bytes).toString('hex') }];
      default: return [k, v.value];
    }
  }));
}

type Add = (step: Step) => void;

/**
 * Declared overlays, in dependency order (a lower may be another declared overlay). A state
 * upper lives under the stateroot /var with the commit it was last used with; after an update it
 * is pruned by ostree's rebase rule before mounting. A transient upper lives on the /run tmpfs.
 */
function planOverlays(config: RootConfig, facts: Facts, mode: Mode, add: Add, warnings: Warning[]): Plan['overlays'] {
  const T = STAGING_ROOT;
  return config.overlays.map((o, i) => {
    const f = facts.overlays[i]!;
    const what = `[overlay ${o.path}]`;
    if (isUnder(f.inRoot, '/var')) throw new PrepareRootError(what, `resolves to ${f.inRoot} in the image, under /var, which already persists`);
    f.lowersExist.forEach((ok, j) => {
      if (!ok) throw new PrepareRootError(`${what} lower`, `${o.lower[j]} does not exist in the image`);
    });
    const reason = `${what} upper=${o.upper}`;
    const dir = o.upper === 'state' ? stateOverlayDir(`${T}/sysroot`, facts.deployment.stateroot, o.path) : transientOverlayDir(o.path);
    const lower = f.lowersInRoot.map((l) => `${T}${l}`);
    add({ id: `mkdir-overlay-${i}`, kind: 'mkdirp', path: dir, mode: 0o700, reason });
    if (f.volatile !== null) planVolatile(o.path, dir, f, i, add, warnings);
    add({ id: `mkdir-overlay-upper-${i}`, kind: 'mkdir', path: `${dir}/upper`, mode: 0o755, existOk: true, reason });
    add({ id: `mkdir-overlay-work-${i}`, kind: 'mkdir', path: `${dir}/work`, mode: 0o700, existOk: true, overlayWork: true, reason });
    const pruned = o.upper === 'state' && f.stateCommit !== facts.deployment.commit;
    if (pruned) {
      add({ id: `prune-overlay-${i}`, kind: 'prune-upper', upper: `${dir}/upper`, lower, reason: `${what}: the deployment changed (${f.stateCommit ?? 'unknown'} → ${facts.deployment.commit}): drop what shadows the new base, keep what is added` });
      add({
        id: `record-overlay-commit-${i}`, kind: 'write-file', path: `${dir}/commit`, mode: 0o644,
        content: new TextEncoder().encode(`${facts.deployment.commit}
`), summary: facts.deployment.commit, reason: `${what}: the commit this upper now belongs to`,
      });
    }
    if (!f.pathInImage) {
      if (mode === 'legacy' || mode === 'composefs') {
        throw new PrepareRootError(what, `${f.inRoot} is not in the image; only a transient root can get a mount point for it`);
      }
      add({ id: `mkdir-overlay-target-${i}`, kind: 'mkdirp', path: `${T}${f.inRoot}`, mode: 0o755, reason: `${what}: mount point` });
    }
    add({
      id: `mount-overlay-${i}`, kind: 'overlay', target: `${T}${f.inRoot}`, lower, upper: `${dir}/upper`, work: `${dir}/work`, readonly: false,
      ...(o.volatile ? { options: ['volatile'] } : {}),
      reason: o.volatile ? `${reason}, volatile: no syncs; \`prepare-root checkpoint\` at shutdown makes it reusable` : reason,
    });
    const booted = o.upper === 'state' ? stateOverlayDir('/sysroot', facts.deployment.stateroot, o.path) : dir;
    return { path: f.inRoot, lower: f.lowersInRoot, upper: o.upper, dir: booted, upperDir: `${booted}/upper`, pruned, volatile: o.volatile };
  });
}

/**
 * Before a volatile mount: an upper that the last boot checkpointed at shutdown loses overlayfs'
 * "was volatile" marker and is reused; one that was not (crash, power loss, write-back error) is
 * moved to quarantine/<time> and a fresh one used. Then this mount's token is recorded, which
 * also invalidates the old checkpoint.
 */
function planVolatile(overlayPath: string, dir: string, f: Facts['overlays'][number], i: number, add: Add, warnings: Warning[]): void {
  const reason = `[overlay ${overlayPath}] volatile`;
  if (f.volatile?.state === 'clean') {
    add({ id: `reuse-volatile-${i}`, kind: 'remove-tree', path: `${dir}/work/work/incompat`, reason: `${reason}: checkpointed at the last shutdown, reuse it` });
  } else if (f.volatile?.state === 'torn') {
    const quarantine = `${dir}/${QUARANTINE_DIR}/${f.now}`;
    add({ id: `mkdir-quarantine-${i}`, kind: 'mkdirp', path: quarantine, mode: 0o700, reason: `${reason}: ${f.volatile.why}` });
    add({ id: `quarantine-upper-${i}`, kind: 'rename', from: `${dir}/upper`, to: `${quarantine}/upper`, reason: `${reason}: never reuse a possibly torn upper` });
    add({ id: `quarantine-work-${i}`, kind: 'rename', from: `${dir}/work`, to: `${quarantine}/work`, reason: `${reason}: never reuse a possibly torn upper` });
    warnings.push({
      where: `[overlay ${overlayPath}]`,
      message: `volatile upper not reused, ${f.volatile.why}; moved to ${quarantine.replace(STAGING_ROOT, '')} and starting empty`,
    });
  }
  const record: VolatileMount = { token: f.volatileToken, bootId: f.bootId };
  add({
    id: `record-volatile-mount-${i}`, kind: 'write-file', path: `${dir}/${VOLATILE_MOUNT_FILE}`, mode: 0o644,
    content: new TextEncoder().encode(`${JSON.stringify(record)}\n`), summary: f.volatileToken, reason: `${reason}: the token a shutdown checkpoint must name`,
  });
}

/**
 * Persisted paths: each bind-mounted from its store under the stateroot /var, seeded from the
 * image (owner, mode, times, xattrs kept) the first time. Runs once the physical root is under
 * T/sysroot and /etc is in place, so that /etc/ssh can persist inside a transient /etc.
 */
function planPersist(facts: Facts, mode: Mode, add: Add): Plan['persisted'] {
  const T = STAGING_ROOT;
  const stores = persistStore(`${T}/sysroot`, facts.deployment.stateroot);
  const booted = persistStore('/sysroot', facts.deployment.stateroot);
  return facts.persist.map((p, i) => {
    const what = `persist.paths: ${p.path}`;
    if (isUnder(p.inRoot, '/var')) throw new PrepareRootError(what, `resolves to ${p.inRoot} in the image, under /var, which already persists`);
    if (p.image === 'other') throw new PrepareRootError(what, `is neither a file nor a directory in the image (${p.inRoot})`);
    const store = `${stores}${p.inRoot}`;
    const target = `${T}${p.inRoot}`;
    const reason = `persist.paths: ${p.path} survives reboots`;
    if (!p.storeExists) {
      add({ id: `mkdir-persist-store-${i}`, kind: 'mkdirp', path: path.posix.dirname(store), mode: 0o755, reason: `${reason}: its store` });
      if (p.image === 'absent') add({ id: `create-persist-store-${i}`, kind: 'mkdir', path: store, mode: 0o755, existOk: false, reason: `${reason}: not in the image, starts empty` });
      else add({ id: `seed-persist-store-${i}`, kind: 'copy', from: target, to: store, reason: `${reason}: first boot, seeded from the image` });
    }
    if (p.image === 'absent') {
      if (mode === 'composefs') {
        throw new PrepareRootError(what, `${p.inRoot} is not in the image, and a read-only composefs root cannot get a mount point for it (add it to the image, or use root.transient)`);
      }
      add({ id: `mkdir-persist-target-${i}`, kind: 'mkdirp', path: target, mode: 0o755, reason: `${reason}: mount point` });
    }
    add({ id: `bind-persist-${i}`, kind: 'bind', source: store, target, reason });
    return { path: p.inRoot, store: `${booted}${p.inRoot}` };
  });
}

/** The dedicated tmpfs holding a transient root's upper and work dirs. */
function planTransientUpper(config: RootConfig, mode: Mode, add: Add): void {
  const size = config.transientSize === null ? [] : [`size=${config.transientSize}`];
  add({ id: 'mkdir-transient-root', kind: 'mkdir', path: TRANSIENT_ROOT_DIR, mode: 0o755, existOk: false, reason: `root.${mode}` });
  add({ id: 'mount-transient-tmpfs', kind: 'tmpfs', target: TRANSIENT_ROOT_DIR, options: ['mode=0755', ...size], reason: `root.${mode}: writes to / go to this tmpfs${size.length ? ` (root.transient-size=${config.transientSize})` : ''}` });
  add({ id: 'mkdir-transient-upper', kind: 'mkdir', path: `${TRANSIENT_ROOT_DIR}/upper`, mode: 0o755, existOk: false, reason: 'overlay upper of /' });
  add({ id: 'mkdir-transient-work', kind: 'mkdir', path: `${TRANSIENT_ROOT_DIR}/work`, mode: 0o700, existOk: false, overlayWork: true, reason: 'overlay work dir of /' });
}

/**
 * / as the composefs image: the EROFS metadata image mounted read-only at a private scratch
 * point, an overlay of it with the repo's objects as data-only layer (metacopy and redirects point
 * there), then the scratch mount detached (the overlay keeps it alive). ostree 2026.4 §3.2, §5.4.
 */
function planComposefsRoot(config: RootConfig, facts: Facts, mode: Mode, add: Add): void {
  const image = facts.composefsImage;
  if (image.state !== 'valid') throw new Error('planComposefsRoot without a valid image');
  const transient = mode !== 'composefs';
  add({ id: 'mount-composefs-image', kind: 'erofs', image: image.path, target: COMPOSEFS_SCRATCH, noacl: !image.hasAcl, reason: 'the composefs metadata image (EROFS)' });
  if (transient) planTransientUpper(config, mode, add);
  add({
    id: 'mount-composefs', kind: 'overlay', source: 'composefs', target: STAGING_ROOT,
    lower: [COMPOSEFS_SCRATCH], dataLower: [`${facts.sysroot === '/' ? '' : facts.sysroot}/ostree/repo/objects`],
    upper: transient ? `${TRANSIENT_ROOT_DIR}/upper` : null, work: transient ? `${TRANSIENT_ROOT_DIR}/work` : null,
    readonly: !transient,
    options: ['metacopy=on', 'redirect_dir=on', ...(config.composefs.requireVerity ? ['verity=require'] : [])],
    reason: `composefs: / is the deployment's image over the repo objects${config.composefs.requireVerity ? ', every file fs-verity checked' : ''}${transient ? `, with a tmpfs upper (root.${mode})` : ''}`,
  });
  add({
    id: 'detach-composefs-image', kind: 'detach', target: COMPOSEFS_SCRATCH, restoreFrom: null, endsUndoOf: 'mount-composefs-image',
    reason: 'the overlay keeps the image mounted (unmounting it releases the image and its loop device); the scratch point is left empty',
  });
}

/** /etc is only touched when the sysroot will be read-only or / is not the deployment itself. */
function planEtc(config: RootConfig, sysrootReadonly: boolean, composefs: boolean, facts: Facts, add: Add,
  metadata: Array<[string, VarDict[number][1]]>, warnings: Warning[]): void {
  const T = STAGING_ROOT;
  const needed = sysrootReadonly || composefs || config.rootTransient;
  if (!needed) {
    // ostree ignores etc.transient here without a word; say so instead.
    const etc = config.etcTransient;
    if (!etc.ok) warnings.push({ where: etc.error.what, message: `${etc.error.why}; ignored because /etc is not mounted in this mode` });
    else if (etc.value) warnings.push({ where: 'etc.transient', message: 'has no effect unless sysroot.readonly or root.transient is set (as in ostree)' });
    return;
  }
  if (!config.etcTransient.ok) throw config.etcTransient.error;
  if (config.etcTransient.value) {
    const dir = `${TRANSIENT_ETC_PREFIX}${facts.transientEtcSuffix}`;
    const reason = 'etc.transient: /etc changes vanish at reboot';
    add({ id: 'mkdir-transient-etc', kind: 'mkdir', path: dir, mode: 0o700, existOk: false, reason });
    add({ id: 'mkdir-transient-etc-upper', kind: 'mkdir', path: `${dir}/upper`, mode: 0o755, existOk: false, reason });
    add({ id: 'mkdir-transient-etc-work', kind: 'mkdir', path: `${dir}/work`, mode: 0o755, existOk: false, overlayWork: true, reason });
    add({ id: 'mount-transient-etc', kind: 'overlay', target: `${T}/etc`, lower: [`${T}/usr/etc`], upper: `${dir}/upper`, work: `${dir}/work`, readonly: false, reason: `${reason}; lower is the pristine usr/etc` });
    metadata.push(['transient-etc', { type: 's', value: dir }]);
    warnings.push({ where: 'etc.transient', message: 'changes to /etc are kept in memory and discarded at reboot' });
    return;
  }
  const reason = sysrootReadonly ? 'sysroot.readonly: /etc stays writable' : 'transient root: /etc stays persistent';
  add({ id: 'bind-etc', kind: 'bind', source: `${facts.deployment.path}/etc`, target: `${T}/etc`, reason });
  add({ id: 'remount-etc-rw', kind: 'remount-bind', target: `${T}/etc`, readonly: false, reason: 'clear a read-only flag inherited from the source mount' });
}

function planUsr(mode: Mode, signedComposefs: boolean, composefs: boolean, facts: Facts, add: Add): void {
  const T = STAGING_ROOT;
  const D = facts.deployment.path;
  // A hotfix overlay would put unsigned files over a signed /usr: ostree ignores it then, so do we.
  if (facts.hotfixUsr && !signedComposefs) {
    add({
      id: 'mount-hotfix-usr', kind: 'overlay', target: `${T}/usr`, lower: [`${T}/usr`], upper: HOTFIX_USR_UPPER,
      work: HOTFIX_USR_WORK, cwd: D, readonly: facts.sysrootOnReadonlyMount,
      reason: `ostree admin unlock --hotfix left ${HOTFIX_USR_WORK}: persistent /usr overlay`,
    });
  } else if (mode === 'legacy' && !composefs) {
    add({ id: 'bind-usr', kind: 'bind', source: `${T}/usr`, target: `${T}/usr`, reason: '/usr is read-only' });
    add({ id: 'remount-usr-ro', kind: 'remount-bind', target: `${T}/usr`, readonly: true, reason: '/usr is read-only' });
  }
  // composefs: /usr is part of the read-only image. A transient root keeps /usr in its overlay:
  // writable, and gone at reboot.
}
