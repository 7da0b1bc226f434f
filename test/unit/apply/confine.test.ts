// apply/confine.ts: before an operation runs, every path it opens, creates, removes or mounts
// must resolve without a symbolic link: the whole path for what is opened or mounted, the parent
// for what acts on the last component itself. A refusal names the link.
import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/apply/actions.js';
import { refuseSymlinksOf } from '../../../src/apply/confine.js';
import { memorySystem } from '../../helpers/memory-system.js';

function system() {
  const sys = memorySystem();
  sys.dir('/sysroot/ostree/deploy/os/var');
  sys.dir('/outside');
  // What an attacker with the stateroot var can plant: a directory link and a link as the last component.
  sys.symlinkTo('/sysroot/ostree/deploy/os/var/lib', '/outside');
  sys.symlinkTo('/sysroot/ostree/deploy/os/var/marker', '/outside/file');
  return sys;
}
const VAR = '/sysroot/ostree/deploy/os/var';
const refusal = (path: string, link: string) =>
  `resolve ${path}: refusing: ${link} is a symbolic link (prepare-root never follows links in the paths it writes, removes or mounts)`;

describe('refuseSymlinksOf', () => {
  it.each<[string, Action, string | null]>([
    ['a bind from a path through a link', { op: 'bind', source: `${VAR}/lib/x`, target: '/sysroot/x' }, `${VAR}/lib`],
    ['a bind onto a link', { op: 'bind', source: '/outside', target: `${VAR}/marker` }, `${VAR}/marker`],
    ['a bind between plain directories', { op: 'bind', source: '/outside', target: VAR }, null],
    ['a mkdir under a link', { op: 'mkdir', path: `${VAR}/lib/new`, mode: 0o755, existOk: false }, `${VAR}/lib`],
    // unlink acts on the link itself, never on what it points to: only its parents must be links-free.
    ['removing a link itself', { op: 'remove-file', path: `${VAR}/marker` }, null],
    ['removing through a link', { op: 'remove-file', path: `${VAR}/lib/file` }, `${VAR}/lib`],
    [
      'writing a file through a link',
      { op: 'write-file', path: `${VAR}/lib/f`, mode: 0o644, content: new Uint8Array() },
      `${VAR}/lib`,
    ],
    [
      'an overlay with a lower through a link',
      {
        op: 'mount',
        mount: {
          fstype: 'overlay',
          source: 'overlay',
          target: '/sysroot/usr',
          readonly: true,
          overlay: { lower: [`${VAR}/lib/l`], data: [], upper: null, work: null },
          options: [],
        },
      },
      `${VAR}/lib`,
    ],
    ['a path that does not exist yet', { op: 'mkdirp', path: `${VAR}/a/b/c`, mode: 0o755 }, null],
  ])('%s', (_, action, link) => {
    const sys = system();
    const run = () => refuseSymlinksOf(sys, action);
    if (link === null) expect(run).not.toThrow();
    else
      expect(run).toThrow(
        expect.objectContaining({
          code: 'ELOOP',
          message: expect.stringContaining(`refusing: ${link} is a symbolic link`),
        }),
      );
  });

  it('says which path it was resolving', () => {
    expect(() => refuseSymlinksOf(system(), { op: 'remove-file', path: `${VAR}/lib/file` })).toThrow(
      refusal(`${VAR}/lib/file`, `${VAR}/lib`),
    );
  });
});
