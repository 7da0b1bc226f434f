// Persisted paths ([persist] paths): binds from stores under the stateroot /var.
import { PrepareRootError } from '../base/errors.js';
import { STAGING_ROOT, persistStore } from '../base/paths.js';
import { dirname } from '../base/posix-path.js';
import { refusedResolved } from '../config/path-rules.js';
import type { PersistFact } from '../probe/facts.js';
import { canMakeMountPoint } from './modes.js';
import type { Mode, Part, Plan, StateDirs, Step } from './types.js';

/** How a refusal names a root that cannot get a new mount point. */
const MOUNT_POINTLESS: Partial<Record<Mode, string>> = {
  legacy: 'legacy (the deployment itself)',
  composefs: 'read-only composefs',
  plain: 'persistent plain',
};

/**
 * Persisted paths: each bind-mounted from its store in the state dir (under the stateroot /var, or
 * a plain root's own /var), seeded from the image (owner, mode, times, xattrs kept) the first
 * time. Runs once /etc is in place, so that /etc/ssh can persist inside a transient /etc.
 */
export function planPersist(
  persist: readonly PersistFact[],
  state: StateDirs,
  mode: Mode,
  varPersists = true,
): Part & { readonly persisted: Plan['persisted'] } {
  const T = STAGING_ROOT;
  const stores = persistStore(state.planned);
  const booted = persistStore(state.booted);
  const steps: Step[] = [];
  const add = (step: Step): void => void steps.push(step);
  const persisted = persist.map((p, i) => {
    const what = `persist.paths: ${p.path}`;
    const refused = refusedResolved(p.inRoot, false, varPersists);
    if (refused !== null) throw new PrepareRootError(what, `resolves to ${p.inRoot} in the image, ${refused}`);
    if (p.image === 'other')
      throw new PrepareRootError(what, `is neither a file nor a directory in the image (${p.inRoot})`);
    const store = `${stores}${p.inRoot}`;
    const target = `${T}${p.inRoot}`;
    const reason = `persist.paths: ${p.path} survives reboots`;
    if (!p.storeExists) {
      add({
        id: `mkdir-persist-store-${i}`,
        kind: 'mkdirp',
        path: dirname(store),
        mode: 0o755,
        reason: `${reason}: its store`,
      });
      if (p.image === 'absent')
        add({
          id: `create-persist-store-${i}`,
          kind: 'mkdir',
          path: store,
          mode: 0o755,
          existOk: false,
          reason: `${reason}: not in the image, starts empty`,
        });
      else
        add({
          id: `seed-persist-store-${i}`,
          kind: 'copy',
          from: target,
          to: store,
          reason: `${reason}: first boot, seeded from the image`,
        });
    }
    if (p.image === 'absent') {
      if (!canMakeMountPoint(mode, p.inRoot)) {
        throw new PrepareRootError(
          what,
          `${p.inRoot} is not in the image, and a ${MOUNT_POINTLESS[mode] ?? mode} root cannot get a mount point for it (add it to the image, or use root.transient)`,
        );
      }
      add({
        id: `mkdir-persist-target-${i}`,
        kind: 'mkdirp',
        path: target,
        mode: 0o755,
        reason: `${reason}: mount point`,
      });
    }
    add({ id: `bind-persist-${i}`, kind: 'bind', source: store, target, reason });
    return { path: p.inRoot, store: `${booted}${p.inRoot}` };
  });
  return { steps, persisted };
}
