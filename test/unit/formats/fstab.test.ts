// formats/fstab.ts: the swap files an /etc/fstab lists (fstab(5): fields, comments, octal escapes), and
// the same fstab without its / entry.
import { describe, expect, it } from 'vitest';
import { swapFiles, withoutRootEntry } from '../../../src/formats/fstab.js';

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

describe('withoutRootEntry', () => {
  it('comments out the entries for / (however written), and nothing else', () => {
    const text = [
      '# <file system> <mount point> <type> <options> <dump> <pass>',
      'UUID=1234 / ext4 errors=remount-ro 0 1',
      '  /dev/sda2\t/\txfs defaults 0 0',
      '/dev/sda3 /home ext4 defaults 0 2',
      '# /dev/sda4 / ext4 defaults 0 0',
      'tmpfs /dev/shm tmpfs size=1G 0 0',
      '',
    ].join('\n');
    expect(withoutRootEntry(text)).toBe(
      [
        '# <file system> <mount point> <type> <options> <dump> <pass>',
        '# (prepare-root: / is read-only this boot) UUID=1234 / ext4 errors=remount-ro 0 1',
        '# (prepare-root: / is read-only this boot)   /dev/sda2\t/\txfs defaults 0 0',
        '/dev/sda3 /home ext4 defaults 0 2',
        '# /dev/sda4 / ext4 defaults 0 0',
        'tmpfs /dev/shm tmpfs size=1G 0 0',
        '',
      ].join('\n'),
    );
  });

  it('none for /: null', () => {
    expect(withoutRootEntry('/dev/sda3 /home ext4 defaults 0 2\n/dev/sda1 /\\040x ext4 defaults 0 0\n')).toBeNull();
    expect(withoutRootEntry('')).toBeNull();
  });
});
