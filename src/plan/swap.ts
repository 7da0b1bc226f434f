// Swap files listed in a plain root's /etc/fstab, under a transient root: swapon opens the file
// read-write, so through the overlay it would be copied up whole into the tmpfs (RAM), and then
// overlayfs refuses to swap on it anyway. Bound from the physical root instead, it swaps on disk.
import { isUnder } from '../base/posix-path.js';
import type { PlainConfig, Warning } from '../config/config.js';
import type { PlainFacts } from '../probe/plain.js';
import { PHYSICAL_ROOT, STAGING_ROOT } from '../base/paths.js';
import type { Part, Step } from './types.js';

/** Which parts of the new root are transient: / itself, and /etc and /var. */
export interface TransientAreas {
  readonly root: boolean;
  readonly etc: boolean;
  readonly var: boolean;
}

export function transientAreas(config: PlainConfig): TransientAreas {
  return {
    root: config.rootMode !== 'persistent',
    etc: config.etcTransient,
    var: config.varTransient,
  };
}

function transientAt(path: string, facts: PlainFacts, areas: TransientAreas): boolean {
  if (isUnder(path, facts.etc.inRoot)) return areas.etc || (areas.root && facts.etc.kind !== 'dir');
  if (isUnder(path, facts.var.inRoot)) return areas.var || (areas.root && facts.var.kind !== 'dir');
  return areas.root;
}

export function planSwap(facts: PlainFacts, areas: TransientAreas): Part {
  const steps: Step[] = [];
  const warnings: Warning[] = [];
  facts.swapFiles.forEach((f, i) => {
    if (!transientAt(f.inRoot, facts, areas)) return;
    const where = `swap file ${f.path} (in /etc/fstab)`;
    if (f.kind === 'file') {
      steps.push({
        id: `bind-swap-${i}`,
        kind: 'bind',
        source: `${PHYSICAL_ROOT}${f.inRoot}`,
        target: `${STAGING_ROOT}${f.inRoot}`,
        reason: `${where}: swaps on the physical root's disk, not copied into memory`,
      });
      warnings.push({
        where,
        message: 'bound from the physical root: swapon uses the disk, nothing is copied into memory',
      });
    } else if (f.kind === 'absent') {
      warnings.push({
        where,
        message:
          'is not on the physical root: made now, it would live in memory and vanish at reboot; make it on the disk in a boot with rd.prepare-root=off',
      });
    }
  });
  return { steps, warnings };
}
