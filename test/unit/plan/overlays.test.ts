// plan/overlays.ts: [overlay PATH] groups: a transient upper in /run, a state upper under the
// state dir (pruned and recorded when the commit changed), a volatile one reused after a clean
// checkpoint or quarantined, and what status.json records of each.
import { describe, expect, it } from 'vitest';
import { actionOf } from '../../../src/apply/actions.js';
import { describeAction } from '../../../src/apply/operations.js';
import { planOverlays } from '../../../src/plan/overlays.js';
import type { OverlayFact } from '../../../src/probe/facts.js';
import type { VolatileState } from '../../../src/probe/volatile-state.js';
import { CONTEXT } from '../../helpers/facts.js';

const STATE = { planned: '/sysroot.tmp/sysroot/var/lib/prepare-root', booted: '/sysroot/var/lib/prepare-root' };
const DIR = `${STATE.planned}/overlays/usr%2Flocal`;
const RUN = '/run/prepare-root/overlays/usr%2Flocal';
const overlay = (
  upper: 'state' | 'transient',
  stateCommit: string | null,
  volatile: VolatileState | null = null,
): OverlayFact => ({
  overlay: {
    path: '/usr/local',
    lower: ['/usr/local'],
    upper,
    volatile: volatile !== null,
    where: { file: '/c', line: 1 },
  },
  inRoot: '/usr/local',
  pathInImage: true,
  lowersInRoot: ['/usr/local'],
  lowersExist: [true],
  stateCommit,
  volatile,
});
const plan = (f: OverlayFact) => planOverlays({ overlays: [f], selinux: false }, STATE, 'abc', CONTEXT, 'transient');
const commands = (f: OverlayFact) => plan(f).steps.map((s) => describeAction(actionOf(s)));
const dirs = (d: string) => [`mkdir -m 0755 ${d}/upper (may exist)`, `mkdir -m 0700 ${d}/work (may exist)`];
const mount = (d: string, volatile = false) =>
  `mount -t overlay -o lowerdir=/sysroot.tmp/usr/local,upperdir=${d}/upper,workdir=${d}/work${volatile ? ',volatile' : ''} overlay /sysroot.tmp/usr/local`;
const PRUNE = [
  `prune ${DIR}/upper against /sysroot.tmp/usr/local (drop what shadows the new base)`,
  `write ${DIR}/commit (4 bytes, mode 0644, atomically)`,
];
const TOKEN = `write ${DIR}/volatile-mount (36 bytes, mode 0644, atomically)`;

describe('planOverlays', () => {
  it.each<[string, OverlayFact, string[]]>([
    ['transient: its upper in /run', overlay('transient', null), [`mkdir -p -m 0700 ${RUN}`, ...dirs(RUN), mount(RUN)]],
    [
      'state, same commit: reused as it is',
      overlay('state', 'abc'),
      [`mkdir -p -m 0700 ${DIR}`, ...dirs(DIR), mount(DIR)],
    ],
    [
      'state, another commit: pruned and recorded',
      overlay('state', 'old'),
      [`mkdir -p -m 0700 ${DIR}`, ...dirs(DIR), ...PRUNE, mount(DIR)],
    ],
    [
      'state, never recorded: pruned (safe on an empty upper)',
      overlay('state', null),
      [`mkdir -p -m 0700 ${DIR}`, ...dirs(DIR), ...PRUNE, mount(DIR)],
    ],
    [
      'volatile, checkpointed clean: the kernel’s marker removed, a new token, reused',
      overlay('state', 'abc', { state: 'clean' }),
      [
        `mkdir -p -m 0700 ${DIR}`,
        `rm -r ${DIR}/work/work/incompat (no mount inside)`,
        TOKEN,
        ...dirs(DIR),
        mount(DIR, true),
      ],
    ],
    [
      'volatile, torn: upper and work quarantined, starting empty',
      overlay('state', 'abc', { state: 'torn', why: 'a crash', quarantine: ['upper', 'work'] }),
      [
        `mkdir -p -m 0700 ${DIR}`,
        `mkdir -p -m 0700 ${DIR}/quarantine/2026-01-01T00-00-00-000Z`,
        `mv ${DIR}/upper ${DIR}/quarantine/2026-01-01T00-00-00-000Z/upper`,
        `mv ${DIR}/work ${DIR}/quarantine/2026-01-01T00-00-00-000Z/work`,
        TOKEN,
        ...dirs(DIR),
        mount(DIR, true),
      ],
    ],
  ])('%s', (_, f, expected) => {
    expect(commands(f)).toEqual(expected);
  });

  it('a torn volatile upper is a warning naming where it went', () => {
    expect(plan(overlay('state', 'abc', { state: 'torn', why: 'a crash', quarantine: ['upper'] })).warnings).toEqual([
      {
        where: '[overlay /usr/local]',
        message:
          'volatile upper not reused, a crash; moved to /sysroot/var/lib/prepare-root/overlays/usr%2Flocal/quarantine/2026-01-01T00-00-00-000Z and starting empty',
      },
    ]);
  });

  it('status.json: each overlay with its dirs as the booted system sees them', () => {
    expect(plan(overlay('state', 'old')).overlays).toEqual([
      {
        path: '/usr/local',
        lower: ['/usr/local'],
        upper: 'state',
        dir: '/sysroot/var/lib/prepare-root/overlays/usr%2Flocal',
        upperDir: '/sysroot/var/lib/prepare-root/overlays/usr%2Flocal/upper',
        pruned: true,
        volatile: false,
      },
    ]);
  });

  it('a path the image lacks gets no mount point outside a root with an upper', () => {
    const missing = { ...overlay('state', 'abc'), pathInImage: false };
    expect(() => planOverlays({ overlays: [missing], selinux: false }, STATE, 'abc', CONTEXT, 'composefs')).toThrow(
      '/usr/local is not in the image; only a transient root can get a mount point for it',
    );
  });
});
