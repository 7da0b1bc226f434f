// Declared overlays ([overlay PATH]): state or transient uppers, ostree's prune rule after an
// update, and reusable volatile uppers.
import { PrepareRootError } from '../base/errors.js';
import { STAGING_ROOT, stateOverlayDir, transientOverlayDir } from '../base/paths.js';
import { refusedResolved } from '../config/path-rules.js';
import { utf8Encode } from '../base/text.js';
import type { Warning } from '../config/config.js';
import type { BootContext, OverlayFact } from '../probe/facts.js';
import { QUARANTINE_DIR, VOLATILE_MOUNT_FILE, type VolatileMount } from '../probe/volatile-state.js';
import { labelUpperStep } from './root.js';
import { canMakeMountPoint } from './modes.js';
import type { Mode, Part, Plan, StateDirs, Step } from './types.js';

/**
 * Declared overlays, in dependency order (a lower may be another declared overlay). A state
 * upper lives in the state dir with the commit it was last used with; after an update it is
 * pruned by ostree's rebase rule before mounting (a plain root has no commit: never pruned). A
 * transient upper lives on the /run tmpfs.
 */
export function planOverlays(
  facts: { readonly overlays: readonly OverlayFact[]; readonly selinux: boolean },
  state: StateDirs,
  commit: string | null,
  context: BootContext,
  mode: Mode,
): Part & { readonly overlays: Plan['overlays'] } {
  const T = STAGING_ROOT;
  const steps: Step[] = [];
  const warnings: Warning[] = [];
  const overlays = facts.overlays.map((f, i) => {
    const o = f.overlay;
    const what = `[overlay ${o.path}]`;
    const refused = refusedResolved(f.inRoot, true);
    if (refused !== null) throw new PrepareRootError(what, `resolves to ${f.inRoot} in the image, ${refused}`);
    f.lowersExist.forEach((ok, j) => {
      if (!ok) throw new PrepareRootError(`${what} lower`, `${o.lower[j]} does not exist in the image`);
    });
    const reason = `${what} upper=${o.upper}`;
    const dir = o.upper === 'state' ? stateOverlayDir(state.planned, o.path) : transientOverlayDir(o.path);
    const lower = f.lowersInRoot.map((l) => `${T}${l}`);
    steps.push({ id: `mkdir-overlay-${i}`, kind: 'mkdirp', path: dir, mode: 0o700, reason });
    if (f.volatile !== null) {
      const volatile = planVolatile(dir, f, context, i);
      steps.push(...volatile.steps);
      warnings.push(...(volatile.warnings ?? []));
    }
    steps.push(
      {
        id: `mkdir-overlay-upper-${i}`,
        kind: 'mkdir',
        path: `${dir}/upper`,
        mode: 0o755,
        existOk: true,
        overlayDir: 'upper',
        reason,
      },
      ...labelUpperStep(`label-overlay-upper-${i}`, facts.selinux, lower[0]!, `${dir}/upper`, o.path),
      {
        id: `mkdir-overlay-work-${i}`,
        kind: 'mkdir',
        path: `${dir}/work`,
        mode: 0o700,
        existOk: true,
        overlayDir: 'work',
        reason,
      },
    );
    // The commit this upper moves to, when it moves (a state upper after an update).
    const moveTo = o.upper === 'state' && commit !== null && f.stateCommit !== commit ? commit : null;
    const pruned = moveTo !== null;
    if (moveTo !== null) {
      steps.push(
        {
          id: `prune-overlay-${i}`,
          kind: 'prune-upper',
          upper: `${dir}/upper`,
          lower,
          reason: `${what}: the deployment changed (${f.stateCommit ?? 'unknown'} → ${moveTo}): drop what shadows the new base, keep what is added`,
        },
        {
          id: `record-overlay-commit-${i}`,
          kind: 'write-file',
          path: `${dir}/commit`,
          mode: 0o644,
          content: utf8Encode(`${moveTo}\n`),
          summary: moveTo,
          reason: `${what}: the commit this upper now belongs to`,
        },
      );
    }
    if (!f.pathInImage) {
      if (!canMakeMountPoint(mode, f.inRoot)) {
        throw new PrepareRootError(
          what,
          `${f.inRoot} is not in the image; only a transient root can get a mount point for it`,
        );
      }
      steps.push({
        id: `mkdir-overlay-target-${i}`,
        kind: 'mkdirp',
        path: `${T}${f.inRoot}`,
        mode: 0o755,
        reason: `${what}: mount point`,
      });
    }
    steps.push({
      id: `mount-overlay-${i}`,
      kind: 'overlay',
      target: `${T}${f.inRoot}`,
      lower,
      upper: `${dir}/upper`,
      work: `${dir}/work`,
      readonly: false,
      ...(o.volatile ? { options: ['volatile'] } : {}),
      reason: o.volatile
        ? `${reason}, volatile: no syncs; \`prepare-root checkpoint\` at shutdown makes it reusable`
        : reason,
    });
    const booted = o.upper === 'state' ? stateOverlayDir(state.booted, o.path) : dir;
    return {
      path: f.inRoot,
      lower: f.lowersInRoot,
      upper: o.upper,
      dir: booted,
      upperDir: `${booted}/upper`,
      pruned,
      volatile: o.volatile,
    };
  });
  const labelled = facts.selinux
    ? overlays
        .filter((o) => o.upper === 'transient')
        .map((o) => ({ path: o.path, upper: o.upperDir, target: `${T}${o.path}` }))
    : [];
  return { steps, warnings, overlays, labelled };
}

