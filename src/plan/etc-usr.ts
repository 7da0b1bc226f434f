// /etc (bind, or the etc.transient overlay) and /usr (read-only bind, or the hotfix overlay).
import { HOTFIX_USR_UPPER, HOTFIX_USR_WORK, STAGING_ROOT, TRANSIENT_ETC_PREFIX } from '../base/paths.js';
import type { OstreeConfig } from '../config/config.js';
import type { BootContext, Facts } from '../probe/facts.js';
import { upperWorkSteps } from './root.js';
import type { Mode, Part } from './types.js';

/** /etc is only touched when the sysroot will be read-only or / is not the deployment itself. */
export function planEtc(
  config: OstreeConfig,
  sysrootReadonly: boolean,
  mode: Mode,
  facts: Facts,
  context: BootContext,
): Part {
  const T = STAGING_ROOT;
  if (!sysrootReadonly && mode === 'legacy') {
    // ostree ignores etc.transient here without a word; say so instead.
    const etc = config.etcTransient;
    if (!etc.ok)
      return {
        steps: [],
        warnings: [
          { where: etc.error.what, message: `${etc.error.why}; ignored because /etc is not mounted in this mode` },
        ],
      };
    return {
      steps: [],
      warnings: etc.value
        ? [
            {
              where: 'etc.transient',
              message: 'has no effect unless sysroot.readonly or root.transient is set (as in ostree)',
            },
          ]
        : [],
    };
  }
  if (!config.etcTransient.ok) throw config.etcTransient.error;
  if (config.etcTransient.value) {
    const dir = `${TRANSIENT_ETC_PREFIX}${context.transientEtcSuffix}`;
    const reason = 'etc.transient: /etc changes vanish at reboot';
    return {
      steps: [
        { id: 'mkdir-transient-etc', kind: 'mkdir', path: dir, mode: 0o700, existOk: false, reason },
        // The work dir 0755, as ostree makes it.
        ...upperWorkSteps({
          name: 'transient-etc',
          dir,
          existOk: false,
          workMode: 0o755,
          selinux: facts.selinux,
          labelFrom: `${T}/usr/etc`,
          what: '/etc',
          reason,
        }),
        {
          id: 'mount-transient-etc',
          kind: 'overlay',
          target: `${T}/etc`,
          lower: [`${T}/usr/etc`],
          upper: `${dir}/upper`,
          work: `${dir}/work`,
          readonly: false,
          reason: `${reason}; lower is the pristine usr/etc`,
        },
      ],
      metadata: [['transient-etc', { type: 's', value: dir }]],
      labelled: facts.selinux ? [{ path: '/etc', upper: `${dir}/upper`, target: `${T}/etc` }] : [],
      notices: [{ where: 'etc.transient', message: 'changes to /etc are kept in memory and discarded at reboot' }],
    };
  }
  const reason = sysrootReadonly ? 'sysroot.readonly: /etc stays writable' : 'transient root: /etc stays persistent';
  return {
    steps: [
      { id: 'bind-etc', kind: 'bind', source: `${facts.deployment.path}/etc`, target: `${T}/etc`, reason },
      {
        id: 'remount-etc-rw',
        kind: 'remount-bind',
        target: `${T}/etc`,
        readonly: false,
        reason: 'clear a read-only flag inherited from the source mount',
      },
    ],
  };
}

export function planUsr(mode: Mode, facts: Facts): Part {
  const T = STAGING_ROOT;
  // A hotfix overlay would put unsigned files over a signed /usr: ostree ignores it then, so do we.
  if (facts.hotfixUsr && facts.signedWith === null) {
    return {
      steps: [
        {
          id: 'mount-hotfix-usr',
          kind: 'overlay',
          target: `${T}/usr`,
          lower: [`${T}/usr`],
          upper: HOTFIX_USR_UPPER,
          work: HOTFIX_USR_WORK,
          cwd: facts.deployment.path,
          readonly: facts.sysrootOnReadonlyMount,
          reason: `ostree admin unlock --hotfix left ${HOTFIX_USR_WORK}: persistent /usr overlay`,
        },
      ],
    };
  }
  // composefs: /usr is part of the read-only image. A transient root keeps /usr in its overlay:
  // writable, and gone at reboot.
  if (mode !== 'legacy') return { steps: [] };
  return {
    steps: [
      { id: 'bind-usr', kind: 'bind', source: `${T}/usr`, target: `${T}/usr`, reason: '/usr is read-only' },
      { id: 'remount-usr-ro', kind: 'remount-bind', target: `${T}/usr`, readonly: true, reason: '/usr is read-only' },
    ],
  };
}
