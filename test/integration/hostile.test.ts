// Hostile inputs (the threat model: the initramfs and the image are trusted; the stateroot var,
// deployment dirs and whatever is in /run before us are not). Links planted to point out of the
// sysroot are refused, naming them, never followed or deleted through; FIFOs and devices where a
// file is expected are refused at once (no hang); a canary in the initramfs stays as it was and no
// mount of an initramfs tree appears under /sysroot.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Run, isRoot, ours, runScenario, unordered } from './harness.js';

const VAR = '$S/ostree/deploy/probeos/var';
const STATE = `${VAR}/lib/prepare-root`;
const APP = `${STATE}/overlays/usr%2Fshare%2Fapp`;
const D_WRITABLE = (cmd: string) => `chattr -i "$D"; ${cmd}; chattr +i "$D"`;

/** In the fake initramfs, before the run: a canary tree that tempting links point at. */
const CANARY = `mkdir -p /canary/sub /var/lib /canary-etc && echo keep > /canary/base.txt && echo keep > /canary/sub/x && echo keep > /canary-etc/passwd`;
/** After the run: the canary as it is, and any mount under /sysroot whose source is an initramfs tree. */
const CANARY_CHECK = `find /canary /canary-etc /var /etc/ostree -printf '%M %p %s\\n' | sort; cat /canary/base.txt
findmnt -rn -o TARGET,SOURCE | grep -E '^/sysroot' | grep -E ' (fakeinitrd|run)(\\[|$)' | sed 's/^/initramfs mount: /'; true`;

interface Case {
  readonly name: string;
  readonly setup?: string;
  readonly pre?: string;
  readonly conf?: string;
  /** rc 1 and this message, or rc 0 (and then warnings matching, if given). */
  readonly refused?: RegExp;
  readonly warned?: RegExp;
}

