// config/path-rules.ts: which paths a config may name for persisted paths and overlays.
import { describe, expect, it } from 'vitest';
import { refusedPath, refusedResolved } from '../../../src/config/path-rules.js';

describe('refusedPath', () => {
  it.each([
    ['/etc/ssh', false, true, null],
    ['/usr/local', true, true, null],
    ['etc/ssh', false, true, 'is not an absolute path'],
    ['/', false, true, 'is the whole root (use root.transient)'],
    ['/a/../b', false, true, 'is not in normal form (/b)'],
    ['/a/', false, true, 'is not in normal form (/a)'],
    ['/a//b', false, true, 'is not in normal form (/a/b)'],
    ['/var/lib/x', false, true, 'is under /var, which already persists'],
    ['/var/lib/x', false, false, null],
    ['/var/lib/prepare-root/x', false, false, 'is under /var/lib/prepare-root, where prepare-root keeps its state'],
    ['/etc/x', true, true, 'is under /etc, which has its own handling (etc.transient)'],
    ['/proc/x', false, true, 'is under /proc, which is not part of the root image'],
    ['/sysroot', false, true, 'is under /sysroot, which is not part of the root image'],
    ['/run', false, true, 'is under /run, which is not part of the root image'],
  ])('%j (etc refused %s, /var persists %s) → %j', (p, etcToo, varPersists, expected) => {
    expect(refusedPath(p, 'use root.transient', etcToo, varPersists)).toBe(expected);
  });
});

describe('refusedResolved', () => {
  it.each([
    ['/', 'the whole root'],
    ['/var/lib/docker', 'under /var, which already persists'],
    ['/srv/data', null],
  ])('a path resolving to %j → %j', (inRoot, expected) => {
    expect(refusedResolved(inRoot, false)).toBe(expected);
  });
});
