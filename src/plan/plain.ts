// Decide the mount plan of a plain root (no ostree= on the kernel command line): / stays the
// physical root or becomes a transient overlay over it, /etc and /var stay persistent unless
// asked otherwise, and the physical root stays reachable read-only. Pure.
import { PrepareRootError } from '../base/errors.js';
import { dirname } from '../base/posix-path.js';
import { utf8Encode } from '../base/text.js';
import { withoutRootEntry } from '../formats/fstab.js';
import {
  PHYSICAL_ROOT,
  PLAIN_CONFIG_PATHS,
  PLAIN_TRANSIENT_ROOT_DIR,
  REMOUNT_FS_DROPIN,
  REMOUNT_FS_FSTAB,
  RUN_PREPARE_ROOT,
  STAGING_ROOT,
  UPPER_DEVICE_DIR,
} from '../base/paths.js';
import { RESET_KARG, ROOT_KARG } from '../config/cmdline.js';
import type { PlainConfig, Warning } from '../config/config.js';
import type { BootContext } from '../probe/facts.js';
import type { PlainFacts, TopDirFact } from '../probe/plain.js';
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
import { hasRootUpper, isReadonlyRoot, plainMode } from './modes.js';
import { planOverlays } from './overlays.js';
import { planPersist } from './persist.js';
import { planSwap, transientAreas } from './swap.js';
import type { PlanResult } from './plan.js';
import { rootUpperWork, transientUpperSteps, upperWorkSteps } from './root.js';
import type { LabelledUpper, Part, PlainPlan, StateDirs, Step } from './types.js';

/**
 * Why a plain root is left exactly as it is, or null when there is something to do: `off` on
 * the command line, no config and no karg, or a config that asks for nothing.
 */
export function plainUntouched(config: PlainConfig): string | null {
  if (config.file === null && config.rootKarg === null)
    return `no ${PLAIN_CONFIG_PATHS.join(' or ')} and no ${ROOT_KARG}= on the kernel command line: nothing asked for`;
  const asks =
    config.rootMode !== 'persistent' ||
    config.etcTransient ||
    config.varTransient ||
    config.persistPaths.length > 0 ||
    config.overlays.length > 0;
  return asks
    ? null
    : `${config.file} asks for nothing (no transient root, /etc or /var, no persisted path or overlay)`;
}

/**
 * /etc or /var: with `transient`, an overlay of the physical one with a tmpfs upper on /run;
 * over a transient root otherwise, a bind of the physical one (writes land on the disk). Over a
 * persistent root it already is the physical one.
 */
function planTopDir(
  name: 'etc' | 'var',
  dir: TopDirFact,
  transient: boolean,
  rootTransient: boolean,
  selinux: boolean,
): Part {
  const T = STAGING_ROOT;
  const source = `${PHYSICAL_ROOT}${dir.inRoot}`;
  const target = `${T}${dir.inRoot}`;
  if (transient) {
    if (dir.kind !== 'dir') {
      throw new PrepareRootError(
        `${name}.transient`,
        `/${name} ${dir.kind === 'absent' ? 'does not exist' : 'is not a directory'} in the physical root (${dir.inRoot})`,
      );
    }
    const upperDir = `${RUN_PREPARE_ROOT}/${name}`;
    const reason = `${name}.transient: /${name} is an overlay with a tmpfs upper, writes vanish at reboot`;
    const steps: Step[] = [
      { id: `mkdir-transient-${name}`, kind: 'mkdir', path: upperDir, mode: 0o700, existOk: false, reason },
      ...upperWorkSteps({
        name: `transient-${name}`,
        dir: upperDir,
        existOk: false,
        selinux,
        labelFrom: source,
        what: `/${name}`,
        reason,
      }),
      {
        id: `mount-transient-${name}`,
        kind: 'overlay',
        target,
        lower: [source],
        upper: `${upperDir}/upper`,
        work: `${upperDir}/work`,
        readonly: false,
        reason,
      },
    ];
    const labelled: LabelledUpper[] = selinux ? [{ path: dir.inRoot, upper: `${upperDir}/upper`, target }] : [];
    return { steps, labelled };
  }
  if (!rootTransient || dir.kind !== 'dir') return { steps: [] };
  return {
    steps: [
      {
        id: `bind-${name}`,
        kind: 'bind',
        source,
        target,
        reason: `/${name} stays persistent: writes land on the physical root`,
      },
    ],
  };
}

/**
 * root.upper-device: the device's filesystem mounted under /run, with the root overlay's upper
 * and work dirs on it, kept across boots; rd.prepare-root.reset empties them first.
 */
