// Decide the mount plan: ostree-prepare-root 2026.4's order and flags (docs/ostree-behaviour.md),
// plus a transient root on a plain bind-mounted deployment, which ostree refuses. Pure.
import { PrepareRootError } from '../base/errors.js';
import {
  COMPOSEFS_SCRATCH,
  RUN_OSTREE,
  RUN_OSTREE_BOOTED,
  RUN_OSTREE_PRIVATE,
  STAGING_ROOT,
  TRANSIENT_ROOT_DIR,
  ostreeStateDir,
} from '../base/paths.js';
import { type Integrity, type OstreeConfig, type Warning, composefsSetting } from '../config/config.js';
import { serializeVarDict } from '../formats/gvariant.js';
import { describeMetadata } from '../formats/ostree-booted.js';
import type { ComposefsImage } from '../probe/composefs-image.js';
import type { BootContext, Facts } from '../probe/facts.js';
import {
  MAKE_ROOT_PRIVATE,
  MKDIR_STAGING,
  REMOUNT_ROOT_RO,
  detachPhysicalRoot,
  loginNoticeSteps,
  moveToSysroot,
  recordLabelsSteps,
  volatileRootSteps,
} from './common-steps.js';
import { planEtc, planUsr } from './etc-usr.js';
import { planOverlays } from './overlays.js';
import { planPersist } from './persist.js';
import { composefsRootSteps, transientUpperSteps } from './root.js';
import { hasRootUpper, isReadonlyRoot, ostreeMode } from './modes.js';
import type { MetadataEntry, Mode, OstreePlan, Part, Plan, StateDirs, Step } from './types.js';

export interface PlanResult<P extends Plan = Plan> {
  readonly plan: P;
  readonly warnings: readonly Warning[];
  readonly notices: readonly Warning[];
}

type ValidImage = Extract<ComposefsImage, { state: 'valid' }>;

/**
 * Whether / is the deployment's composefs image: `on` requires it, `maybe` uses it when the
 * deployment has one and otherwise falls back to the plain bind mount.
 */
function decideComposefs(
  config: OstreeConfig,
  facts: Facts,
): { image: ValidImage | null; integrity: Integrity; warnings: Warning[] } {
  const c = config.composefs;
  const image = facts.composefsImage;
  if (c.mode === 'off') return { image: null, integrity: 'none', warnings: [] };
  if (image.state === 'invalid') throw new PrepareRootError(`composefs image ${image.path}`, image.reason);
  if (image.state === 'valid') return { image, integrity: c.integrity, warnings: [] };
  if (c.mode === 'on') {
    throw new PrepareRootError(
      'composefs',
      `the deployment has no image ${image.path} (composefs.enabled=${composefsSetting(c)}; use maybe to fall back to a plain bind mount)`,
    );
  }
  return {
    image: null,
    integrity: 'none',
    warnings: [
      {
        where: 'composefs.enabled',
        message: 'maybe: the deployment has no composefs image; using the plain bind mount',
      },
    ],
  };
}

/**
 * sysroot.readonly, as ostree decides it: the config value, defaulting to true when composefs is
 * `on`; when that yields false (even an explicit false) and composefs is not `on`, a legacy
 * `[sysroot] readonly=true` in the repo config turns it on.
 */
function decideSysrootReadonly(config: OstreeConfig, facts: Facts): { value: boolean; warnings: Warning[] } {
  const composefsOn = config.composefs.mode === 'on';
  const configured = config.sysrootReadonly ?? composefsOn;
  if (configured || composefsOn) return { value: configured, warnings: [] };
  if (facts.legacyRepoReadonly === true) {
    return {
      value: true,
      warnings: [
        {
          where: `${facts.sysroot}/ostree/repo/config`,
          message: 'found legacy [sysroot] readonly=true; move it to [sysroot] readonly in prepare-root.conf',
        },
      ],
    };
  }
  return { value: false, warnings: [] };
}

