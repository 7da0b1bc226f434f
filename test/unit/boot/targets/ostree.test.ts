// boot/targets/ostree.ts: what an ostree boot cannot do without an initramfs.
import { describe, expect, it } from 'vitest';
import { needsInitramfs } from '../../../../src/boot/targets/ostree.js';
import { loadConfig, resolveConfig } from '../../../../src/config/config.js';

const config = (conf: string, cmdline = '') =>
  resolveConfig(loadConfig([{ path: '/etc/ostree/prepare-root.conf', data: conf }]), cmdline).config;

describe('needsInitramfs', () => {
  it.each([
    ['no composefs', '', '', null],
    ['composefs verity', '[composefs]\nenabled=verity\n', '', null],
    ['composefs maybe', '[composefs]\nenabled=maybe\n', '', null],
    ['composefs signed', '[composefs]\nenabled=signed\n', '', 'composefs.enabled=signed'],
    ['signed from the kernel argument', '', 'ostree.prepare-root.composefs=signed', 'composefs.enabled=signed'],
    [
      'signed turned off by the kernel argument',
      '[composefs]\nenabled=signed\n',
      'ostree.prepare-root.composefs=no',
      null,
    ],
  ])('%s', (_, conf, cmdline, refusedAt) => {
    const refused = needsInitramfs(config(conf, cmdline));
    expect(refused?.what ?? null).toBe(refusedAt);
    if (refused !== null)
      expect(refused.why).toBe(
        'needs an initramfs: the signing keys must come from outside the root they verify, and without an initramfs there is nothing else (use verity, or boot with an initramfs)',
      );
  });
});