function deviceUpperSteps(
  config: PlainConfig,
  facts: PlainFacts,
  device: NonNullable<PlainFacts['upperDevice']>,
): Step[] {
  if (!device.present) {
    throw new PrepareRootError(`root.upper-device ${device.spec}`, device.missing);
  }
  const D = UPPER_DEVICE_DIR;
  const reason = `root.upper-device=${device.spec}: the root's changes are kept on that device until a boot with ${RESET_KARG}`;
  const reset = `${RESET_KARG}: the root's changes kept on ${device.spec} are discarded, the upper starts empty`;
  return [
    { id: 'mkdir-upper-device', kind: 'mkdir', path: D, mode: 0o755, existOk: false, reason },
    {
      id: 'mount-upper-device',
      kind: 'device-fs',
      device: device.path,
      fstype: config.upperDevice!.fstype,
      target: D,
      reason,
    },
    ...(config.resetUpper
      ? [
          { id: 'reset-upper', kind: 'remove-tree', path: `${D}/upper`, reason: reset } as const,
          { id: 'reset-work', kind: 'remove-tree', path: `${D}/work`, reason: reset } as const,
        ]
      : []),
    ...rootUpperWork('device', D, true, facts.selinux, PHYSICAL_ROOT),
  ];
}

/**
 * A read-only / stays so: systemd-remount-fs remounts / with the options of its fstab entry, which
 * describes the physical root (a Debian fstab has no `ro`), and that would make the overlay
 * writable. systemd-remount-fs reads the fstab $SYSTEMD_FSTAB names: the same one without its /
 * entry, through a drop-in in /run (the image and its fstab are not touched).
 */
function keepRootReadonlySteps(fstab: string | null): Step[] {
  const filtered = fstab === null ? null : withoutRootEntry(fstab);
  if (filtered === null) return [];
  const reason = 'root.transient-ro: systemd-remount-fs would remount / read-write, as its fstab entry says';
  const dropin = [
    '# prepare-root: / is read-only this boot (root.transient-ro); the fstab entry for / describes',
    '# the physical root and would make systemd-remount-fs remount it read-write.',
    '[Service]',
    `Environment=SYSTEMD_FSTAB=${REMOUNT_FS_FSTAB}`,
    '',
  ].join('\n');
  const dirs = ['/run/systemd', '/run/systemd/system', dirname(REMOUNT_FS_DROPIN)];
  return [
    {
      id: 'write-remount-fs-fstab',
      kind: 'write-file',
      path: REMOUNT_FS_FSTAB,
      mode: 0o644,
      content: utf8Encode(filtered),
      summary: '/etc/fstab without its / entry',
      reason,
    },
    ...dirs.map(
      (path, i): Step => ({
        id: `mkdir-remount-fs-dropin-${i}`,
        kind: 'mkdir',
        path,
        mode: 0o755,
        existOk: true,
        reason,
      }),
    ),
    {
      id: 'write-remount-fs-dropin',
      kind: 'write-file',
      path: REMOUNT_FS_DROPIN,
      mode: 0o644,
      content: utf8Encode(dropin),
      summary: `SYSTEMD_FSTAB=${REMOUNT_FS_FSTAB}`,
      reason,
    },
  ];
}

/** Something of the plan writes to the physical root after boot: /etc or /var persistent, or our state. */
function writesPhysicalRoot(config: PlainConfig, facts: PlainFacts): boolean {
  const etcTransient = config.etcTransient;
  return (
    (config.rootMode !== 'persistent' && (!etcTransient || !config.varTransient)) ||
    facts.persist.length > 0 ||
    config.overlays.some((o) => o.upper === 'state')
  );
}

