// Types of the module the QuickJS executable provides: our native module (native/*.c). Only
// platform/quickjs.ts imports it.

declare module 'native' {
  /** Every call returns its result, or -errno (a negative number) when it failed. */
  type Result<T> = T | number;
  export interface NativeStat {
    mode: number;
    nlink: number;
    uid: number;
    gid: number;
    size: number;
    blocks: number;
    devMajor: number;
    devMinor: number;
    rdevMajor: number;
    rdevMinor: number;
    ino: bigint;
    atimeSec: number;
    atimeNsec: number;
    mtimeSec: number;
    mtimeNsec: number;
    mountId: number;
    mountRoot: boolean;
  }
  export function strerror(errno: number): string;
  /** The errno's symbolic name (ENOENT), or null for a number the C library does not know. */
  export function errnoName(errno: number): string | null;
  export function utf8Encode(s: string): ArrayBuffer;
  export function utf8Decode(bytes: Uint8Array, fatal: boolean): string | null;
  export function openat(dirfd: number, path: string, flags: number, mode: number, resolve: number): Result<number>;
  export function close(fd: number): Result<number>;
  export function read(fd: number, limit: number): Result<ArrayBuffer>;
  export function pread(fd: number, length: number, offset: number): Result<ArrayBuffer>;
  export function write(fd: number, bytes: Uint8Array): Result<number>;
  export function statx(dirfd: number, path: string, flags: number): Result<NativeStat>;
  export function mkdirat(dirfd: number, path: string, mode: number): Result<number>;
  export function unlinkat(dirfd: number, path: string, flags: number): Result<number>;
  export function fchmodat(dirfd: number, path: string, mode: number): Result<number>;
  export function readlinkat(dirfd: number, path: string): Result<string>;
  export function symlinkat(target: string, dirfd: number, path: string): Result<number>;
  export function linkat(
    olddirfd: number,
    oldpath: string,
    newdirfd: number,
    newpath: string,
    flags: number,
  ): Result<number>;
  export function renameat2(
    olddirfd: number,
    oldpath: string,
    newdirfd: number,
    newpath: string,
    flags: number,
  ): Result<number>;
  export function fchownat(dirfd: number, path: string, uid: number, gid: number, flags: number): Result<number>;
  export function utimensat(
    dirfd: number,
    path: string,
    as: number,
    ans: number,
    ms: number,
    mns: number,
    flags: number,
  ): Result<number>;
  export function mknodat(dirfd: number, path: string, mode: number, major: number, minor: number): Result<number>;
  export function readdir(fd: number): Result<string[]>;
  export function fsync(fd: number): Result<number>;
  export function syncfs(fd: number): Result<number>;
  export function fchmod(fd: number, mode: number): Result<number>;
  export function flock(fd: number, op: number): Result<number>;
  export function ftruncate(fd: number, length: number): Result<number>;
  export function fstatfs(fd: number): Result<{
    type: number;
    bsize: number;
    blocks: number;
    bfree: number;
    bavail: number;
    files: number;
    ffree: number;
    flags: number;
  }>;
  export function copyData(infd: number, outfd: number): Result<number>;
  export function realpath(path: string): Result<string>;
  export function lgetxattr(path: string, name: string): Result<ArrayBuffer>;
  export function llistxattr(path: string): Result<string[]>;
  export function lsetxattr(path: string, name: string, value: Uint8Array, flags: number): Result<number>;
  export function umount2(target: string, flags: number): Result<number>;
  export function mountSetattr(
    dirfd: number,
    path: string,
    atFlags: number,
    set: number,
    clr: number,
    propagation: number,
  ): Result<number>;
  export function fsopen(fstype: string, flags: number): Result<number>;
  export function fsconfig(
    fd: number,
    cmd: number,
    key: string | null,
    value: string | null,
    aux: number,
  ): Result<number>;
  export function fsmount(fd: number, flags: number, attrs: number): Result<number>;
  export function moveMount(
    fromDirfd: number,
    fromPath: string,
    toDirfd: number,
    toPath: string,
    flags: number,
  ): Result<number>;
  export function openTree(dirfd: number, path: string, flags: number): Result<number>;
  export function fspick(dirfd: number, path: string, flags: number): Result<number>;
  export function fsLog(fd: number): string;
  export function loopAttach(fd: number, readonly: number): Result<{ fd: number; device: string }>;
  export function execve(path: string, argv: readonly string[], env: readonly string[]): number;
  export function spawn(
    path: string,
    argv: readonly string[],
    env: readonly string[],
    root: string | null,
  ): Result<number>;
  export function sleep(seconds: number): void;
  export function fillStdio(path: string): Result<number>;
  /** The command line after the program's name. */
  export function args(): string[];
  export function environ(): Record<string, string>;
  export function getpid(): number;
  export function getuid(): number;
  export function kill(pid: number, signal: number): Result<number>;
  export function chdir(path: string): Result<number>;
  export function chroot(path: string): Result<number>;
  export function fchdir(fd: number): Result<number>;
  export function kernelRelease(): Result<string>;
  export function finitModule(fd: number, params: string, flags: number): Result<number>;
  export function exit(code: number): never;
  export function getrandom(count: number): Result<ArrayBuffer>;
  export function measureVerity(fd: number): Result<{ algorithm: number; digest: ArrayBuffer }>;
  export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  export const O_RDONLY: number,
    O_WRONLY: number,
    O_RDWR: number,
    O_CREAT: number,
    O_EXCL: number,
    O_TRUNC: number,
    O_APPEND: number,
    O_DIRECTORY: number,
    O_NOFOLLOW: number,
    O_PATH: number,
    O_NONBLOCK: number,
    O_NOCTTY: number,
    AT_FDCWD: number,
    AT_SYMLINK_NOFOLLOW: number,
    AT_EMPTY_PATH: number,
    AT_REMOVEDIR: number,
    AT_RECURSIVE: number,
    EPERM: number,
    ENOENT: number,
    ENOTDIR: number,
    EAGAIN: number,
    ELOOP: number,
    ENODATA: number,
    EEXIST: number,
    RESOLVE_NO_MAGICLINKS: number,
    RESOLVE_NO_SYMLINKS: number,
    RENAME_NOREPLACE: number,
    MS_PRIVATE: number,
    MS_SLAVE: number,
    MS_SHARED: number,
    MNT_DETACH: number,
    UMOUNT_NOFOLLOW: number,
    MOUNT_ATTR_RDONLY: number,
    FSCONFIG_SET_FLAG: number,
    FSCONFIG_SET_STRING: number,
    FSCONFIG_CMD_CREATE: number,
    MOVE_MOUNT_F_EMPTY_PATH: number,
    OPEN_TREE_CLONE: number,
    FSCONFIG_CMD_RECONFIGURE: number,
    FSPICK_NO_AUTOMOUNT: number,
    FSPICK_SYMLINK_NOFOLLOW: number,
    LOCK_EX: number,
    LOCK_NB: number;
}
