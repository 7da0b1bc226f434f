// File-tree helpers on a memory System: each is all or nothing, and the copy keeps what
// cp --archive --preserve=all keeps.
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/fs/atomic-write.js';
import { copyTree, mkdirp, removeTree } from '../../../src/fs/tree.js';
import { memorySystem } from '../../helpers/memory-system.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('mkdirp', () => {
  it('creates what is missing, outermost first, and says which', () => {
    const sys = memorySystem();
    sys.dir('/a');
    expect(mkdirp(sys, '/a/b/c', 0o750)).toEqual(['/a/b', '/a/b/c']);
    expect(sys.lstat('/a/b/c')).toMatchObject({ kind: 'dir', mode: 0o750 });
    expect(mkdirp(sys, '/a/b/c', 0o750)).toEqual([]);
  });

  it('a failure half-way removes the directories it made', () => {
    const sys = memorySystem();
    sys.dir('/a');
    sys.failNext('mkdir', '/a/b/c');
    expect(() => mkdirp(sys, '/a/b/c', 0o755)).toThrow(/mkdir \/a\/b\/c: injected EIO/);
    expect(sys.list('/a')).toEqual([]);
  });
});

describe('removeTree', () => {
  it('removes a whole tree; nothing there is fine', () => {
    const sys = memorySystem();
    sys.file('/t/a/b', 'x');
    sys.symlinkTo('/t/l', '/etc');
    removeTree(sys, '/t');
    expect(sys.list('/')).toEqual([]);
    removeTree(sys, '/t');
  });

  it('refuses, before removing anything, when something is mounted inside', () => {
    const sys = memorySystem();
    sys.file('/t/a/keep', 'x');
    sys.dir('/t/m', { mountRoot: true });
    expect(() => removeTree(sys, '/t')).toThrow('rm -r /t: refusing: /t/m is mounted inside it');
    expect(sys.list('/t')).toEqual(['dir /t/a', 'dir /t/m', 'file /t/a/keep']);
  });
});

describe('copyTree', () => {
  it('keeps owner, mode, times, xattrs, symlinks, device nodes and hard links', () => {
    const sys = memorySystem();
    sys.dir('/src', { mode: 0o700, uid: 5, gid: 6, mtime: { sec: 100, nsec: 1 } });
    sys.file('/src/key', 'secret', { mode: 0o600, uid: 7, gid: 8, mtime: { sec: 200, nsec: 2 } });
    sys.xattr('/src/key', 'security.selinux', 'system_u:object_r:sshd_key_t:s0');
    sys.symlinkTo('/src/link', 'key');
    sys.mknod('/src/null', 'char', 0o666, { major: 1, minor: 3 });
    sys.link('/src/key', '/src/hard');
    copyTree(sys, '/src', '/dst');
    expect(sys.list('/dst')).toEqual(['char /dst/null', 'file /dst/hard', 'file /dst/key', 'symlink /dst/link']);
    expect(sys.lstat('/dst')).toMatchObject({ mode: 0o700, uid: 5, gid: 6, mtime: { sec: 100, nsec: 1 } });
    expect(sys.lstat('/dst/key')).toMatchObject({ mode: 0o600, uid: 7, gid: 8, mtime: { sec: 200, nsec: 2 } });
    expect(sys.text('/dst/key')).toBe('secret');
    expect(new TextDecoder().decode(sys.getXattr('/dst/key', 'security.selinux')!)).toBe(
      'system_u:object_r:sshd_key_t:s0',
    );
    expect(sys.readlink('/dst/link')).toBe('key');
    expect(sys.lstat('/dst/null')).toMatchObject({ kind: 'char', rdev: { major: 1, minor: 3 } });
    expect(sys.lstat('/dst/hard').ino).toBe(sys.lstat('/dst/key').ino);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the file and returns what was there', () => {
    const sys = memorySystem();
    sys.file('/run/f', 'old');
    expect(new TextDecoder().decode(writeFileAtomic(sys, '/run/f', bytes('new'), 0o644, 100)!)).toBe('old');
    expect(sys.text('/run/f')).toBe('new');
    expect(sys.list('/run')).toEqual(['file /run/f']);
  });

  it('a failed rename leaves the old content and no temporary file', () => {
    const sys = memorySystem();
    sys.file('/run/f', 'old');
    sys.failNext('rename', '/run/.f.4242.tmp');
    expect(() => writeFileAtomic(sys, '/run/f', bytes('new'), 0o644, 100)).toThrow(/injected EIO/);
    expect(sys.text('/run/f')).toBe('old');
    expect(sys.list('/run')).toEqual(['file /run/f']);
  });

  it('a failed directory sync after the rename puts the old content back (or removes a new file)', () => {
    const sys = memorySystem();
    sys.file('/run/f', 'old');
    sys.failNext('fsync', '/run');
    expect(() => writeFileAtomic(sys, '/run/f', bytes('new'), 0o644, 100)).toThrow(/fsync \/run: injected EIO/);
    expect(sys.text('/run/f')).toBe('old');
    sys.failNext('fsync', '/run');
    expect(() => writeFileAtomic(sys, '/run/g', bytes('new'), 0o644, 100)).toThrow(/injected EIO/);
    expect(sys.list('/run')).toEqual(['file /run/f']);
  });
});