export function planPlainRoot(config: PlainConfig, facts: PlainFacts, context: BootContext): PlanResult<PlainPlan> {
  const R = facts.sysroot;
  // The new root is built from a bind of the physical root alone: a /usr mounted on it would
  // not be there, and a root without its /usr does not boot.
  if (facts.separateUsr) {
    throw new PrepareRootError(
      { path: `${R}/usr` },
      'is a mount of its own (a separate /usr), which a plain root prepared by prepare-root would boot without: not supported; keep /usr on the root filesystem, or boot with rd.prepare-root=off',
    );
  }
  const T = STAGING_ROOT;
  const P = PHYSICAL_ROOT;
  const device = facts.upperDevice;
  const mode = plainMode(config.rootMode, device !== null);
  const rootTransient = hasRootUpper(mode);
  const etcTransient = config.etcTransient;
  const physical = `the physical root stays reachable, read-only, at ${P}`;
  const steps: Step[] = [
    MAKE_ROOT_PRIVATE,
    MKDIR_STAGING,
    { id: 'mkdir-physical-root', kind: 'mkdirp', path: P, mode: 0o755, reason: physical },
    { id: 'bind-physical-root', kind: 'bind', source: R, target: P, reason: physical },
  ];
  const remountRw = facts.readonly && writesPhysicalRoot(config, facts);
  if (remountRw) {
    // The binds below are cloned from P: writable once P is.
    const reason =
      'the physical root is mounted read-only (ro on the kernel command line, there so it is checked before it is written, which ran before it was mounted), and persistent /etc, /var or our state are written to it';
    steps.push(
      { id: 'remount-physical-fs-rw', kind: 'remount-fs', target: P, readonly: false, reason },
      { id: 'remount-physical-root-rw', kind: 'remount-bind', target: P, readonly: false, reason },
    );
  }
  const warnings: Warning[] = [];
  const notices: Warning[] = [];
  const labelled: LabelledUpper[] = [];
  if (config.resetUpper && device === null) {
    warnings.push({ where: `kernel argument ${RESET_KARG}`, message: 'has no effect without root.upper-device' });
  }
  if (rootTransient) {
    const upperDir = device === null ? PLAIN_TRANSIENT_ROOT_DIR : UPPER_DEVICE_DIR;
    const karg = config.rootKarg === null ? '' : ` (${ROOT_KARG}=${config.rootKarg})`;
    steps.push(
      ...(device === null
        ? transientUpperSteps(config, PLAIN_TRANSIENT_ROOT_DIR, facts.selinux, P)
        : deviceUpperSteps(config, facts, device)),
      {
        id: 'mount-transient-root',
        kind: 'overlay',
        target: T,
        lower: [P],
        upper: `${upperDir}/upper`,
        work: `${upperDir}/work`,
        readonly: false,
        reason:
          device === null
            ? `root.${config.rootMode}${karg}: / is an overlay of the physical root with a tmpfs upper, writes vanish at reboot`
            : `root.upper-device${karg}: / is an overlay of the physical root with its upper on ${device.spec}`,
      },
    );
    // A device's filesystem keeps the labels; a tmpfs loses them at the policy load.
    if (facts.selinux && device === null) labelled.push({ path: '/', upper: `${upperDir}/upper`, target: T });
    const kept = [etcTransient ? null : '/etc', config.varTransient ? null : '/var'].filter((x) => x !== null);
    notices.push({
      where: device === null ? `root.${config.rootMode}` : `root.upper-device ${device.spec}`,
      message: `changes to / (including /usr) are ${device === null ? 'kept in memory and discarded at reboot' : `kept on ${device.spec} until a boot with ${RESET_KARG}${config.resetUpper ? ' (this one: discarded now)' : ''}`}${kept.length ? `; ${kept.join(' and ')} ${kept.length === 1 ? 'persists' : 'persist'}` : ''}`,
    });
  } else {
    steps.push({ id: 'bind-root', kind: 'bind', source: P, target: T, reason: 'the root stays the physical root' });
    // / persists; what does not is announced on its own, as on an ostree boot.
    for (const [name, transient] of [
      ['etc', etcTransient],
      ['var', config.varTransient],
    ] as const) {
      if (transient)
        notices.push({
          where: `${name}.transient`,
          message: `changes to /${name} are kept in memory and discarded at reboot`,
        });
    }
  }
  const parts = [
    planTopDir('etc', facts.etc, etcTransient, rootTransient, facts.selinux),
    planTopDir('var', facts.var, config.varTransient, rootTransient, facts.selinux),
  ];
  // The state dir as the booted system reaches it writable: through a persistent /var, else
  // only through the read-only physical root.
  const varPersistent = !config.varTransient;
  const state: StateDirs = {
    planned: `${P}${facts.stateDir}`,
    booted: varPersistent ? facts.stateDir : `${P}${facts.stateDir}`,
  };
  const overlays = planOverlays(facts, state, null, context, mode);
  const persist = planPersist(facts.persist, state, mode, varPersistent);
  parts.push(overlays, persist, planSwap(facts, transientAreas(config)));
  for (const p of parts) {
    steps.push(...p.steps);
    warnings.push(...(p.warnings ?? []));
    notices.push(...(p.notices ?? []));
    labelled.push(...(p.labelled ?? []));
  }
  if (rootTransient && facts.device !== null) steps.push(...volatileRootSteps(facts.device));
  if (isReadonlyRoot(mode)) steps.push(REMOUNT_ROOT_RO, ...keepRootReadonlySteps(facts.fstab));
  steps.push(
    ...recordLabelsSteps(labelled),
    ...loginNoticeSteps(notices),
    detachPhysicalRoot(R, P, remountRw),
    ...moveToSysroot(R),
    {
      id: 'remount-physical-root-ro',
      kind: 'remount-bind',
      target: P,
      readonly: true,
      reason: physical,
    },
  );
  return {
    plan: {
      kind: 'plain',
      mode,
      sysroot: R,
      physicalRoot: P,
      selinux: facts.selinux,
      persisted: persist.persisted,
      overlays: overlays.overlays,
      steps,
    },
    warnings,
    notices,
  };
}