/** / at the staging point: the bind, the transient overlay, or the composefs image. */
function planRoot(
  config: OstreeConfig,
  facts: Facts,
  mode: Mode,
  image: ValidImage | null,
  integrity: Integrity,
): Part {
  const T = STAGING_ROOT;
  const steps: Step[] = [];
  const metadata: MetadataEntry[] = [];
  if (config.composefs.mode !== 'off') {
    // ostree creates the EROFS scratch point before it knows whether an image exists.
    steps.push({
      id: 'mkdir-composefs-scratch',
      kind: 'mkdir',
      path: COMPOSEFS_SCRATCH,
      mode: 0o700,
      existOk: true,
      reason: `composefs.enabled=${composefsSetting(config.composefs)}`,
    });
  }
  if (image !== null) {
    steps.push(...composefsRootSteps(config, facts, image, integrity, mode));
    // The probe verified the signature and the image digest before planning; ostree records the key file.
    if (facts.signedWith !== null) metadata.push(['composefs.signed', { type: 's', value: facts.signedWith }]);
    metadata.push(
      ['composefs', { type: 'b', value: true }],
      ['composefs.verity', { type: 'b', value: integrity !== 'none' }],
    );
  } else if (mode === 'legacy') {
    steps.push({
      id: 'bind-deployment',
      kind: 'bind',
      source: facts.deployment.path,
      target: T,
      reason: 'legacy mode: / is a bind of the deployment',
    });
  } else {
    steps.push(...transientUpperSteps(config, TRANSIENT_ROOT_DIR, facts.selinux, facts.deployment.path), {
      id: 'mount-transient-root',
      kind: 'overlay',
      target: T,
      lower: [facts.deployment.path],
      upper: `${TRANSIENT_ROOT_DIR}/upper`,
      work: `${TRANSIENT_ROOT_DIR}/work`,
      readonly: false,
      reason:
        mode === 'transient-ro'
          ? 'root.transient-ro: / is an overlay with a tmpfs upper, mounted read-only below'
          : 'root.transient: / is an overlay with a tmpfs upper, writes vanish at reboot',
    });
  }
  if (isReadonlyRoot(mode)) steps.push(REMOUNT_ROOT_RO);
  if (image !== null && facts.sysrootDevice !== null) steps.push(...volatileRootSteps(facts.sysrootDevice));
  const transient = hasRootUpper(mode);
  const labelled = transient && facts.selinux ? [{ path: '/', upper: `${TRANSIENT_ROOT_DIR}/upper`, target: T }] : [];
  const notices = transient
    ? [
        {
          where: `root.${mode}`,
          message: 'changes to / (including /usr) are kept in memory and discarded at reboot; /etc and /var persist',
        },
      ]
    : [];
  return { steps, metadata, notices, labelled };
}

/** The physical root under the new root, the stateroot var, and /var when asked to mount it. */
function planSysroot(facts: Facts, sysrootReadonly: boolean): Part {
  const R = facts.sysroot;
  const T = STAGING_ROOT;
  const steps: Step[] = [
    {
      id: 'bind-physical-root',
      kind: 'bind',
      source: R,
      target: `${T}/sysroot`,
      reason: 'the physical root stays reachable at /sysroot',
    },
    detachPhysicalRoot(R, `${T}/sysroot`),
  ];
  const stateVar = `${T}/sysroot/ostree/deploy/${facts.deployment.stateroot}/var`;
  if (sysrootReadonly) {
    steps.push(
      {
        id: 'bind-stateroot-var',
        kind: 'bind',
        source: stateVar,
        target: stateVar,
        reason: 'sysroot.readonly: the stateroot var stays writable',
      },
      {
        id: 'remount-stateroot-var-rw',
        kind: 'remount-bind',
        target: stateVar,
        readonly: false,
        reason: 'sysroot.readonly: the stateroot var stays writable',
      },
    );
  }
  if (facts.mountVarMarker) {
    const reason = 'initramfs-mount-var marker: /var is mounted here instead of by the systemd generator';
    steps.push(
      { id: 'bind-var', kind: 'bind', source: stateVar, target: `${T}/var`, reason },
      {
        id: 'var-slave',
        kind: 'propagation',
        target: `${T}/var`,
        propagation: 'slave',
        reason: 'submounts of /var must not leak into the stateroot var',
      },
      {
        id: 'var-shared',
        kind: 'propagation',
        target: `${T}/var`,
        propagation: 'shared',
        reason: "slave+shared, as the generator's var.mount",
      },
    );
  }
  return { steps };
}

