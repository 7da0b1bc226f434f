// config/persist-config.ts: `[persist] paths`, GLib list syntax, each path checked, none nested.
import { describe, expect, it } from 'vitest';
import { PrepareRootError } from '../../../src/base/errors.js';
import { parsePersistPaths } from '../../../src/config/persist-config.js';

const F = '/etc/prepare-root/prepare-root.conf';
const parse = (value: string, varPersists = true) => parsePersistPaths({ value, line: 7 }, F, varPersists);

describe('parsePersistPaths', () => {
  it.each([
    ['/etc/ssh', ['/etc/ssh']],
    ['/etc/ssh;/opt/app/data;', ['/etc/ssh', '/opt/app/data']],
    ['/srv/a\\;b', ['/srv/a;b']],
    ['/etc/ssh;/root  ', ['/etc/ssh', '/root']],
    ['', []],
  ])('%j → %j', (value, paths) => {
    expect(parse(value)).toEqual(paths);
  });

  it('paths under /var only when /var is transient', () => {
    expect(parse('/var/lib/docker', false)).toEqual(['/var/lib/docker']);
  });

  it.each([
    ['etc/ssh', 'persist.paths: “etc/ssh” is not an absolute path'],
    ['/', 'persist.paths: “/” is the whole root (use a persistent root instead)'],
    ['/var/lib/docker', 'persist.paths: “/var/lib/docker” is under /var, which already persists'],
    ['/etc/ssh;/etc/ssh', 'persist.paths: “/etc/ssh” is listed twice'],
    ['/etc;/etc/ssh', 'persist.paths: “/etc” and “/etc/ssh” overlap: persist only the outer one'],
    [
      Array.from({ length: 1025 }, (_, i) => `/p${i}`).join(';'),
      'persist.paths: 1025 paths, more than 1024 (a limit of prepare-root)',
    ],
  ])('refuses %j, naming the line', (value, why) => {
    expect(() => parse(value)).toThrow(new PrepareRootError({ file: F, line: 7 }, why));
  });
});