/**
 * Before a volatile mount: an upper that the last boot checkpointed at shutdown loses overlayfs'
 * "was volatile" marker and is reused; one that was not (crash, power loss, write-back error) is
 * moved to quarantine/<time> and a fresh one used. Then this mount's token is recorded, which
 * also invalidates the old checkpoint.
 */
function planVolatile(dir: string, f: OverlayFact, context: BootContext, i: number): Part {
  const reason = `[overlay ${f.overlay.path}] volatile`;
  const steps: Step[] = [];
  const warnings: Warning[] = [];
  if (f.volatile?.state === 'clean') {
    steps.push({
      id: `reuse-volatile-${i}`,
      kind: 'remove-tree',
      path: `${dir}/work/work/incompat`,
      reason: `${reason}: checkpointed at the last shutdown, reuse it`,
    });
  } else if (f.volatile?.state === 'torn') {
    const quarantine = `${dir}/${QUARANTINE_DIR}/${context.now}`;
    steps.push(
      {
        id: `mkdir-quarantine-${i}`,
        kind: 'mkdirp',
        path: quarantine,
        mode: 0o700,
        reason: `${reason}: ${f.volatile.why}`,
      },
      // The upper and work dirs, and any record that cannot be read (a FIFO, a device): new ones take their place.
      ...f.volatile.quarantine.map(
        (name): Step => ({
          id: `quarantine-${name}-${i}`,
          kind: 'rename',
          from: `${dir}/${name}`,
          to: `${quarantine}/${name}`,
          reason:
            name === 'upper' || name === 'work'
              ? `${reason}: never reuse a possibly torn upper`
              : `${reason}: its ${name} record cannot be read`,
        }),
      ),
    );
    warnings.push({
      where: `[overlay ${f.overlay.path}]`,
      message: `volatile upper not reused, ${f.volatile.why}; moved to ${quarantine.replace(STAGING_ROOT, '')} and starting empty`,
    });
  }
  const token = `${context.bootToken}-${i}`;
  const record: VolatileMount = { token, bootId: context.bootId };
  steps.push({
    id: `record-volatile-mount-${i}`,
    kind: 'write-file',
    path: `${dir}/${VOLATILE_MOUNT_FILE}`,
    mode: 0o644,
    content: utf8Encode(`${JSON.stringify(record)}\n`),
    summary: token,
    reason: `${reason}: the token a shutdown checkpoint must name`,
  });
  return { steps, warnings };
}
