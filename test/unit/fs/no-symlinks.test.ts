// fs/no-symlinks.ts: the first link on a path's way, and the refusal that names it: the whole path
// for what is opened or mounted, only the parents for what acts on the last component.
import { describe, expect, it } from 'vitest';
import { firstSymlink, refuseSymlinks } from '../../../src/fs/no-symlinks.js';
import { memorySystem } from '../../helpers/memory-system.js';

function system() {
  const sys = memorySystem();
  sys.dir('/run/a/b');
  sys.symlinkTo('/run/link', '/etc');
  sys.symlinkTo('/run/a/b/last', '/etc/shadow');
  return sys;
}

describe('firstSymlink', () => {
  it.each([
    ['/run/a/b', null],
    ['/run/link/x/y', '/run/link'],
    ['/run/a/b/last', '/run/a/b/last'],
    ['/run/missing/link', null],
  ])('%s → %s', (path, link) => {
    expect(firstSymlink(system(), path)).toBe(link);
  });
});

describe('refuseSymlinks', () => {
  it.each<[string, boolean, string | null]>([
    ['/run/a/b/new', true, null],
    ['/run/a/b/last', false, null],
    ['/run/a/b/last', true, '/run/a/b/last'],
    ['/run/link/passwd', false, '/run/link'],
    ['/run/link/passwd', true, '/run/link'],
  ])('%s (whole: %s) → %s', (path, whole, link) => {
    const run = () => refuseSymlinks(system(), path, whole);
    if (link === null) expect(run).not.toThrow();
    else
      expect(run).toThrow(
        `resolve ${path}: refusing: ${link} is a symbolic link (prepare-root never follows links in the paths it writes, removes or mounts)`,
      );
  });
});
