// The planners with SELinux enabled: tmpfs uppers take the labels of the image content they stand in for.
import { describe, expect, it } from 'vitest';
import { actionOf } from '../../../src/apply/actions.js';
import { describeAction } from '../../../src/apply/operations.js';
import { loadConfig, resolveConfig } from '../../../src/config/config.js';
import { planPrepareRoot } from '../../../src/plan/plan.js';
import type { Facts } from '../../../src/probe/facts.js';
import { CONTEXT, D, facts } from '../../helpers/facts.js';

describe('planPrepareRoot with SELinux', () => {
  const plan = (conf: string, overrides: Partial<Facts> = {}) =>
    planPrepareRoot(
      resolveConfig(loadConfig([{ path: '/c', data: conf }]), 'ostree=/ostree/boot.1/os/b/0').config,
      facts({ mountVarMarker: true, ...overrides }),
      CONTEXT,
    ).plan;
  const labelSteps = (conf: string, overrides: Partial<Facts> = {}) =>
    plan(conf, overrides)
      .steps.filter((s) => s.kind === 'copy-label' || s.kind === 'record-labels')
      .map((s) => `${s.id}: ${describeAction(actionOf(s))}`);
  const ALL =
    '[root]\ntransient=true\n[etc]\ntransient=true\n[overlay /usr/share/a]\nupper=transient\n[overlay /usr/share/b]\nupper=state\n';
  const overlays: Facts['overlays'] = ['a', 'b'].map((n) => ({
    overlay: {
      path: `/usr/share/${n}`,
      lower: [`/usr/share/${n}`],
      upper: n === 'a' ? 'transient' : 'state',
      volatile: false,
      where: { name: `[overlay /usr/share/${n}]` },
    },
    inRoot: `/usr/share/${n}`,
    pathInImage: true,
    lowersInRoot: [`/usr/share/${n}`],
    lowersExist: [true],
    stateCommit: 'abc',
    volatile: null,
  }));

  it("each upper gets its lower's label; the tmpfs ones are recorded for after the policy load", () => {
    expect(labelSteps(ALL, { selinux: true, overlays })).toEqual([
      `label-transient-upper: chcon --reference=${D} /run/ostree/.private/root/upper (only if ${D} has an SELinux label)`,
      'label-transient-etc-upper: chcon --reference=/sysroot.tmp/usr/etc /run/ostree/transient-etc.XyZ123/upper (only if /sysroot.tmp/usr/etc has an SELinux label)',
      'label-overlay-upper-0: chcon --reference=/sysroot.tmp/usr/share/a /run/prepare-root/overlays/usr%2Fshare%2Fa/upper (only if /sysroot.tmp/usr/share/a has an SELinux label)',
      'label-overlay-upper-1: chcon --reference=/sysroot.tmp/usr/share/b /sysroot.tmp/sysroot/ostree/deploy/os/var/lib/prepare-root/overlays/usr%2Fshare%2Fb/upper (only if /sysroot.tmp/usr/share/b has an SELinux label)',
      // The state upper is on disk: its labels survive the policy load.
      'record-labels: record the SELinux labels in /run/ostree/.private/root/upper (/), /run/ostree/transient-etc.XyZ123/upper (/etc), /run/prepare-root/overlays/usr%2Fshare%2Fa/upper (/usr/share/a) to /run/prepare-root/labels.json',
    ]);
  });

  it('each label step comes right after its upper is made, and the record after the last mount', () => {
    const steps = plan(ALL, { selinux: true, overlays }).steps.map((s) => s.id);
    const stepBefore = (id: string) => steps[steps.indexOf(id) - 1];
    expect(stepBefore('label-transient-upper')).toBe('mkdir-transient-upper');
    expect(stepBefore('label-transient-etc-upper')).toBe('mkdir-transient-etc-upper');
    expect(stepBefore('label-overlay-upper-0')).toBe('mkdir-overlay-upper-0');
    expect(steps.slice(steps.indexOf('record-labels'))).toEqual([
      'record-labels',
      'write-ostree-booted',
      'mkdir-motd-dir',
      'write-login-notice',
      'move-to-sysroot',
      'rmdir-staging',
    ]);
  });

  it("composefs: the transient upper takes the label of the image's root, mounted at the scratch point", () => {
    const image = { state: 'valid', path: `${D}/.ostree.cfs`, hasAcl: false } as const;
    expect(
      labelSteps('[composefs]\nenabled=yes\n[root]\ntransient=true\n', { selinux: true, composefsImage: image }),
    ).toEqual([
      'label-transient-upper: chcon --reference=/run/ostree/.private/cfsroot-lower /run/ostree/.private/root/upper (only if /run/ostree/.private/cfsroot-lower has an SELinux label)',
      'record-labels: record the SELinux labels in /run/ostree/.private/root/upper (/) to /run/prepare-root/labels.json',
    ]);
  });

  it('without SELinux, or without an upper, nothing is labelled', () => {
    expect(labelSteps(ALL, { selinux: false, overlays })).toEqual([]);
    expect(labelSteps('[sysroot]\nreadonly=true\n', { selinux: true })).toEqual([]);
    expect(plan(ALL, { selinux: true, overlays }).selinux).toBe(true);
  });
});