const CASES: Case[] = [
  {
    name: 'the stateroot var a link into the initramfs, with persisted paths',
    setup: `rm -rf "${VAR}"; ln -s /var "${VAR}"`,
    conf: '[persist]\npaths=/etc/ssh\n',
    refused:
      /^prepare-root: step mkdir-persist-store-0: mkdir -p -m 0755 \S+: refusing: \/sysroot\.tmp\/sysroot\/ostree\/deploy\/probeos\/var is a symbolic link/,
  },
  {
    name: 'the stateroot var a link into the initramfs, with sysroot.readonly',
    setup: `rm -rf "${VAR}"; ln -s /var "${VAR}"`,
    conf: '[sysroot]\nreadonly=true\n',
    refused:
      /^prepare-root: step bind-stateroot-var: mount --bind \S+ \S+: refusing: \/sysroot\.tmp\/sysroot\/ostree\/deploy\/probeos\/var is a symbolic link/,
  },
  {
    name: "a persisted path's store a link to the initramfs /etc",
    setup: `mkdir -p "${STATE}/persist/etc"; ln -s /canary-etc "${STATE}/persist/etc/ssh"`,
    conf: '[persist]\npaths=/etc/ssh\n',
    refused:
      /^prepare-root: step bind-persist-0: mount --bind \S+ \/sysroot\.tmp\/etc\/ssh: refusing: \/sysroot\.tmp\/sysroot\/ostree\/deploy\/probeos\/var\/lib\/prepare-root\/persist\/etc\/ssh is a symbolic link/,
  },
  {
    name: "a state overlay's upper a link to an initramfs dir (a prune would delete there)",
    setup: `mkdir -p "${APP}"; ln -s /canary "${APP}/upper"; echo old > "${APP}/commit"`,
    conf: '[overlay /usr/share/app]\nupper=state\n',
    refused:
      /^prepare-root: step mkdir-overlay-upper-0: mkdir -m 0755 \S+ \(may exist\): refusing: \S+\/upper is a symbolic link/,
  },
  {
    name: 'a reusable volatile upper whose work dir is a link (the reuse would remove through it)',
    setup: `mkdir -p "${APP}/upper" /tmp/elsewhere; ln -s /canary "${APP}/work"; echo '{"token":"t","bootId":"b"}' > "${APP}/volatile-mount"
echo '{"token":"t","bootId":"b","result":"ok","time":"x"}' > "${APP}/checkpoint"; echo CSUM-unused > "${APP}/commit"`,
    pre: 'mkdir -p /canary/work/incompat/volatile',
    conf: '[overlay /usr/share/app]\nupper=state\nvolatile=true\n',
    refused:
      /^prepare-root: step reuse-volatile-0: rm -r \S+ \(no mount inside\): refusing: \S+\/work is a symbolic link/,
  },
  {
    name: 'a torn volatile upper whose quarantine is a link',
    setup: `mkdir -p "${APP}/upper" "${APP}/work"; ln -s /canary "${APP}/quarantine"; echo '{"token":"t","bootId":"b"}' > "${APP}/volatile-mount"`,
    conf: '[overlay /usr/share/app]\nupper=state\nvolatile=true\n',
    refused:
      /^prepare-root: step mkdir-quarantine-0: mkdir -p -m 0700 \S+: refusing: \S+\/quarantine is a symbolic link/,
  },
  {
    name: 'a hotfix overlay whose .usr-ovl-upper is a link',
    setup: D_WRITABLE('mkdir "$D/.usr-ovl-work"; ln -s /canary "$D/.usr-ovl-upper"'),
    refused: /^prepare-root: step mount-hotfix-usr: .*: refusing: \S+\/\.usr-ovl-upper is a symbolic link/,
  },
  {
    name: "the deployment's etc a link to the initramfs /etc",
    setup: D_WRITABLE('rm -rf "$D/etc"; ln -s /canary-etc "$D/etc"'),
    conf: '[sysroot]\nreadonly=true\n',
    refused:
      /^prepare-root: step bind-etc: mount --bind \S+\/etc \/sysroot\.tmp\/etc: refusing: \S+\.0\/etc is a symbolic link/,
  },
  {
    name: 'a persisted path that resolves to /proc in the image',
    setup: D_WRITABLE('ln -s /proc/self "$D/data"'),
    conf: '[persist]\npaths=/data\n',
    refused:
      /^prepare-root: persist\.paths: \/data: resolves to \/proc\/self in the image, under \/proc, which is not part of the root image$/,
  },
  {
    name: 'an overlay that resolves to /sysroot in the image',
    setup: D_WRITABLE('ln -s /sysroot "$D/srv2"'),
    conf: '[root]\ntransient=true\n[overlay /srv2]\nupper=transient\n',
    refused:
      /^prepare-root: \[overlay \/srv2\]: resolves to \/sysroot in the image, under \/sysroot, which is not part of the root image$/,
  },
  {
    name: '/run/prepare-root planted as a link',
    pre: 'ln -s /canary /run/prepare-root',
    refused: /^prepare-root: lock \/run\/prepare-root\/lock: refusing: \/run\/prepare-root is a symbolic link$/,
  },
  {
    name: 'a FIFO as the lock file',
    pre: 'mkdir /run/prepare-root; mkfifo /run/prepare-root/lock',
    refused: /^prepare-root: lock \/run\/prepare-root\/lock: is a FIFO, not a regular file$/,
  },
  {
    name: 'a FIFO as /run/ostree-booted',
    pre: 'mkfifo /run/ostree-booted',
    refused:
      /^prepare-root: step write-ostree-booted: write \/run\/ostree-booted .*: is a FIFO, not a regular file; rolled back \d+ completed steps$/,
  },
  {
    name: "a FIFO as a state overlay's commit",
    setup: `mkdir -p "${APP}"; mkfifo "${APP}/commit"`,
    conf: '[overlay /usr/share/app]\nupper=state\n',
    refused:
      /^prepare-root: step record-overlay-commit-0: write \S+\/commit .*: is a FIFO, not a regular file; rolled back \d+ completed steps$/,
  },
  {
    name: "a link to /dev/zero as a state overlay's commit",
    setup: `mkdir -p "${APP}"; ln -s /dev/zero "${APP}/commit"`,
    conf: '[overlay /usr/share/app]\nupper=state\n',
    refused:
      /^prepare-root: step record-overlay-commit-0: write \S+\/commit .*: is a character device, not a regular file; rolled back \d+ completed steps$/,
  },
  {
    name: "a FIFO as a volatile upper's mount record: quarantined, not reused",
    setup: `mkdir -p "${APP}/upper" "${APP}/work"; mkfifo "${APP}/volatile-mount"`,
    conf: '[overlay /usr/share/app]\nupper=state\nvolatile=true\n',
    warned:
      /volatile upper not reused, its mount record is unusable: \S+\/volatile-mount is unreadable \(is a FIFO, not a regular file\)/,
  },
  {
    name: 'a FIFO as ostree/repo/config: a warning, the default applies',
    setup: 'rm "$S/ostree/repo/config"; mkfifo "$S/ostree/repo/config"',
    warned:
      /warning: \/sysroot\/ostree\/repo\/config: is a FIFO, not a regular file; treating sysroot\.readonly as false/,
  },
  {
    name: 'a FIFO as the composefs image',
    setup: D_WRITABLE('mkfifo "$D/.ostree.cfs"'),
    conf: '[composefs]\nenabled=maybe\n',
    refused: /^prepare-root: composefs image \S+\/\.ostree\.cfs: open \S+: is a FIFO, not a regular file$/,
  },
  {
    name: 'a FIFO as the status file: not written, the boot goes on',
    pre: 'mkdir /run/prepare-root; mkfifo /run/prepare-root/status.json',
    warned:
      /\/run\/prepare-root\/status\.json: not written: open \/run\/prepare-root\/status\.json: is a FIFO, not a regular file/,
  },
];

