// Fault injection on real mounts: make each step of a real plan fail in turn (util-linux calls
// through a failing stand-in first in PATH; file steps by putting something in their way).
// After every failure the error names the step, and the namespace is exactly as before.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Run, type RunResult, WITH_COMPOSEFS_IMAGE, isRoot, ours, runScenario } from './harness.js';

const FAULT_BIN = path.resolve(import.meta.dirname, '../harness/fault-bin');
const UNTOUCHED: Run = { impl: { prep: '/usr/bin/true' } };
const LEFTOVERS = '[ -e /sysroot.tmp ] && echo staging-left; [ -e /sysroot/ostree/deploy/probeos/var/lib/prepare-root ] && echo persist-store-left; losetup -a | grep "(.ostree.cfs)"; grep -o \'"result": "[a-z]*"\' /run/prepare-root/status.json; true';

interface PlanStep { id: string; command: string }

function expectUntouched(r: RunResult, untouched: RunResult): void {
  const mine = (mounts: readonly string[]) => mounts.filter((m) => !m.startsWith('/prep/'));
  expect(mine(r.allMounts)).toEqual(mine(untouched.allMounts));
  expect(r.ostreeBooted).toBeNull();
  expect(r.run.filter((l) => !l.includes('/run/prepare-root'))).toEqual(untouched.run);
}

const CONFIGS: Array<[string, string, boolean, string]> = [
  ['sysroot.readonly + etc.transient + /var marker', '[sysroot]\nreadonly=true\n[etc]\ntransient=true\n', true, ''],
  ['root.transient + sysroot.readonly + persisted paths', '[root]\ntransient=true\ntransient-size=32M\n[sysroot]\nreadonly=true\n[persist]\npaths=/etc/ssh;/data\n', false, ''],
  ['composefs verity + root.transient-ro + etc.transient', '[composefs]\nenabled=verity\n[root]\ntransient-ro=true\n[etc]\ntransient=true\n', false, WITH_COMPOSEFS_IMAGE],
  ['volatile state overlay + transient overlay stacked on it', '[overlay /usr/share/app]\nupper=state\nvolatile=true\n[overlay /usr/share/combo]\nlower=/usr/share/app:/usr/lib\nupper=transient\n', false, ''],
  ['composefs yes + hotfix /usr', '[composefs]\nenabled=yes\n', true, `${WITH_COMPOSEFS_IMAGE}; chattr -i "$D"; mkdir "$D/.usr-ovl-upper" "$D/.usr-ovl-work"; chattr +i "$D"`],
];

describe.skipIf(!isRoot())('every util-linux step failing in turn is rolled back', () => {
  it.each(CONFIGS)('%s', (_, conf, mountVar, setup) => {
    const base: Run = { impl: ours(), conf, mountVar, fakeBin: FAULT_BIN };
    // First a clean run through the stand-ins: which calls a good boot makes, and the plan.
    const [probe] = runScenario({
      setup,
      runs: [{ ...base, pre: '/prep/bin plan /sysroot --json > /tmp/plan.json', check: 'cat /tmp/plan.json' }],
    });
    expect(probe!.rc, probe!.stderr).toBe(0);
    const execSteps = (JSON.parse(probe!.check).plan.steps as PlanStep[]).filter((s) => /^(\(cd \S+ && )?u?mount /.test(s.command));
    // A step with a fallback (a second util-linux call after the first fails) fails only when both do.
    const runs: Run[] = execSteps.map((s, i) => ({ ...base, pre: `echo ${i + 1}${s.command.includes(' || ') ? ` ${i + 2}` : ''} > /tmp/fault-at`, check: LEFTOVERS }));
    const [untouched, ...results] = runScenario({ setup, runs: [{ ...UNTOUCHED, mountVar }, ...runs] });
    execSteps.forEach((step, i) => {
      const r = results[i]!;
      expect(r.rc, step.id).toBe(1);
      expect(r.stderr.split('\n').filter((l) => !l.startsWith('prepare-root: warning:')).join('\n'), step.id).toMatch(new RegExp(`^prepare-root: step ${step.id}: u?mount --no-mtab .*: u?mount exited 32: u?mount: injected failure; rolled back \\d+ completed steps?$`));
      expect(r.check, step.id).toBe('"result": "failed"');
      expectUntouched(r, untouched!);
    });
  });
});

const FILE_FAULTS: Array<[string, string, string, RegExp]> = [
  ['mkdir-run-ostree', '', 'touch /run/ostree', /^prepare-root: step mkdir-run-ostree: mkdir \/run\/ostree: exists but is not a directory; rolled back 0 completed steps$/],
  ['mkdir-transient-root', '[root]\ntransient=true\n', 'mkdir -p /run/ostree/.private/root',
    /^prepare-root: step mkdir-transient-root: mkdir \/run\/ostree\/\.private\/root: EEXIST: file already exists, mkdir '\/run\/ostree\/\.private\/root'; rolled back \d+ completed steps?$/],
  ['write-ostree-booted', '[sysroot]\nreadonly=true\n', 'mkdir -p /run/ostree-booted/in-the-way',
    /^prepare-root: step write-ostree-booted: write \/run\/ostree-booted: .*; rolled back \d+ completed steps$/],
  ['rmdir-staging', '', 'mkdir /sysroot.tmp; touch /sysroot.tmp/in-the-way',
    /^prepare-root: step rmdir-staging: rmdir \/sysroot\.tmp: ENOTEMPTY: .*; rolled back \d+ completed steps$/],
];

describe.skipIf(!isRoot())('file steps failing are rolled back too', () => {
  it.each(FILE_FAULTS)('%s', (_, conf, pre, message) => {
    const [untouched, r] = runScenario({ runs: [{ ...UNTOUCHED, pre }, { impl: ours(), conf, pre, check: LEFTOVERS.replace('[ -e /sysroot.tmp ] && echo staging-left; ', '') }] });
    expect(r!.rc).toBe(1);
    expect(r!.stderr.split('\n').filter((l) => !l.startsWith('prepare-root: warning:')).join('\n')).toMatch(message);
    expect(r!.check).toBe('"result": "failed"');
    expectUntouched(r!, untouched!);
  });
});
