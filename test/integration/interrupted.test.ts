// A run killed at any point is recovered from: the next run undoes what the killed one had done
// (its journal in /run/prepare-root), then prepares, and the result is the same as a run that was
// never interrupted. The kill comes from outside (strace injects SIGKILL at a system call): at
// the first and the last state-changing call of every step.
import { describe, expect, it } from 'vitest';
import {
  type Run,
  type RunResult,
  TRACE,
  WITH_COMPOSEFS_IMAGE,
  faultsOf,
  isRoot,
  ours,
  runScenario,
  unordered,
} from './harness.js';

/** What a run leaves that must be the same, whatever happened before it. */
function result(r: RunResult) {
  return {
    rc: r.rc,
    mounts: unordered(r.mounts),
    fsOptions: unordered(r.fsOptions),
    run: r.run.filter((l) => !/\/run\/prepare-root\/(status\.json|journal)$/.test(l)),
    ostreeBooted: r.ostreeBooted,
    // The stateroot var as a later boot finds it (persisted paths, state overlays), bar the time-named quarantine.
    check: r.check,
  };
}

const VAR_TREE =
  "find /sysroot/sysroot/ostree/deploy/probeos/var/lib -printf '%M %P %s\\n' 2>/dev/null | grep -v /quarantine/ | sort";

const CONFIGS: Array<[string, string, string]> = [
  ['legacy', '', ''],
  ['transient root with sysroot.readonly', '[root]\ntransient=true\n[sysroot]\nreadonly=true\n', ''],
  [
    'composefs + persisted paths + a state overlay',
    '[composefs]\nenabled=yes\n[persist]\npaths=/etc/ssh\n[overlay /usr/share/app]\nupper=state\n',
    WITH_COMPOSEFS_IMAGE,
  ],
];

describe.skipIf(!isRoot())('killed at every step, then run again: the same result as one uninterrupted run', () => {
  it.each(CONFIGS)('%s', (_, conf, setup) => {
    const [probe] = runScenario({
      setup,
      runs: [
        {
          impl: ours(),
          conf,
          args: ['--verbose'],
          wrap: TRACE,
          check: 'cat /tmp/trace; echo -- --- status; cat /run/prepare-root/status.json',
        },
      ],
    });
    expect(probe!.rc, probe!.stderr).toBe(0);
    const [trace, status] = probe!.check.split('--- status');
    const faults = faultsOf(
      trace!,
      (JSON.parse(status!).executed as Array<{ id: string }>).map((s) => s.id),
    );
    // Every run starts from the same physical root: state overlays and persisted paths live there.
    const before = 'rm -rf "$VAR"; cp -a "$W/var.pristine" "$VAR"';
    const killed = (syscall: string, nth: number): Run => ({
      impl: ours(),
      conf,
      check: VAR_TREE,
      before,
      // The first run dies at that call; the harness's own run of the binary is the run after it.
      pre: `strace -qq -o /dev/null -e trace=${syscall} -e inject=${syscall}:error=EINTR:signal=KILL:when=${nth} /prep/bin /sysroot > /tmp/killed.out 2>&1; echo "killed run: $?" > /tmp/killed.rc`,
    });
    const [clean, ...reruns] = runScenario({
      setup: `${setup}
VAR=$S/ostree/deploy/probeos/var; cp -a "$VAR" "$W/var.pristine"; export VAR`,
      runs: [{ impl: ours(), conf, check: VAR_TREE, before }, ...faults.map((f) => killed(f.syscall, f.nth))],
    });
    expect(clean!.rc, clean!.stderr).toBe(0);
    faults.forEach((f, i) => {
      const r = reruns[i]!;
      expect(result(r), `killed at ${f.step}: ${f.call}`).toEqual(result(clean!));
    });
    // The kills did land: most reruns found a journal to recover from.
    expect(reruns.filter((r) => r.stderr.includes('was interrupted after starting')).length).toBeGreaterThan(
      faults.length / 2,
    );
  });
});