describe.skipIf(!isRoot())('hostile trees in the physical root and /run', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const conf = c.conf === undefined ? {} : { conf: c.conf };
    // The case's own additions to the initramfs are made for both runs: the canary compares what prepare-root did.
    const pre = `${CANARY}; ${c.pre ?? 'true'}`;
    const untouched: Run = { impl: { prep: '/usr/bin/true' }, ...conf, pre, check: CANARY_CHECK };
    const [base, r] = runScenario({
      ...(c.setup === undefined ? {} : { setup: c.setup }),
      runs: [untouched, { impl: ours(), ...conf, pre, check: CANARY_CHECK }],
    });
    const errors = r!.stderr.split('\n').filter((l) => !/^prepare-root: (warning|notice):/.test(l));
    if (c.refused !== undefined) {
      expect(r!.rc, r!.stderr).toBe(1);
      expect(errors.join('\n')).toMatch(c.refused);
      expect(r!.ostreeBooted).toBeNull();
    } else {
      expect(r!.rc, r!.stderr).toBe(0);
      expect(r!.stderr).toMatch(c.warned!);
    }
    // Nothing outside the sysroot changed, and nothing of the initramfs was mounted into it.
    const canary = (check: string) =>
      check.split('\n').filter((l) => !l.includes('/run/') && !/^[-p]\S+ \/var\/lib\/prepare-root/.test(l));
    expect(canary(r!.check)).toEqual(canary(base!.check));
  });
});

