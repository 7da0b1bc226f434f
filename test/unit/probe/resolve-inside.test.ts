import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateInside, resolveInside } from '../../../src/probe/resolve-inside.js';
import { nodeSystem } from '../../helpers/node-system.js';

const sys = nodeSystem();

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'prepare-root-resolve-'));
  mkdirSync(path.join(root, 'usr/sbin'), { recursive: true });
  mkdirSync(path.join(root, 'var/opt'), { recursive: true });
  writeFileSync(path.join(root, 'usr/sbin/init'), '');
  symlinkSync('usr/sbin', path.join(root, 'sbin'));
  symlinkSync('/usr/sbin/init', path.join(root, 'abs-init'));
  symlinkSync('var/opt', path.join(root, 'opt'));
  symlinkSync('../../../../etc', path.join(root, 'escape'));
  symlinkSync('loop2', path.join(root, 'loop1'));
  symlinkSync('loop1', path.join(root, 'loop2'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('locateInside', () => {
  it.each([
    ['/sbin/init', { path: '/usr/sbin/init', exists: true }],
    ['/abs-init', { path: '/usr/sbin/init', exists: true }],
    ['/opt/app/data', { path: '/var/opt/app/data', exists: false }],
    ['/escape', { path: '/etc', exists: false }],
    ['/usr/../../../sbin', { path: '/usr/sbin', exists: true }],
    ['/loop1/x', { path: '/loop1/x', exists: false }],
  ])('%s', (target, expected) => {
    expect(locateInside(sys, root, target)).toEqual(expected);
  });

  it('resolveInside gives the host path, or null', () => {
    expect(resolveInside(sys, root, '/sbin/init')).toBe(path.join(root, 'usr/sbin/init'));
    expect(resolveInside(sys, root, '/loop1')).toBeNull();
  });
});
