// One builder of planner inputs for the unit tests: the facts of a plain legacy deployment, of a
// plain root, and a fixed boot context, each field overridable.
import type { BootContext, Facts } from '../../src/probe/facts.js';
import type { PlainFacts } from '../../src/probe/plain.js';

export const D = '/sysroot/ostree/deploy/os/deploy/abc.0';

export function facts(overrides: Partial<Facts> = {}): Facts {
  return {
    sysroot: '/sysroot',
    deployment: {
      linkPath: '/sysroot/ostree/boot.1/os/b/0',
      path: D,
      relPath: 'ostree/deploy/os/deploy/abc.0',
      stateroot: 'os',
      name: 'abc.0',
      commit: 'abc',
      dev: 0xfen,
      ino: 42n,
    },
    sysrootOnReadonlyMount: false,
    legacyRepoReadonly: null,
    hotfixUsr: false,
    mountVarMarker: false,
    composefsImage: { state: 'absent', path: `${D}/.ostree.cfs` },
    sysrootDevice: null,
    signedWith: null,
    persist: [],
    overlays: [],
    selinux: false,
    ...overrides,
  };
}

export const CONTEXT: BootContext = {
  transientEtcSuffix: 'XyZ123',
  bootToken: 'T0K3N',
  bootId: 'b00t',
  now: '2026-01-01T00-00-00-000Z',
  initramfs: true,
  deviceWaitSeconds: 0,
};

/** A plain root at /sysroot with a real /etc and /var, nothing else asked for. */
export const PLAIN_FACTS: PlainFacts = {
  sysroot: '/sysroot',
  readonly: false,
  device: null,
  etc: { inRoot: '/etc', kind: 'dir' },
  var: { inRoot: '/var', kind: 'dir' },
  fstab: null,
  stateDir: '/var/lib/prepare-root',
  swapFiles: [],
  upperDevice: null,
  persist: [],
  overlays: [],
  selinux: false,
  separateUsr: false,
};