// Random hostile trees: links (into the initramfs, up out of the sysroot, to devices), FIFOs,
// files and dirs where prepare-root keeps its state or reads the deployment. Whatever a run
// makes of it (it may boot, it may refuse), it never writes, deletes or mounts outside.
const PLACES = [
  VAR,
  `${STATE}`,
  `${STATE}/persist/etc/ssh`,
  `${STATE}/persist/etc`,
  `${STATE}/persist/data`,
  `${APP}`,
  `${APP}/upper`,
  `${APP}/work`,
  `${APP}/commit`,
  `${APP}/volatile-mount`,
  `${APP}/checkpoint`,
  `${APP}/quarantine`,
  '$D/etc',
  '$D/.usr-ovl-upper',
  '$D/.usr-ovl-work',
  '$D/data',
];
const KINDS = [
  'link:/canary',
  'link:/canary-etc',
  'link:/var',
  'link:/run',
  'link:../../../../../../canary',
  'link:/dev/zero',
  'fifo',
  'file',
  'dir',
] as const;

function plant(place: string, kind: (typeof KINDS)[number]): string {
  const at = `"${place}"`;
  const make =
    kind === 'fifo'
      ? `mkfifo ${at}`
      : kind === 'file'
        ? `echo junk > ${at}`
        : kind === 'dir'
          ? `mkdir -p ${at}`
          : `ln -s ${kind.slice(5)} ${at}`;
  // A place below an earlier plant that is not a directory cannot be made: that is fine too.
  return `{ rm -rf ${at} && mkdir -p "$(dirname ${at})" && ${make}; } 2>/dev/null || true`;
}

describe.skipIf(!isRoot())('random hostile trees', () => {
  it('never lead to a write, a delete or a mount outside the sysroot (30 trees, fixed seed)', () => {
    const trees = fc.sample(
      fc.uniqueArray(fc.tuple(fc.constantFrom(...PLACES), fc.constantFrom(...KINDS)), {
        minLength: 1,
        maxLength: 5,
        selector: ([p]) => p,
      }),
      { seed: 20261201, numRuns: 30 },
    );
    const conf =
      '[root]\ntransient=true\n[sysroot]\nreadonly=true\n[persist]\npaths=/etc/ssh;/data\n[overlay /usr/share/app]\nupper=state\nvolatile=true\n';
    // Each run starts from the pristine physical root, then gets its tree (the deployment is immutable: unlock it for that).
    const reset =
      'rm -rf "$VAR"; cp -a "$W/var.pristine" "$VAR"; chattr -i "$D"; rm -rf "$D/etc" "$D/.usr-ovl-upper" "$D/.usr-ovl-work" "$D/data"; cp -a "$W/etc.pristine" "$D/etc"';
    const runs: Run[] = trees.flatMap((tree) => {
      const before = `${reset}\n${tree.map(([p, k]) => plant(p, k)).join('\n')}\nchattr +i "$D"`;
      return [
        { impl: { prep: '/usr/bin/true' }, conf, before, pre: CANARY, check: CANARY_CHECK },
        { impl: ours(), conf, before, pre: CANARY, check: CANARY_CHECK },
      ];
    });
    const results = runScenario({
      setup:
        'VAR=$S/ostree/deploy/probeos/var; cp -a "$VAR" "$W/var.pristine"; cp -a "$D/etc" "$W/etc.pristine"; export VAR',
      runs,
    });
    const canary = (check: string) =>
      check.split('\n').filter((l) => !l.includes('/run/') && !/^[-p]\S+ \/var\/lib\/prepare-root/.test(l));
    trees.forEach((tree, i) => {
      const [base, r] = [results[2 * i]!, results[2 * i + 1]!];
      const what = tree.map(([p, k]) => `${p}=${k}`).join(' ');
      expect([0, 1], `${what}: ${r.stderr}`).toContain(r.rc);
      // At most one error line, whatever happened.
      expect(
        r.stderr.split('\n').filter((l) => l !== '' && !/^prepare-root: (warning|notice):/.test(l)).length,
        what,
      ).toBeLessThanOrEqual(1);
      expect(canary(r.check), what).toEqual(canary(base.check));
      if (r.rc === 1)
        expect(unordered(r.allMounts.filter((m) => !m.startsWith('/prep/'))), what).toEqual(
          unordered(base.allMounts.filter((m) => !m.startsWith('/prep/'))),
        );
    });
  });
});
