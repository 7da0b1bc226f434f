// plan/modes.ts: every mode from its config, and what each allows, in one table.
import { describe, expect, it } from 'vitest';
import {
  canMakeMountPoint,
  hasRootUpper,
  isReadonlyRoot,
  modeOfOstreeBooted,
  ostreeMode,
  plainMode,
} from '../../../src/plan/modes.js';
import { ROOT_MODES } from '../../../src/formats/status-file.js';

/** One row per mode: what it allows. A new mode must be added here, and so be decided on. */
const PER_MODE = [
  ['legacy', false, false],
  ['composefs', false, false],
  ['transient', true, false],
  ['transient-ro', true, true],
  ['plain', false, false],
  ['plain-transient', true, false],
  ['plain-transient-ro', true, true],
  ['plain-overlay', true, false],
] as const;

describe('modes', () => {
  it.each([
    ['persistent', false, 'legacy'],
    ['persistent', true, 'composefs'],
    ['transient', false, 'transient'],
    ['transient', true, 'transient'],
    ['transient-ro', true, 'transient-ro'],
  ] as const)('ostree: root %s, composefs %s → %s', (root, composefs, mode) => {
    expect(ostreeMode(root, composefs)).toBe(mode);
  });

  it.each([
    ['persistent', false, 'plain'],
    ['transient', false, 'plain-transient'],
    ['transient-ro', false, 'plain-transient-ro'],
    ['transient', true, 'plain-overlay'],
  ] as const)('plain: root %s, upper on a device %s → %s', (root, device, mode) => {
    expect(plainMode(root, device)).toBe(mode);
  });

  it.each([
    [{ composefs: true }, 'composefs'],
    [{}, 'legacy'],
    [{ 'root.transient': true, composefs: true }, 'transient'],
    [{ 'root.transient': true, 'root.transient-ro': true }, 'transient-ro'],
    // a value of another type is no flag
    [{ 'root.transient': 'true' }, 'legacy'],
  ])('read back from /run/ostree-booted %j → %s', (booted, mode) => {
    expect(modeOfOstreeBooted(booted)).toBe(mode);
  });

  it.each(PER_MODE)('%s: an upper over / %s (new mount points anywhere too), read-only %s', (mode, upper, readonly) => {
    expect([hasRootUpper(mode), canMakeMountPoint(mode, '/data'), isReadonlyRoot(mode)]).toEqual([
      upper,
      upper,
      readonly,
    ]);
  });

  it('a legacy root can get a mount point in its /etc (the deployment keeps it mutable), nowhere else', () => {
    expect([canMakeMountPoint('legacy', '/etc/ssh/extra'), canMakeMountPoint('legacy', '/etcetera')]).toEqual([
      true,
      false,
    ]);
    expect([canMakeMountPoint('composefs', '/etc/ssh/extra'), canMakeMountPoint('plain', '/etc/ssh/extra')]).toEqual([
      false,
      false,
    ]);
  });

  it('the table of what each mode allows names every mode status.json knows', () => {
    expect(PER_MODE.map(([mode]) => mode).sort()).toEqual([...ROOT_MODES].sort());
  });
});
