// boot/targets: which kind of root a command line boots, and how each kind's plans are shown
// (the boot's line, `plan`'s header, its own fields of status.json).
import { describe, expect, it } from 'vitest';
import { bootTarget, configPathsFor, describePlan, kindStatusFields } from '../../../../src/boot/targets/index.js';
import { loadConfig, resolveConfig } from '../../../../src/config/config.js';
import { planPlainRoot } from '../../../../src/plan/plain.js';
import { planPrepareRoot } from '../../../../src/plan/plan.js';
import { CONTEXT, PLAIN_FACTS, facts } from '../../../helpers/facts.js';

const ostreeConfig = resolveConfig(
  loadConfig([{ path: '/etc/ostree/prepare-root.conf', data: '[sysroot]\nreadonly=true\n' }]),
  'ostree=/ostree/boot.1/os/b/0',
).config;
const ostreePlan = planPrepareRoot(ostreeConfig, facts(), CONTEXT).plan;
const plainConfig = resolveConfig(
  loadConfig([{ path: '/etc/prepare-root/prepare-root.conf', data: '[root]\ntransient=true\n' }]),
  '',
  'plain',
).config;
const plainPlan = planPlainRoot(plainConfig, PLAIN_FACTS, CONTEXT).plan;

describe('bootTarget', () => {
  it.each([
    ['root=/dev/vda1 ostree=/ostree/boot.1/os/b/0 quiet', 'ostree'],
    ['root=/dev/vda1 quiet', 'plain'],
    ['root=/dev/vda1 ostreex=/x', 'plain'],
  ])('%s → %s', (cmdline, kind) => {
    expect(bootTarget(cmdline)).toBe(kind);
  });

  it('reads each kind’s own config files, the /usr/lib one first', () => {
    expect(configPathsFor('ostree')).toEqual(['/usr/lib/ostree/prepare-root.conf', '/etc/ostree/prepare-root.conf']);
    expect(configPathsFor('plain')).toEqual([
      '/usr/lib/prepare-root/prepare-root.conf',
      '/etc/prepare-root/prepare-root.conf',
    ]);
  });
});

describe('describePlan', () => {
  it('an ostree plan: from its deployment, with sysroot.readonly and /run/ostree-booted', () => {
    expect(describePlan(ostreePlan)).toEqual({
      preparing: 'preparing /sysroot: legacy root from ostree/deploy/os/deploy/abc.0, sysroot.readonly=true',
      source: ['deployment', 'ostree/deploy/os/deploy/abc.0'],
      details: [
        ['sysroot.readonly', 'true'],
        [
          '/run/ostree-booted',
          'backing-root-device-inode=["254","42"] root.transient=false root.transient-ro=false sysroot-ro=true',
        ],
      ],
    });
  });

  it('a plain plan: from the physical root, nothing of its own', () => {
    expect(describePlan(plainPlan)).toEqual({
      preparing:
        'preparing plain root /sysroot: plain-transient, the physical root read-only at /run/prepare-root/physical-root',
      source: ['physical root', '/run/prepare-root/physical-root (read-only, plain root)'],
      details: [],
    });
  });
});

describe('kindStatusFields', () => {
  it.each([
    ['no plan', null, true, { deployment: null, sysrootReadonly: null, physicalRoot: null, ostreeBooted: null }],
    [
      'an ostree plan, applied',
      ostreePlan,
      true,
      {
        deployment: ostreePlan.deployment,
        sysrootReadonly: true,
        physicalRoot: null,
        ostreeBooted: ostreePlan.metadata,
      },
    ],
    [
      'an ostree plan that failed: no /run/ostree-booted',
      ostreePlan,
      false,
      { deployment: ostreePlan.deployment, sysrootReadonly: true, physicalRoot: null, ostreeBooted: null },
    ],
    [
      'a plain plan',
      plainPlan,
      true,
      {
        deployment: null,
        sysrootReadonly: null,
        physicalRoot: '/run/prepare-root/physical-root',
        ostreeBooted: null,
      },
    ],
  ] as const)('%s', (_, plan, prepared, fields) => {
    expect(kindStatusFields(plan, prepared)).toEqual(fields);
  });
});
