// An ostree deployment (ostree= on the kernel command line): ostree's config files, its facts
// and planner, prepared once /run/ostree-booted exists and the physical root is at /sysroot.
import { PrepareRootError } from '../../base/errors.js';
import { CONFIG_PATHS, RUN_OSTREE_BOOTED } from '../../base/paths.js';
import { ROOT_KARG, findOstreeTarget } from '../../config/cmdline.js';
import { type OstreeConfig, integrityOf, loadConfig, resolveConfig } from '../../config/config.js';
import { exists, tryLstat } from '../../fs/files.js';
import { planPrepareRoot } from '../../plan/plan.js';
import { probeFacts } from '../../probe/probe.js';
import type { BootTargetKind } from './target.js';

/**
 * composefs signed checks the image against keys from outside it, in the initramfs: without one,
 * the only place for them is the root they are to verify, which proves nothing.
 */
export function needsInitramfs(config: OstreeConfig): PrepareRootError | null {
  return integrityOf(config.composefs) === 'signed'
    ? new PrepareRootError(
        'composefs.enabled=signed',
        'needs an initramfs: the signing keys must come from outside the root they verify, and without an initramfs there is nothing else (use verity, or boot with an initramfs)',
      )
    : null;
}

export const OSTREE_TARGET: BootTargetKind<'ostree'> = {
  configPaths: CONFIG_PATHS,
  decide(sys, sysroot, cmdline, readSources, context) {
    const ostree = findOstreeTarget(cmdline);
    if (ostree === null) throw new PrepareRootError('kernel command line', 'no ostree= (not an ostree boot)');
    const { config, warnings: configWarnings } = resolveConfig(loadConfig(readSources()), cmdline, 'ostree');
    if (config.rootKarg === 'off') {
      throw new PrepareRootError(
        `kernel argument ${ROOT_KARG}=off`,
        'only a plain root (no ostree=) can be left alone: an ostree boot needs its deployment prepared',
      );
    }
    const refused = context.initramfs ? null : needsInitramfs(config);
    if (refused !== null) throw refused;
    const { facts, warnings: probeWarnings } = probeFacts(sys, sysroot, ostree, config);
    const { plan, warnings, notices } = planPrepareRoot(config, facts, context);
    return {
      config,
      plan,
      untouched: null,
      image: { path: facts.deployment.path, name: `the deployment ${facts.deployment.relPath}` },
      warnings: [...configWarnings, ...warnings, ...probeWarnings],
      notices,
    };
  },
  alreadyPrepared: (sys, sysroot) =>
    exists(sys, RUN_OSTREE_BOOTED) && tryLstat(sys, `${sysroot === '/' ? '' : sysroot}/sysroot`)?.mountRoot === true
      ? `${RUN_OSTREE_BOOTED} exists and ${sysroot}/sysroot is mounted`
      : null,
  describe: (plan) => ({
    preparing: `preparing ${plan.sysroot}: ${plan.mode} root from ${plan.deployment}, sysroot.readonly=${plan.sysrootReadonly}`,
    source: ['deployment', plan.deployment],
    details: [
      ['sysroot.readonly', String(plan.sysrootReadonly)],
      [
        '/run/ostree-booted',
        Object.entries(plan.metadata)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(' '),
      ],
    ],
  }),
  statusFields: (plan, prepared) => ({
    deployment: plan?.deployment ?? null,
    sysrootReadonly: plan?.sysrootReadonly ?? null,
    physicalRoot: null,
    ostreeBooted: prepared && plan !== null ? plan.metadata : null,
  }),
};
