// plan/etc-usr.ts: /etc and /usr of an ostree deployment, as ostree decides them: /etc touched
// only with sysroot.readonly or a root that is not the deployment itself; /usr bound read-only in
// legacy mode, or the hotfix overlay (refused under a signature).
import { describe, expect, it } from 'vitest';
import { actionOf } from '../../../src/apply/actions.js';
import { describeAction } from '../../../src/apply/operations.js';
import { loadConfig, resolveConfig } from '../../../src/config/config.js';
import { planEtc, planUsr } from '../../../src/plan/etc-usr.js';
import type { Mode, Part } from '../../../src/plan/types.js';
import type { Facts } from '../../../src/probe/facts.js';
import { CONTEXT, D, facts } from '../../helpers/facts.js';

const config = (text: string) => resolveConfig(loadConfig([{ path: '/c', data: text }]), 'ostree=/x').config;
const commands = (part: Part) => part.steps.map((s) => describeAction(actionOf(s)));

describe('planEtc', () => {
  it.each<[string, string, boolean, Mode, string[]]>([
    ['legacy, writable sysroot: /etc left as the deployment has it', '', false, 'legacy', []],
    [
      'sysroot.readonly: /etc bound writable',
      '',
      true,
      'legacy',
      [`mount --bind ${D}/etc /sysroot.tmp/etc`, 'mount -o remount,bind,rw /sysroot.tmp/etc'],
    ],
    [
      'etc.transient on a transient root: an overlay over usr/etc',
      '[etc]\ntransient=true\n',
      false,
      'transient',
      [
        'mkdir -m 0700 /run/ostree/transient-etc.XyZ123',
        'mkdir -m 0755 /run/ostree/transient-etc.XyZ123/upper',
        'mkdir -m 0755 /run/ostree/transient-etc.XyZ123/work',
        'mount -t overlay -o lowerdir=/sysroot.tmp/usr/etc,upperdir=/run/ostree/transient-etc.XyZ123/upper,workdir=/run/ostree/transient-etc.XyZ123/work overlay /sysroot.tmp/etc',
      ],
    ],
  ])('%s', (_, text, sysrootReadonly, mode, expected) => {
    expect(commands(planEtc(config(text), sysrootReadonly, mode, facts(), CONTEXT))).toEqual(expected);
  });

  it('etc.transient where it has no effect: a warning, as ostree ignores it silently', () => {
    expect(planEtc(config('[etc]\ntransient=true\n'), false, 'legacy', facts(), CONTEXT).warnings).toEqual([
      {
        where: 'etc.transient',
        message: 'has no effect unless sysroot.readonly or root.transient is set (as in ostree)',
      },
    ]);
  });

  it('a bad etc.transient: only a warning where /etc is not mounted, the error where it is', () => {
    const bad = config('[etc]\ntransient=maybe\n');
    expect(planEtc(bad, false, 'legacy', facts(), CONTEXT).warnings).toEqual([
      {
        where: '/c:2',
        message:
          'etc.transient: value “maybe” is not a boolean (use true/false/1/0); ignored because /etc is not mounted in this mode',
      },
    ]);
    expect(() => planEtc(bad, true, 'legacy', facts(), CONTEXT)).toThrow('/c:2: etc.transient: value “maybe”');
  });
});

describe('planUsr', () => {
  it.each<[string, Mode, Partial<Facts>, string[]]>([
    [
      'legacy: read-only bind',
      'legacy',
      {},
      ['mount --bind /sysroot.tmp/usr /sysroot.tmp/usr', 'mount -o remount,bind,ro /sysroot.tmp/usr'],
    ],
    ['composefs: /usr is in the image', 'composefs', {}, []],
    ['transient: /usr is in the root overlay', 'transient', {}, []],
    [
      'a hotfix left by ostree admin unlock: its overlay, relative to the deployment',
      'legacy',
      { hotfixUsr: true },
      [
        `(cd ${D} && mount -t overlay -o lowerdir=/sysroot.tmp/usr,upperdir=.usr-ovl-upper,workdir=.usr-ovl-work overlay /sysroot.tmp/usr)`,
      ],
    ],
    ['a hotfix under a signature: ignored, as ostree does', 'composefs', { hotfixUsr: true, signedWith: 'key' }, []],
  ])('%s', (_, mode, overrides, expected) => {
    expect(commands(planUsr(mode, facts(overrides)))).toEqual(expected);
  });
});
