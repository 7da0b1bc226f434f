// A plain root (no ostree=): our own config files, its facts and planner. `rd.prepare-root=off`
// is decided before the config is read, so that it gets past any config, even one that would
// fail the boot. Prepared once the physical root is mounted at its place under /run.
import { CONFIG_PATHS, PHYSICAL_ROOT, PLAIN_CONFIG_PATHS } from '../../base/paths.js';
import { ROOT_KARG } from '../../config/cmdline.js';
import { type Warning, loadConfig, resolveConfig, rootKargOf } from '../../config/config.js';
import type { System } from '../../platform/system.js';
import { exists, tryLstat } from '../../fs/files.js';
import { planPlainRoot, plainUntouched } from '../../plan/plain.js';
import { probePlainFacts } from '../../probe/plain.js';
import type { BootTargetKind } from './target.js';

/**
 * ostree's config files, which a plain root does not read: one written there for a plain root
 * (the file ostree users know) would otherwise be ignored without a word.
 */
function ostreeConfigUnread(sys: System, plainFile: string | null): Warning[] {
  if (plainFile !== null) return [];
  return CONFIG_PATHS.filter((p) => exists(sys, p)).map((p) => ({
    where: p,
    message: `not read: that is ostree's config, and this is a plain root (no ostree= on the kernel command line), which reads ${PLAIN_CONFIG_PATHS.join(' or ')}`,
  }));
}

export const PLAIN_TARGET: BootTargetKind<'plain'> = {
  configPaths: PLAIN_CONFIG_PATHS,
  decide(sys, sysroot, cmdline, readSources, context) {
    const image = { path: sysroot, name: 'the physical root' };
    if (rootKargOf(cmdline) === 'off') {
      const untouched = `${ROOT_KARG}=off on the kernel command line (the config was not read)`;
      return { config: null, plan: null, untouched, image, warnings: [], notices: [] };
    }
    const { config, warnings: configWarnings } = resolveConfig(loadConfig(readSources()), cmdline, 'plain');
    const untouched = plainUntouched(config);
    if (untouched !== null) {
      const warnings = [...configWarnings, ...ostreeConfigUnread(sys, config.file)];
      return { config, plan: null, untouched, image, warnings, notices: [] };
    }
    const { plan, warnings, notices } = planPlainRoot(
      config,
      probePlainFacts(sys, sysroot, config, { waitSeconds: context.deviceWaitSeconds }),
      context,
    );
    return { config, plan, untouched: null, image, warnings: [...configWarnings, ...warnings], notices };
  },
  alreadyPrepared: (sys) => (tryLstat(sys, PHYSICAL_ROOT)?.mountRoot === true ? `${PHYSICAL_ROOT} is mounted` : null),
  describe: (plan) => ({
    preparing: `preparing plain root ${plan.sysroot}: ${plan.mode}, the physical root read-only at ${plan.physicalRoot}`,
    source: ['physical root', `${plan.physicalRoot} (read-only, plain root)`],
    details: [],
  }),
  statusFields: (plan) => ({
    deployment: null,
    sysrootReadonly: null,
    physicalRoot: plan?.physicalRoot ?? null,
    ostreeBooted: null,
  }),
};