export function planPrepareRoot(config: OstreeConfig, facts: Facts, context: BootContext): PlanResult<OstreePlan> {
  const { image, integrity, warnings: composefsWarnings } = decideComposefs(config, facts);
  const readonly = decideSysrootReadonly(config, facts);
  const sysrootReadonly = readonly.value;
  const mode = ostreeMode(config.rootMode, image !== null);
  const R = facts.sysroot;
  const T = STAGING_ROOT;
  const prologue: Part = {
    steps: [
      MAKE_ROOT_PRIVATE,
      // ostree fails when /run/ostree exists; it may legitimately hold the initramfs-mount-var marker.
      {
        id: 'mkdir-run-ostree',
        kind: 'mkdir',
        path: RUN_OSTREE,
        mode: 0o755,
        existOk: true,
        reason: 'ostree state dir',
      },
      {
        id: 'mkdir-run-ostree-private',
        kind: 'mkdir',
        path: RUN_OSTREE_PRIVATE,
        mode: 0o000,
        existOk: true,
        reason: 'internals hidden from unprivileged users',
      },
      MKDIR_STAGING,
    ],
    metadata: [
      ['backing-root-device-inode', { type: '(tt)', value: [facts.deployment.dev, facts.deployment.ino] }],
      ['root.transient', { type: 'b', value: config.rootMode !== 'persistent' }],
      ['root.transient-ro', { type: 'b', value: config.rootMode === 'transient-ro' }],
    ],
    warnings: [...composefsWarnings, ...readonly.warnings],
  };
  const root = planRoot(config, facts, mode, image, integrity);
  const sysrootRo: Part = { steps: [], metadata: [['sysroot-ro', { type: 'b', value: sysrootReadonly }]] };
  const state: StateDirs = {
    planned: ostreeStateDir(`${T}/sysroot`, facts.deployment.stateroot),
    booted: ostreeStateDir('/sysroot', facts.deployment.stateroot),
  };
  const overlays = planOverlays(facts, state, facts.deployment.commit, context, mode);
  const persist = planPersist(facts.persist, state, mode);
  const parts = [
    prologue,
    root,
    sysrootRo,
    planEtc(config, sysrootReadonly, mode, facts, context),
    planUsr(mode, facts),
    planSysroot(facts, sysrootReadonly),
    overlays,
    persist,
  ];
  const metadata = parts.flatMap((p) => p.metadata ?? []);
  const labelled = parts.flatMap((p) => p.labelled ?? []);
  const notices = parts.flatMap((p) => p.notices ?? []);
  const epilogue: Step[] = [
    ...recordLabelsSteps(labelled),
    {
      id: 'write-ostree-booted',
      kind: 'write-file',
      path: RUN_OSTREE_BOOTED,
      mode: 0o644,
      content: serializeVarDict(metadata),
      summary: metadata.map(([k]) => k).join(', '),
      reason: 'tells ostree, rpm-ostree and bootc that this is an ostree boot, and which deployment',
    },
    ...loginNoticeSteps(notices),
    ...moveToSysroot(R),
    ...(sysrootReadonly
      ? [
          {
            id: 'remount-sysroot-ro',
            kind: 'remount-bind',
            target: `${R}/sysroot`,
            readonly: true,
            reason: 'sysroot.readonly',
          } as const,
        ]
      : []),
  ];
  return {
    plan: {
      kind: 'ostree',
      mode,
      sysroot: R,
      deployment: facts.deployment.relPath,
      sysrootReadonly,
      selinux: facts.selinux,
      persisted: persist.persisted,
      overlays: overlays.overlays,
      steps: [...parts.flatMap((p) => p.steps), ...epilogue],
      metadata: describeMetadata(metadata),
    },
    warnings: parts.flatMap((p) => p.warnings ?? []),
    notices,
  };
}
