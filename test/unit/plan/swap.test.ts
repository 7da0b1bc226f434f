// plan/swap.ts: a plain root's swap files under a transient area are bound from the physical root
// (swapon through the overlay would copy them into memory); one that is not there is only warned
// about; one outside any transient area is left to the booted system.
import { describe, expect, it } from 'vitest';
import { type TransientAreas, planSwap } from '../../../src/plan/swap.js';
import type { PlainFacts, TopDirFact } from '../../../src/probe/plain.js';

const facts = (swapFiles: PlainFacts['swapFiles'], etc: TopDirFact = { inRoot: '/etc', kind: 'dir' }) =>
  ({
    sysroot: '/sysroot',
    readonly: false,
    device: null,
    etc,
    var: { inRoot: '/var', kind: 'dir' },
    stateDir: '/var/lib/prepare-root',
    fstab: null,
    swapFiles,
    upperDevice: null,
    persist: [],
    overlays: [],
    selinux: false,
    separateUsr: false,
  }) satisfies PlainFacts;
const areas = (root: boolean, etc = false, v = false): TransientAreas => ({ root, etc, var: v });
const SWAP = { path: '/swapfile', inRoot: '/swapfile', kind: 'file' } as const;
const BOUND = 'bound from the physical root: swapon uses the disk, nothing is copied into memory';
const MISSING =
  'is not on the physical root: made now, it would live in memory and vanish at reboot; make it on the disk in a boot with rd.prepare-root=off';

describe('planSwap', () => {
  it.each([
    ['a swap file in a transient /', [SWAP], areas(true), ['/swapfile'], [BOUND]],
    ['a swap file in a persistent /', [SWAP], areas(false), [], []],
    ['one that is not there, in a transient /', [{ ...SWAP, kind: 'absent' as const }], areas(true), [], [MISSING]],
    [
      'a directory where fstab names one: left to swapon to refuse',
      [{ ...SWAP, kind: 'dir' as const }],
      areas(true),
      [],
      [],
    ],
    [
      'under /var, which persists though / is transient',
      [{ path: '/var/swap', inRoot: '/var/swap', kind: 'file' as const }],
      areas(true),
      [],
      [],
    ],
    [
      'under a transient /var',
      [{ path: '/var/swap', inRoot: '/var/swap', kind: 'file' as const }],
      areas(false, false, true),
      ['/var/swap'],
      [BOUND],
    ],
  ])('%s', (_, swapFiles, a, bound, messages) => {
    const part = planSwap(facts(swapFiles), a);
    expect(part.steps.map((s) => (s.kind === 'bind' ? s.source : s.kind))).toEqual(
      bound.map((p) => `/run/prepare-root/physical-root${p}`),
    );
    expect((part.warnings ?? []).map((w) => w.message)).toEqual(messages);
  });

  it('under an /etc that is not a directory in the image, / decides (it is in the root upper)', () => {
    const swap = [{ path: '/etc/swap', inRoot: '/etc/swap', kind: 'file' as const }];
    const part = planSwap(facts(swap, { inRoot: '/etc', kind: 'absent' }), areas(true));
    expect(part.steps).toHaveLength(1);
  });
});
