// plan/persist.ts: each persisted path's store (made and seeded the first time) and its bind,
// the mount point only where the mode can make one, and the refusals of where a path resolves.
import { describe, expect, it } from 'vitest';
import { actionOf } from '../../../src/apply/actions.js';
import { describeAction } from '../../../src/apply/operations.js';
import { planPersist } from '../../../src/plan/persist.js';
import type { Mode } from '../../../src/plan/types.js';
import type { PersistFact } from '../../../src/probe/facts.js';

const STATE = { planned: '/sysroot.tmp/sysroot/var/lib/prepare-root', booted: '/sysroot/var/lib/prepare-root' };
const S = `${STATE.planned}/persist`;
const fact = (inRoot: string, image: PersistFact['image'], storeExists: boolean): PersistFact => ({
  path: inRoot,
  inRoot,
  image,
  storeExists,
});
const commands = (facts: PersistFact[], mode: Mode = 'transient', varPersists = true) =>
  planPersist(facts, STATE, mode, varPersists).steps.map((s) => describeAction(actionOf(s)));

describe('planPersist', () => {
  it.each<[string, PersistFact, Mode, string[]]>([
    [
      'first boot, a directory in the image: seeded from it',
      fact('/etc/ssh', 'dir', false),
      'transient',
      [
        `mkdir -p -m 0755 ${S}/etc`,
        `cp -a /sysroot.tmp/etc/ssh ${S}/etc/ssh (owner, mode, times, xattrs; through a temporary copy renamed into place)`,
        `mount --bind ${S}/etc/ssh /sysroot.tmp/etc/ssh`,
      ],
    ],
    [
      'later boots: only the bind',
      fact('/etc/ssh', 'dir', true),
      'composefs',
      [`mount --bind ${S}/etc/ssh /sysroot.tmp/etc/ssh`],
    ],
    [
      'not in the image, transient root: an empty store and a mount point',
      fact('/data', 'absent', false),
      'plain-transient',
      [
        `mkdir -p -m 0755 ${S}`,
        `mkdir -m 0755 ${S}/data`,
        'mkdir -p -m 0755 /sysroot.tmp/data',
        `mount --bind ${S}/data /sysroot.tmp/data`,
      ],
    ],
    [
      'not in the image, legacy, under its /etc: the mount point in the deployment’s mutable /etc',
      fact('/etc/extra', 'absent', true),
      'legacy',
      ['mkdir -p -m 0755 /sysroot.tmp/etc/extra', `mount --bind ${S}/etc/extra /sysroot.tmp/etc/extra`],
    ],
  ])('%s', (_, f, mode, expected) => {
    expect(commands([f], mode)).toEqual(expected);
  });

  it('records each path with its store as the booted system sees it', () => {
    expect(planPersist([fact('/etc/ssh', 'dir', true)], STATE, 'legacy').persisted).toEqual([
      { path: '/etc/ssh', store: '/sysroot/var/lib/prepare-root/persist/etc/ssh' },
    ]);
  });

  it.each<[string, PersistFact, Mode, boolean, string]>([
    [
      'not in the image of a composefs root',
      fact('/data', 'absent', false),
      'composefs',
      true,
      'persist.paths: /data: /data is not in the image, and a read-only composefs root cannot get a mount point for it (add it to the image, or use root.transient)',
    ],
    [
      'neither a file nor a directory in the image',
      fact('/dev-like', 'other', false),
      'transient',
      true,
      'persist.paths: /dev-like: is neither a file nor a directory in the image (/dev-like)',
    ],
    [
      'resolving (through a symlink in the image) under /var, which persists',
      { path: '/srv/logs', inRoot: '/var/log', image: 'dir', storeExists: false },
      'transient',
      true,
      'persist.paths: /srv/logs: resolves to /var/log in the image, under /var, which already persists',
    ],
  ])('refuses a path %s', (_, f, mode, varPersists, why) => {
    expect(() => planPersist([f], STATE, mode, varPersists)).toThrow(why);
  });

  it('under a transient /var (plain roots), /var paths persist too', () => {
    expect(commands([fact('/var/lib/docker', 'dir', true)], 'plain-transient', false)).toEqual([
      `mount --bind ${S}/var/lib/docker /sysroot.tmp/var/lib/docker`,
    ]);
  });
});
