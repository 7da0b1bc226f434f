// The System of the shipped executable: our native module (native/*.c), which returns -errno
// on failure. The only module that imports it.
import * as n from 'native';
import { SysError, type Syscall } from '../base/errors.js';
import { useUtf8Codec, utf8Encode } from '../base/text.js';
import {
  type DevNumber,
  type FileKind,
  type FileStat,
  type FsOption,
  type HeldLock,
  type MountAttrs,
  type System,
  describeKind,
} from './system.js';

function sysError(call: string, result: number, detail = '', syscall: Syscall | null = null): SysError {
  const errno = -result;
  return new SysError(call, n.errnoName(errno) ?? `errno ${errno}`, n.strerror(errno), detail, syscall);
}

/** The result, or a SysError for a negative (-errno) number. */
function check<T>(call: string, r: T | number): T {
  if (typeof r === 'number' && r < 0) throw sysError(call, r);
  return r as T;
}

const KINDS = new Map<number, FileKind>([
  [0o100000, 'file'],
  [0o040000, 'dir'],
  [0o120000, 'symlink'],
  [0o020000, 'char'],
  [0o060000, 'block'],
  [0o010000, 'fifo'],
  [0o140000, 'socket'],
]);
const KIND_BITS: Record<'char' | 'block' | 'fifo' | 'socket', number> = {
  char: 0o020000,
  block: 0o060000,
  fifo: 0o010000,
  socket: 0o140000,
};

function toStat(s: n.NativeStat): FileStat {
  return {
    kind: KINDS.get(s.mode & 0o170000) ?? 'file',
    mode: s.mode & 0o7777,
    uid: s.uid,
    gid: s.gid,
    size: s.size,
    nlink: s.nlink,
    dev: { major: s.devMajor, minor: s.devMinor },
    rdev: { major: s.rdevMajor, minor: s.rdevMinor },
    ino: s.ino,
    atime: { sec: s.atimeSec, nsec: s.atimeNsec },
    mtime: { sec: s.mtimeSec, nsec: s.mtimeNsec },
    mountId: s.mountId,
    mountRoot: s.mountRoot,
  };
}

function open(path: string, flags: number, mode = 0): number {
  return check(`open ${path}`, n.openat(n.AT_FDCWD, path, flags, mode, 0));
}

/** Run `body` with an open fd, closing it whatever happens. */
function withFd<T>(path: string, flags: number, body: (fd: number) => T): T {
  const fd = open(path, flags);
  try {
    return body(fd);
  } finally {
    n.close(fd);
  }
}

/** What a file opened for reading must be, and the error when it is something else. */
const READABLE = {
  file: { code: 'ENOTREG', what: 'a regular file' },
  block: { code: 'ENOTBLK', what: 'a block device' },
} as const;

/**
 * Open for reading what must be of that kind: a file read as a regular file must be one (a FIFO
 * would block, a device never end), a device read for its superblock a block device.
 */
function openOfKind(path: string, kind: keyof typeof READABLE): number {
  const fd = open(path, n.O_RDONLY | n.O_NONBLOCK | n.O_NOCTTY);
  return closingOnThrow(fd, () => {
    const st = toStat(check(`stat ${path}`, n.statx(fd, '', n.AT_EMPTY_PATH)));
    const { code, what } = READABLE[kind];
    if (st.kind !== kind) throw new SysError(`open ${path}`, code, `is ${describeKind(st.kind)}, not ${what}`);
    return fd;
  });
}

/** Up to `length` bytes at the start of what `path` is, which must be of that kind. */
function readStart(path: string, length: number, kind: keyof typeof READABLE): Uint8Array {
  const fd = openOfKind(path, kind);
  try {
    return bytes(check(`read ${path}`, n.pread(fd, length, 0)));
  } finally {
    n.close(fd);
  }
}

/** `body`'s result; fd is closed if it throws (on success the caller owns fd). */
function closingOnThrow<T>(fd: number, body: () => T): T {
  try {
    return body();
  } catch (e) {
    n.close(fd);
    throw e;
  }
}

const bytes = (b: ArrayBuffer): Uint8Array => new Uint8Array(b);

