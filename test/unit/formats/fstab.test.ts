// formats/fstab.ts: the swap files an /etc/fstab lists (fstab(5): fields, comments, octal escapes).
import { describe, expect, it } from 'vitest';
import { swapFiles } from '../../../src/formats/fstab.js';

describe('swapFiles', () => {
  it.each([
    ['/swapfile none swap sw 0 0', ['/swapfile']],
    ['/var/swap\tnone\tswap\tdefaults', ['/var/swap']],
    ['/swap\\040file none swap sw', ['/swap file']],
    ['/dev/vda2 none swap sw', []],
    ['UUID=1234 none swap sw', []],
    ['# /swapfile none swap sw', []],
    ['/swapfile none swap sw # a comment', ['/swapfile']],
    ['LABEL=root / ext4 defaults 0 1', []],
    ['/swapfile none', []],
    ['', []],
  ])('%j → %j', (line, expected) => {
    expect(swapFiles(line)).toEqual(expected);
  });

  it('in file order, every line', () => {
    expect(swapFiles('/b none swap sw\nLABEL=r / ext4 defaults\n/a none swap sw\n')).toEqual(['/b', '/a']);
  });
});
