// Decide the mount plan: ostree-prepare-root 2026.4's order and flags (docs/ostree-behaviour.md),
// plus a transient root on a plain bind-mounted deployment, which ostree refuses. Pure.
import { PrepareRootError } from '../base/errors.js';
import {
  COMPOSEFS_SCRATCH, RUN_OSTREE, RUN_OSTREE_BOOTED, RUN_OSTREE_PRIVATE, STAGING_ROOT, TRANSIENT_ROOT_DIR, VOLATILE_ROOT_LINK,
} from '../base/paths.js';
import type { RootConfig, Warning } from '../config/config.js';
import { type VarDict, serializeVarDict } from '../formats/gvariant.js';
import { describeMetadata } from '../formats/ostree-booted.js';
import type { BootContext, Facts } from '../probe/facts.js';
import { planEtc, planUsr } from './etc-usr.js';
import { planOverlays } from './overlays.js';
import { planPersist } from './persist.js';
import { planComposefsRoot, planTransientUpper } from './root.js';
import type { Mode, Plan, Step } from './types.js';

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

export function planPrepareRoot(config: RootConfig, facts: Facts, context: BootContext): PlanResult {
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
  planEtc(config, sysrootReadonly, composefs, facts, context, add, metadata, warnings);
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

  const overlays = planOverlays(config, facts, context, mode, add, warnings);
  const persisted = planPersist(facts, mode, add);

  add({
    id: 'write-ostree-booted', kind: 'write-file', path: RUN_OSTREE_BOOTED, mode: 0o644,
    content: serializeVarDict(metadata), summary: metadata.map(([k]) => k).join(', '),
    reason: 'tells ostree, rpm-ostree and bootc that this is an ostree boot, and which deployment',
  });
  add({ id: 'move-to-sysroot', kind: 'move', source: T, target: R, pointOfNoReturn: true, reason: 'the new root takes the place of the physical root' });
  add({ id: 'rmdir-staging', kind: 'rmdir', path: T, reason: 'assembly point is empty now' });
  if (sysrootReadonly) {
    add({ id: 'remount-sysroot-ro', kind: 'remount-bind', target: `${R}/sysroot`, readonly: true, reason: 'sysroot.readonly' });
  }

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