/** The kernel's messages from a filesystem context ("e overlay: ..." lines), as one line. */
function kernelLog(ctx: number): string {
  return n
    .fsLog(ctx)
    .split('\n')
    .map((l) => l.replace(/^[ewi] /, '').trim())
    .filter((l) => l !== '')
    .join('; ');
}

/** The mount API's filesystem context, with the kernel's own words when a step of it fails. */
function createMount(fstype: string, source: string, options: readonly FsOption[], readonly: boolean): number {
  const fd = n.fsopen(fstype, 0);
  if (fd < 0) throw sysError(`fsopen ${fstype}`, fd, '', { name: 'fsopen', arg: fstype });
  const ctx = fd;
  try {
    const config = (call: string, arg: string, r: number) => {
      if (r < 0) throw sysError(call, r, kernelLog(ctx), { name: 'fsconfig', arg });
    };
    config(`fsconfig source=${source}`, 'source', n.fsconfig(ctx, n.FSCONFIG_SET_STRING, 'source', source, 0));
    for (const o of options) {
      if (o.length === 1) config(`fsconfig ${o[0]}`, o[0], n.fsconfig(ctx, n.FSCONFIG_SET_FLAG, o[0], null, 0));
      else config(`fsconfig ${o[0]}=${o[1]}`, o[0], n.fsconfig(ctx, n.FSCONFIG_SET_STRING, o[0], o[1], 0));
    }
    config(`fsconfig create ${fstype}`, 'create', n.fsconfig(ctx, n.FSCONFIG_CMD_CREATE, null, null, 0));
    const mnt = n.fsmount(ctx, 0, readonly ? n.MOUNT_ATTR_RDONLY : 0);
    if (mnt < 0) throw sysError(`fsmount ${fstype}`, mnt, kernelLog(ctx), { name: 'fsmount' });
    return mnt;
  } finally {
    n.close(ctx);
  }
}

/** Reconfigure the superblock mounted at `target` to read-only or writable, nothing else of it. */
function setFsReadonly(target: string, readonly: boolean): void {
  const flags = n.FSPICK_NO_AUTOMOUNT | n.FSPICK_SYMLINK_NOFOLLOW;
  const ctx = check(`fspick ${target}`, n.fspick(n.AT_FDCWD, target, flags));
  try {
    const flag = readonly ? 'ro' : 'rw';
    const set = n.fsconfig(ctx, n.FSCONFIG_SET_FLAG, flag, null, 0);
    if (set < 0) throw sysError(`fsconfig ${flag} ${target}`, set, kernelLog(ctx));
    const r = n.fsconfig(ctx, n.FSCONFIG_CMD_RECONFIGURE, null, null, 0);
    if (r < 0) throw sysError(`fsconfig reconfigure ${target}`, r, kernelLog(ctx));
  } finally {
    n.close(ctx);
  }
}

function attach(mnt: number, what: string, target: string): void {
  try {
    check(`move_mount ${what} ${target}`, n.moveMount(mnt, '', n.AT_FDCWD, target, n.MOVE_MOUNT_F_EMPTY_PATH));
  } finally {
    n.close(mnt);
  }
}

const PROPAGATION = { private: n.MS_PRIVATE, slave: n.MS_SLAVE, shared: n.MS_SHARED } as const;

