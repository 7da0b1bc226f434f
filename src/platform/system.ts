// The one interface between prepare-root and the machine. Everything else in src/ is
// runtime-neutral and reaches the kernel only through a System: the product's is
// platform/quickjs.ts (QuickJS std/os and our native module), the tests bring a Node-backed
// one. Failures are SysErrors carrying the errno name and the system's text for it.

export type FileKind = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

/** `a FIFO`, `a character device`, ... for messages. */
export function describeKind(kind: FileKind): string {
  const words: Record<FileKind, string> = {
    file: 'a regular file',
    dir: 'a directory',
    symlink: 'a symbolic link',
    char: 'a character device',
    block: 'a block device',
    fifo: 'a FIFO',
    socket: 'a socket',
  };
  return words[kind];
}

export interface DevNumber {
  readonly major: number;
  readonly minor: number;
}

export interface Timespec {
  readonly sec: number;
  readonly nsec: number;
}

export interface FileStat {
  readonly kind: FileKind;
  /** Permission bits with setuid/setgid/sticky (mode & 0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly nlink: number;
  readonly dev: DevNumber;
  readonly rdev: DevNumber;
  readonly ino: bigint;
  readonly atime: Timespec;
  readonly mtime: Timespec;
  /** The id of the mount the file is on (statx STATX_MNT_ID). */
  readonly mountId: number;
  /** The file is the root of a mount (something is mounted here). */
  readonly mountRoot: boolean;
}

export interface FsStat {
  /** The filesystem's magic number (statfs f_type), e.g. 0x01021994 for tmpfs. */
  readonly type: number;
  readonly blockSize: number;
  readonly blocks: number;
  readonly free: number;
  readonly readonly: boolean;
}

/** A filesystem option for mountFs: `[key, value]`, or `[flag]`. */
export type FsOption = readonly [string, string] | readonly [string];

/** Per-mount attributes that can change without touching the others. */
export interface MountAttrs {
  readonly readonly?: boolean;
  readonly propagation?: 'private' | 'slave' | 'shared';
  /** Apply to every mount below the target too. */
  readonly recursive?: boolean;
}

export interface FsVerityDigest {
  /** FS_VERITY_HASH_ALG_*: 1 = sha256, 2 = sha512. */
  readonly algorithm: number;
  readonly digest: Uint8Array;
}

export interface HeldLock {
  release(): void;
}

/** A file open for appending, from System.createAppendable. */
export interface AppendableFile {
  append(content: Uint8Array): void;
  close(): void;
}

export interface System {
  /** Arguments after the program name. */
  readonly args: readonly string[];
  readonly pid: number;
  readonly uid: number;
  env(): Readonly<Record<string, string>>;
  writeOut(text: string): void;
  writeErr(text: string): void;
  randomBytes(count: number): Uint8Array;
  /** Signal 0: whether a process exists. */
  processExists(pid: number): boolean;

  /** The whole file, refused when over `limit` bytes. Follows symlinks. */
  readFile(path: string, limit: number): Uint8Array;
  /** Up to `length` bytes at the start of the file. */
  readHead(path: string, length: number): Uint8Array;
  /** Up to `length` bytes at the start of the block device `path` (refused if it is not one). */
  readDeviceHead(path: string, length: number): Uint8Array;
  /**
   * Whether `path` resolves without passing through any symbolic link (openat2 with
   * RESOLVE_NO_SYMLINKS): `exists`, `missing` (a component does not exist, and none before it is
   * a link), or `symlink` (one of its components, the last included, is a link).
   */
  lookupNoSymlinks(path: string): 'exists' | 'missing' | 'symlink';
  stat(path: string): FileStat;
  lstat(path: string): FileStat;
  readdir(path: string): string[];
  readlink(path: string): string;
  realpath(path: string): string;
  statfs(path: string): FsStat;

