// plan/root.ts: the steps that build / and the uppers of overlays: upper and work dirs (with the
// SELinux label step where SELinux is on), a transient root's tmpfs, and a composefs root.
import { describe, expect, it } from 'vitest';
import { actionOf } from '../../../src/apply/actions.js';
import { describeAction } from '../../../src/apply/operations.js';
import { loadConfig, resolveConfig } from '../../../src/config/config.js';
import { composefsRootSteps, transientUpperSteps, upperWorkSteps } from '../../../src/plan/root.js';
import type { Step } from '../../../src/plan/types.js';
import { D, facts } from '../../helpers/facts.js';

const commands = (steps: readonly Step[]) => steps.map((s) => describeAction(actionOf(s)));
const config = (text: string) => resolveConfig(loadConfig([{ path: '/c', data: text }]), 'ostree=/x').config;
const IMAGE = { state: 'valid', path: `${D}/.ostree.cfs`, hasAcl: false } as const;

describe('upperWorkSteps', () => {
  const steps = (selinux: boolean) =>
    upperWorkSteps({ name: 'x', dir: '/run/x', existOk: true, selinux, labelFrom: '/lower', what: '/x', reason: 'r' });

  it('the upper, then the work dir, each tagged for its undo; the label step only with SELinux', () => {
    expect(commands(steps(false))).toEqual([
      'mkdir -m 0755 /run/x/upper (may exist)',
      'mkdir -m 0700 /run/x/work (may exist)',
    ]);
    expect(steps(false).map((s) => (s.kind === 'mkdir' ? s.overlayDir : null))).toEqual(['upper', 'work']);
    expect(commands(steps(true))).toEqual([
      'mkdir -m 0755 /run/x/upper (may exist)',
      'chcon --reference=/lower /run/x/upper (only if /lower has an SELinux label)',
      'mkdir -m 0700 /run/x/work (may exist)',
    ]);
  });
});

describe('transientUpperSteps', () => {
  it.each([
    ['[root]\ntransient=true\n', 'mount -t tmpfs -o mode=0755 tmpfs /run/t'],
    ['[root]\ntransient=true\ntransient-size=50%\n', 'mount -t tmpfs -o mode=0755,size=50% tmpfs /run/t'],
  ])('%j: a tmpfs of its own, then the upper and work dirs on it', (text, tmpfs) => {
    expect(commands(transientUpperSteps(config(text), '/run/t', false, '/lower'))).toEqual([
      'mkdir -m 0755 /run/t',
      tmpfs,
      'mkdir -m 0755 /run/t/upper',
      'mkdir -m 0700 /run/t/work',
    ]);
  });
});

describe('composefsRootSteps', () => {
  const IMAGE_MOUNT = `mount -t erofs -o ro,noacl ${D}/.ostree.cfs /run/ostree/.private/cfsroot-lower`;
  const DETACH = 'umount --lazy /run/ostree/.private/cfsroot-lower';

  it.each([
    [
      'read-only, verity required',
      'composefs' as const,
      'verity' as const,
      'mount -t overlay -o ro,lowerdir=/run/ostree/.private/cfsroot-lower::/sysroot/ostree/repo/objects,metacopy=on,redirect_dir=on,verity=require composefs /sysroot.tmp',
      [],
    ],
    [
      'with a transient upper',
      'transient' as const,
      'none' as const,
      'mount -t overlay -o lowerdir=/run/ostree/.private/cfsroot-lower::/sysroot/ostree/repo/objects,upperdir=/run/ostree/.private/root/upper,workdir=/run/ostree/.private/root/work,metacopy=on,redirect_dir=on composefs /sysroot.tmp',
      [
        'mkdir -m 0755 /run/ostree/.private/root',
        'mount -t tmpfs -o mode=0755 tmpfs /run/ostree/.private/root',
        'mkdir -m 0755 /run/ostree/.private/root/upper',
        'mkdir -m 0700 /run/ostree/.private/root/work',
      ],
    ],
  ])('%s: the image, the overlay over the repo objects, the image detached', (_, mode, integrity, overlay, upper) => {
    expect(commands(composefsRootSteps(config('[root]\ntransient=true\n'), facts(), IMAGE, integrity, mode))).toEqual([
      IMAGE_MOUNT,
      ...upper,
      overlay,
      DETACH,
    ]);
  });
});