export function quickjsSystem(): System {
  useUtf8Codec({
    encode: (s) => new Uint8Array(n.utf8Encode(s)),
    decode: (b, fatal) => n.utf8Decode(b, fatal),
  });
  return {
    args: n.args(),
    pid: n.getpid(),
    uid: n.getuid(),
    env: () => n.environ(),
    // Unbuffered: nothing is lost at exit or execve. A closed stdout/stderr has no one to tell.
    writeOut: (text) => void n.write(1, utf8Encode(text)),
    writeErr: (text) => void n.write(2, utf8Encode(text)),
    randomBytes: (count) => bytes(check('getrandom', n.getrandom(count))),
    processExists: (pid) => {
      const r = n.kill(pid, 0);
      return r === 0 || -r === n.EPERM;
    },

    readFile(path, limit) {
      const fd = openOfKind(path, 'file');
      try {
        const data = bytes(check(`read ${path}`, n.read(fd, limit)));
        if (data.length > limit) throw new SysError(`read ${path}`, 'EFBIG', `is larger than ${limit} bytes`);
        return data;
      } finally {
        n.close(fd);
      }
    },
    readHead: (path, length) => readStart(path, length, 'file'),
    readDeviceHead: (path, length) => readStart(path, length, 'block'),
    lookupNoSymlinks(path) {
      const fd = n.openat(n.AT_FDCWD, path, n.O_PATH, 0, n.RESOLVE_NO_SYMLINKS | n.RESOLVE_NO_MAGICLINKS);
      if (fd >= 0) {
        n.close(fd);
        return 'exists';
      }
      if (-fd === n.ELOOP) return 'symlink';
      if (-fd === n.ENOENT || -fd === n.ENOTDIR) return 'missing';
      throw sysError(`open ${path}`, fd);
    },
    stat: (path) => toStat(check(`stat ${path}`, n.statx(n.AT_FDCWD, path, 0))),
    lstat: (path) => toStat(check(`lstat ${path}`, n.statx(n.AT_FDCWD, path, n.AT_SYMLINK_NOFOLLOW))),
    readdir: (path) => withFd(path, n.O_RDONLY | n.O_DIRECTORY, (fd) => check(`readdir ${path}`, n.readdir(fd))),
    readlink: (path) => check(`readlink ${path}`, n.readlinkat(n.AT_FDCWD, path)),
    realpath: (path) => check(`realpath ${path}`, n.realpath(path)),
    statfs: (path) =>
      withFd(path, n.O_PATH, (fd) => {
        const s = check(`statfs ${path}`, n.fstatfs(fd));
        return { type: s.type, blockSize: s.bsize, blocks: s.blocks, free: s.bfree, readonly: (s.flags & 1) !== 0 };
      }),

    mkdir(path, mode) {
      check(`mkdir ${path}`, n.mkdirat(n.AT_FDCWD, path, mode));
      // mkdir(2) applies the umask; the mode is part of the contract (.private must be 0000).
      const r = n.fchmodat(n.AT_FDCWD, path, mode);
      if (r < 0) {
        n.unlinkat(n.AT_FDCWD, path, n.AT_REMOVEDIR); // all or nothing: the directory is ours, and empty
        throw sysError(`chmod ${path}`, r);
      }
    },
    rmdir: (path) => void check(`rmdir ${path}`, n.unlinkat(n.AT_FDCWD, path, n.AT_REMOVEDIR)),
    unlink: (path) => void check(`unlink ${path}`, n.unlinkat(n.AT_FDCWD, path, 0)),
    rename: (from, to, noReplace = false) =>
      void check(
        `rename ${from} ${to}`,
        n.renameat2(n.AT_FDCWD, from, n.AT_FDCWD, to, noReplace ? n.RENAME_NOREPLACE : 0),
      ),
    symlink: (target, path) => void check(`symlink ${path}`, n.symlinkat(target, n.AT_FDCWD, path)),
    link: (existing, path) => void check(`link ${path}`, n.linkat(n.AT_FDCWD, existing, n.AT_FDCWD, path, 0)),
    mknod: (path, kind, mode, rdev: DevNumber) =>
      void check(`mknod ${path}`, n.mknodat(n.AT_FDCWD, path, KIND_BITS[kind] | mode, rdev.major, rdev.minor)),
    chmod: (path, mode) => void check(`chmod ${path}`, n.fchmodat(n.AT_FDCWD, path, mode)),
    lchown: (path, uid, gid) =>
      void check(`chown ${path}`, n.fchownat(n.AT_FDCWD, path, uid, gid, n.AT_SYMLINK_NOFOLLOW)),
    lutimes: (path, atime, mtime) =>
      void check(
        `utimes ${path}`,
        n.utimensat(n.AT_FDCWD, path, atime.sec, atime.nsec, mtime.sec, mtime.nsec, n.AT_SYMLINK_NOFOLLOW),
      ),
    writeFile(path, content, { mode, exclusive, sync }) {
      const fd = open(
        path,
        n.O_WRONLY | n.O_CREAT | n.O_NOFOLLOW | n.O_NOCTTY | (exclusive ? n.O_EXCL : n.O_TRUNC),
        mode,
      );
      try {
        check(`chmod ${path}`, n.fchmod(fd, mode));
        check(`write ${path}`, n.write(fd, content));
        if (sync) check(`fsync ${path}`, n.fsync(fd));
      } finally {
        n.close(fd);
      }
    },
    appendToFile(path, content) {
      withFd(
        path,
        n.O_WRONLY | n.O_APPEND | n.O_NOCTTY | n.O_NONBLOCK,
        (fd) => void check(`write ${path}`, n.write(fd, content)),
      );
    },
    createAppendable(path, mode, content) {
      const fd = open(path, n.O_WRONLY | n.O_APPEND | n.O_CREAT | n.O_EXCL | n.O_NOFOLLOW | n.O_NOCTTY, mode);
      closingOnThrow(fd, () => {
        check(`chmod ${path}`, n.fchmod(fd, mode));
        check(`write ${path}`, n.write(fd, content));
      });
      let open_ = true;
      return {
        append: (more) => void check(`write ${path}`, n.write(fd, more)),
        close: () => {
          if (open_) n.close(fd);
          open_ = false;
        },
      };
    },
    copyFileData(from, to) {
      withFd(from, n.O_RDONLY | n.O_NOFOLLOW | n.O_NOCTTY, (input) => {
        const output = open(to, n.O_WRONLY | n.O_CREAT | n.O_EXCL | n.O_NOFOLLOW, 0o600);
        try {
          check(`copy ${from} ${to}`, n.copyData(input, output));
        } finally {
          n.close(output);
        }
      });
    },
    syncDir: (path) => withFd(path, n.O_RDONLY | n.O_DIRECTORY, (fd) => void check(`fsync ${path}`, n.fsync(fd))),
    syncFilesystem: (path) =>
      withFd(path, n.O_RDONLY | n.O_NONBLOCK | n.O_NOCTTY, (fd) => void check(`syncfs ${path}`, n.syncfs(fd))),
    listXattrs: (path) => check(`listxattr ${path}`, n.llistxattr(path)),
    getXattr(path, name) {
      const r = n.lgetxattr(path, name);
      if (typeof r === 'number' && -r === n.ENODATA) return null;
      return bytes(check(`getxattr ${path} ${name}`, r));
    },
    setXattr: (path, name, value) => void check(`setxattr ${path} ${name}`, n.lsetxattr(path, name, value, 0)),
    tryLock(path, content): HeldLock | null {
      // The holder removes the file when it is done: a lock taken on a file that was removed (or
      // replaced) meanwhile is no lock, so take it again on what is there now.
      for (let attempt = 0; attempt < 8; attempt++) {
        // O_NONBLOCK: a FIFO planted there must not block the open; it is refused below.
        const fd = open(path, n.O_RDWR | n.O_CREAT | n.O_NOFOLLOW | n.O_NOCTTY | n.O_NONBLOCK, 0o644);
        const lock = closingOnThrow(fd, (): HeldLock | 'busy' | 'replaced' => {
          const held = check(`stat ${path}`, n.statx(fd, '', n.AT_EMPTY_PATH));
          const kind = KINDS.get(held.mode & 0o170000);
          if (kind !== 'file')
            throw new SysError(`lock ${path}`, 'ENOTREG', `is ${describeKind(kind ?? 'file')}, not a regular file`);
          const r = n.flock(fd, n.LOCK_EX | n.LOCK_NB);
          if (r < 0 && -r === n.EAGAIN) return 'busy';
          if (r < 0) throw sysError(`lock ${path}`, r);
          const now = n.statx(n.AT_FDCWD, path, n.AT_SYMLINK_NOFOLLOW);
          const same =
            typeof now !== 'number' &&
            held.ino === now.ino &&
            held.devMajor === now.devMajor &&
            held.devMinor === now.devMinor;
          if (!same) return 'replaced';
          check(`truncate ${path}`, n.ftruncate(fd, 0));
          check(`write ${path}`, n.write(fd, content));
          return {
            release: () => {
              n.unlinkat(n.AT_FDCWD, path, 0);
              n.close(fd);
            },
          };
        });
        if (typeof lock === 'object') return lock;
        n.close(fd);
        if (lock === 'busy') return null;
      }
      throw new SysError(`lock ${path}`, 'EAGAIN', 'the lock file keeps being replaced');
    },

    bindMount(source, target) {
      attach(check(`open_tree ${source}`, n.openTree(n.AT_FDCWD, source, n.OPEN_TREE_CLONE)), source, target);
    },
    mountFs(fstype, source, target, options, attrs) {
      attach(createMount(fstype, source, options, attrs.readonly), fstype, target);
    },
    moveMount: (source, target) =>
      void check(`move_mount ${source} ${target}`, n.moveMount(n.AT_FDCWD, source, n.AT_FDCWD, target, 0)),
    setMountAttrs(target, attrs: MountAttrs) {
      const set = attrs.readonly === true ? n.MOUNT_ATTR_RDONLY : 0;
      const clr = attrs.readonly === false ? n.MOUNT_ATTR_RDONLY : 0;
      const propagation = attrs.propagation === undefined ? 0 : PROPAGATION[attrs.propagation];
      check(
        `mount_setattr ${target}`,
        n.mountSetattr(n.AT_FDCWD, target, attrs.recursive ? n.AT_RECURSIVE : 0, set, clr, propagation),
      );
    },
    setFsReadonly,
    unmount: (target, detach) =>
      void check(`umount ${target}`, n.umount2(target, n.UMOUNT_NOFOLLOW | (detach ? n.MNT_DETACH : 0))),
    attachLoop(image) {
      const loop = withFd(image, n.O_RDONLY | n.O_NOFOLLOW, (fd) =>
        check(`loop device for ${image}`, n.loopAttach(fd, 1)),
      );
      return { device: loop.device, release: () => void n.close(loop.fd) };
    },

    measureVerity(path) {
      const m = withFd(path, n.O_RDONLY | n.O_NOCTTY, (fd) =>
        check(`measure fs-verity of ${path}`, n.measureVerity(fd)),
      );
      return { algorithm: m.algorithm, digest: bytes(m.digest) };
    },
    ed25519Verify: (signature, message, publicKey) => n.ed25519Verify(signature, message, publicKey),

    enterTmpfsRoot(physicalAt, options) {
      const physical = check('open_tree /', n.openTree(n.AT_FDCWD, '/', n.OPEN_TREE_CLONE | n.AT_RECURSIVE));
      try {
        const tmpfs = createMount('tmpfs', 'tmpfs', options, false);
        // Into the new mount first: once it covers /, its root is reachable only from there.
        const entered = n.fchdir(tmpfs);
        if (entered < 0) {
          n.close(tmpfs);
          throw sysError('fchdir to the new tmpfs', entered);
        }
        attach(tmpfs, 'tmpfs', '/');
        check('chroot into the new tmpfs', n.chroot('.'));
        check('chdir /', n.chdir('/'));
        check(`mkdir ${physicalAt}`, n.mkdirat(n.AT_FDCWD, physicalAt, 0o755));
      } catch (e) {
        n.close(physical);
        throw e;
      }
      attach(physical, '/', physicalAt);
    },
    kernelRelease: () => check('uname', n.kernelRelease()),
    loadModule(path, params, compressed) {
      return withFd(path, n.O_RDONLY | n.O_NOFOLLOW, (fd) => {
        const r = n.finitModule(fd, params, compressed ? 4 : 0);
        if (r === -n.EEXIST) return 'present';
        check(`finit_module ${path}`, r);
        return 'loaded';
      });
    },
    chdir: (path) => void check(`chdir ${path}`, n.chdir(path)),
    chroot: (path) => void check(`chroot ${path}`, n.chroot(path)),
    execve(path, argv, env): never {
      throw sysError(`execve ${path}`, n.execve(path, argv, env));
    },
    spawn: (path, argv, env, root) => check(`spawn ${path}`, n.spawn(path, argv, env, root ?? null)),
    sleep: (seconds) => n.sleep(seconds),
    fillStdio: (path) => check(`open ${path}`, n.fillStdio(path)),
    exit: (code) => n.exit(code),
  };
}
