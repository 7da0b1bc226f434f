// [overlay PATH] state overlays across reboots and an update between two real commits, as
// ostree's state-overlay kola test does it: without an update everything stays; after one, every
// change that shadows, deletes or replaces base content is reverted and purely added files stay.
// Plus nested overlays with several lowers, and a transient upper.
import { describe, expect, it } from 'vitest';
import { isRoot, ours, runScenario } from './harness.js';

const APP = '/sysroot/usr/share/app';
const CONF =
  '[overlay /usr/share/app]\nupper=state\n[overlay /usr/share/combo]\nlower=/usr/share/app:/usr/lib\nupper=transient\n';

const CHANGE = `echo added > ${APP}/added.txt; echo shadow > ${APP}/base.txt; rm ${APP}/del.txt
rm -r ${APP}/dir; mkdir ${APP}/dir; echo new > ${APP}/dir/new; echo t > /sysroot/usr/share/combo/transient.txt`;
const LOOK = `for f in added.txt base.txt del.txt dir/x dir/new; do [ -e ${APP}/$f ] && echo "$f: $(cat ${APP}/$f)" || echo "$f: -"; done
ls /sysroot/usr/share/combo | tr '\\n' ' '; echo`;

describe.skipIf(!isRoot())('state overlays', () => {
  it('keep everything across a reboot, and only added files across an update', () => {
    const [first, reboot, updated] = runScenario({
      runs: [
        { impl: ours(), conf: CONF, check: `${CHANGE}\n${LOOK}` },
        { impl: ours(), conf: CONF, check: LOOK },
        {
          impl: ours(),
          conf: CONF,
          check: `${LOOK}\ngrep -o '"prune-overlay-0"' /run/prepare-root/status.json | head -1`,
          before: 'bash "$H/update.sh" "$S" "$W/tree2" 2 > "$CMDLINE_FILE"',
        },
      ],
    });
    expect(first!.rc, first!.stderr).toBe(0);
    expect(first!.check.split('\n')).toEqual([
      'added.txt: added',
      'base.txt: shadow',
      'del.txt: -',
      'dir/x: -',
      'dir/new: new',
      // combo = app overlay (upper included) over /usr/lib, plus its own transient upper
      expect.stringMatching(/^added\.txt base\.txt dir .*hello\.txt .*transient\.txt ?$/),
    ]);
    expect(reboot!.rc, reboot!.stderr).toBe(0);
    expect(reboot!.check.split('\n').slice(0, 5)).toEqual([
      'added.txt: added',
      'base.txt: shadow',
      'del.txt: -',
      'dir/x: -',
      'dir/new: new',
    ]);
    expect(reboot!.check.split('\n')[5]).not.toContain('transient.txt');
    expect(updated!.rc, updated!.stderr).toBe(0);
    expect(updated!.check.split('\n')).toEqual([
      'added.txt: added',
      'base.txt: base 2',
      'del.txt: del',
      'dir/x: x',
      'dir/new: -',
      expect.stringMatching(/^added\.txt base\.txt del\.txt dir /),
      '"prune-overlay-0"',
    ]);
    expect(updated!.mounts.filter((m) => m.includes('/usr/share/'))).toEqual([
      '/sysroot/usr/share/app / overlay rw,relatime private',
      '/sysroot/usr/share/combo / overlay rw,relatime private',
    ]);
  });

  it.each([
    [
      'a lower the image does not have',
      '[overlay /usr/share/app]\nlower=/usr/share/nope\n',
      'prepare-root: [overlay /usr/share/app] lower: /usr/share/nope does not exist in the image',
    ],
    [
      'a path resolving into /var',
      '[overlay /opt]\n',
      'prepare-root: [overlay /opt]: resolves to /var/opt in the image, under /var, which already persists',
    ],
    [
      'overlapping overlays',
      '[overlay /usr/share]\nupper=state\n[overlay /usr/share/app]\nupper=state\n',
      'prepare-root: /etc/ostree/prepare-root.conf:3: [overlay /usr/share/app] and [overlay /usr/share] overlap: declare one, or use the other as its lower',
    ],
    [
      'overlays stacked in a cycle',
      '[overlay /usr/share/app]\nlower=/usr/share/combo\n[overlay /usr/share/combo]\nlower=/usr/share/app\n',
      'prepare-root: /etc/ostree/prepare-root.conf:1: overlays stack on each other in a cycle: /usr/share/app → /usr/share/combo → /usr/share/app',
    ],
  ])('refuses %s before mounting anything', (_, conf, message) => {
    const [r] = runScenario({ runs: [{ impl: ours(), conf }] });
    expect(r!.rc).toBe(1);
    expect(r!.stderr.split('\n').filter((l) => !l.includes('warning:'))).toEqual([message]);
    expect(r!.mounts).toEqual(['/sysroot / tmpfs rw,relatime private']);
  });
});

describe.skipIf(!isRoot())('volatile state overlays', () => {
  const VOLATILE = '[overlay /usr/share/app]\nupper=state\nvolatile=true\n';
  const STATE = '/sysroot/sysroot/ostree/deploy/probeos/var/lib/prepare-root/overlays/usr%2Fshare%2Fapp';
  const WRITE = `findmnt -rno FS-OPTIONS ${APP} | grep -o 'fsync=volatile'; echo kept > ${APP}/written.txt`;
  const LOOK_AGAIN = `cat ${APP}/written.txt 2>/dev/null || echo no-written; ls ${STATE}/quarantine 2>/dev/null | wc -l; cat ${STATE}/quarantine/*/upper/written.txt 2>/dev/null`;

  it('after a checkpointed shutdown, the upper is reused', () => {
    const [first, second] = runScenario({
      runs: [
        { impl: ours(), conf: VOLATILE, check: `${WRITE}; /prep/bin checkpoint --root /sysroot` },
        { impl: ours(), conf: VOLATILE, check: LOOK_AGAIN },
      ],
    });
    expect(first!.rc, first!.stderr).toBe(0);
    expect(first!.check).toBe('fsync=volatile\nprepare-root: checkpointed /usr/share/app');
    expect(second!.rc, second!.stderr).toBe(0);
    expect(second!.stderr).toBe('');
    expect(second!.check).toBe('kept\n0');
  });

  it('without a checkpoint (crash, power loss), the upper is quarantined and a fresh one used, with a warning', () => {
    const [, second, third] = runScenario({
      runs: [
        { impl: ours(), conf: VOLATILE, check: WRITE },
        { impl: ours(), conf: VOLATILE, check: LOOK_AGAIN },
        // A checkpoint from an earlier mount does not vouch for a later one.
        { impl: ours(), conf: VOLATILE, check: LOOK_AGAIN, before: 'true' },
      ],
    });
    expect(second!.rc, second!.stderr).toBe(0);
    expect(second!.stderr).toMatch(
      /^prepare-root: warning: \[overlay \/usr\/share\/app\]: volatile upper not reused, no checkpoint for its last mount \(boot [0-9a-f-]+\): a crash or power loss; moved to \/sysroot\/ostree\/deploy\/probeos\/var\/lib\/prepare-root\/overlays\/usr%2Fshare%2Fapp\/quarantine\/[0-9T-]+Z and starting empty$/,
    );
    expect(second!.check).toBe('no-written\n1\nkept');
    expect(third!.check.split('\n').slice(0, 2)).toEqual(['no-written', '2']);
  });
});