  /** mkdir with exactly `mode` (the umask does not apply). */
  mkdir(path: string, mode: number): void;
  rmdir(path: string): void;
  unlink(path: string): void;
  /** `noReplace`: fail with EEXIST instead of replacing `to`. */
  rename(from: string, to: string, noReplace?: boolean): void;
  symlink(target: string, path: string): void;
  link(existing: string, path: string): void;
  mknod(path: string, kind: 'char' | 'block' | 'fifo' | 'socket', mode: number, rdev: DevNumber): void;
  /** chmod, following symlinks (a symlink's own mode means nothing on Linux). */
  chmod(path: string, mode: number): void;
  lchown(path: string, uid: number, gid: number): void;
  lutimes(path: string, atime: Timespec, mtime: Timespec): void;
  /** Create (or, unless `exclusive`, truncate) and write a file with exactly `mode`; `sync`: fsync it. */
  writeFile(path: string, content: Uint8Array, options: { mode: number; exclusive: boolean; sync: boolean }): void;
  /** Append to an existing file (never created): for /dev/kmsg. */
  appendToFile(path: string, content: Uint8Array): void;
  /**
   * Create a new file (exclusive, never through a link) with exactly `mode` and `content`, kept
   * open for appending: one open for a record written line by line (the journal).
   */
  createAppendable(path: string, mode: number, content: Uint8Array): AppendableFile;
  /** Copy a regular file's data into a new file (created exclusive, mode 0600). */
  copyFileData(from: string, to: string): void;
  /** fsync a directory, so that entries created or renamed in it are on disk. */
  syncDir(path: string): void;
  /** syncfs(2) of the filesystem holding `path`: reports write-back errors recorded since the last one. */
  syncFilesystem(path: string): void;
  listXattrs(path: string): string[];
  /** null when the file has no such attribute. */
  getXattr(path: string, name: string): Uint8Array | null;
  setXattr(path: string, name: string, value: Uint8Array): void;
  /**
   * An exclusive lock on `path` (created 0644 if missing) until released or the process ends;
   * null when another process holds it. Once held, the file's content becomes `content`.
   * Releasing removes the file. Refused when something other than a regular file is there.
   */
  tryLock(path: string, content: Uint8Array): HeldLock | null;

  /** A new, non-recursive bind mount of `source` on `target`. */
  bindMount(source: string, target: string): void;
  /** A new filesystem of `fstype` from `source` with `options`, mounted on `target`. */
  mountFs(
    fstype: string,
    source: string,
    target: string,
    options: readonly FsOption[],
    attrs: { readonly readonly: boolean },
  ): void;
  moveMount(source: string, target: string): void;
  setMountAttrs(target: string, attrs: MountAttrs): void;
  /** The filesystem mounted at `target` read-only or writable, for all its mounts (a superblock remount). */
  setFsReadonly(target: string, readonly: boolean): void;
  unmount(target: string, detach: boolean): void;
  /** A read-only, auto-clearing loop device over `image`; release() once it is mounted (or not needed). */
  attachLoop(image: string): { readonly device: string; release(): void };

  measureVerity(path: string): FsVerityDigest;
  ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;

  /**
   * Without an initramfs (the kernel's init on the physical root): mount a new tmpfs over / and
   * make it this process's root, with what was / attached at `physicalAt` inside it, so that
   * everything after runs as in an initramfs, without a write to the physical root.
   */
  enterTmpfsRoot(physicalAt: string, options: readonly FsOption[]): void;
  /** uname -r: this kernel's release. */
  kernelRelease(): string;
  /**
   * Load the kernel module in the file at `path` with `params` (`p=v q=w`); `compressed`: the
   * kernel decompresses it. 'present' when a module of that name is loaded already.
   */
  loadModule(path: string, params: string, compressed: boolean): 'loaded' | 'present';

  chdir(path: string): void;
  chroot(path: string): void;
  /** Replace this process; returns only by throwing. */
  execve(path: string, argv: readonly string[], env: readonly string[]): never;
  /**
   * Run a program (chrooted into `root`, if given) and wait for it, reaping every other child that
   * ends meanwhile: its exit status, 128 + signal if killed (126: it could not enter `root`).
   */
  spawn(path: string, argv: readonly string[], env: readonly string[], root?: string): number;
  sleep(seconds: number): void;
  /** Open `path` on each of fds 0-2 that is not open: how many were not. */
  fillStdio(path: string): number;
  exit(code: number): never;
}
