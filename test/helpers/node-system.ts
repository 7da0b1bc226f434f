// A System backed by Node.js, for unit tests that need real files (the product's System is
// QuickJS's). Node has no mount, xattr, fs-verity or execve calls: those throw.
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { SysError } from '../../src/base/errors.js';
import type { FileKind, FileStat, System } from '../../src/platform/system.js';
import { unavailable, withoutKernel } from './unavailable.js';

const missing = (what: string) => unavailable(what, 'Node test System');

function wrap<T>(call: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (typeof err.code !== 'string') throw e;
    // "ENOENT: no such file or directory, open '...'" → "No such file or directory"
    const text = err.message.replace(/^[A-Z0-9]+: /, '').replace(/, \w+ '.*$/, '');
    throw new SysError(call, err.code, text.charAt(0).toUpperCase() + text.slice(1));
  }
}

function kindOf(st: fs.BigIntStats): FileKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return 'socket';
}

const dev = (d: bigint) => ({
  major: Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn)),
  minor: Number((d & 0xffn) | ((d >> 12n) & ~0xffn)),
});

function toStat(st: fs.BigIntStats): FileStat {
  return {
    kind: kindOf(st),
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: Number(st.size),
    nlink: Number(st.nlink),
    dev: dev(st.dev),
    rdev: dev(st.rdev),
    ino: st.ino,
    atime: { sec: Number(st.atimeNs / 1_000_000_000n), nsec: Number(st.atimeNs % 1_000_000_000n) },
    mtime: { sec: Number(st.mtimeNs / 1_000_000_000n), nsec: Number(st.mtimeNs % 1_000_000_000n) },
    mountId: Number(st.dev),
    mountRoot: false,
  };
}

/** Up to `length` bytes at the start of `path`. */
function readStart(path: string, length: number): Uint8Array {
  const fd = fs.openSync(path, 'r');
  try {
    const head = new Uint8Array(length);
    return head.subarray(0, fs.readSync(fd, head, 0, length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

export function nodeSystem(): System {
  return {
    args: process.argv.slice(2),
    pid: process.pid,
    kernelRelease: () => os.release(),
    uid: process.getuid?.() ?? 0,
    env: () => process.env as Record<string, string>,
    writeOut: (t) => void process.stdout.write(t),
    writeErr: (t) => void process.stderr.write(t),
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
    processExists: (pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'EPERM';
      }
    },
    readFile: (p, limit) =>
      wrap(`open ${p}`, () => {
        const data = fs.readFileSync(p);
        if (data.length > limit) throw new SysError(`read ${p}`, 'EFBIG', `is larger than ${limit} bytes`);
        return new Uint8Array(data);
      }),
    readHead: (p, n) => wrap(`open ${p}`, () => readStart(p, n)),
    readDeviceHead: (p, n) => wrap(`open ${p}`, () => readStart(p, n)),
    lookupNoSymlinks(p) {
      const parts = p.split('/').filter(Boolean);
      for (let i = 1; i <= parts.length; i++) {
        let st: fs.Stats;
        try {
          st = fs.lstatSync(`/${parts.slice(0, i).join('/')}`);
        } catch {
          return 'missing';
        }
        if (st.isSymbolicLink()) return 'symlink';
      }
      return 'exists';
    },
    stat: (p) => wrap(`stat ${p}`, () => toStat(fs.statSync(p, { bigint: true }))),
    lstat: (p) => wrap(`lstat ${p}`, () => toStat(fs.lstatSync(p, { bigint: true }))),
    readdir: (p) => wrap(`readdir ${p}`, () => fs.readdirSync(p)),
    readlink: (p) => wrap(`readlink ${p}`, () => fs.readlinkSync(p)),
    realpath: (p) => wrap(`realpath ${p}`, () => fs.realpathSync.native(p)),
    statfs: (p) =>
      wrap(`statfs ${p}`, () => {
        const s = fs.statfsSync(p);
        return { type: s.type, blockSize: s.bsize, blocks: s.blocks, free: s.bfree, readonly: false };
      }),
    mkdir: (p, mode) =>
      wrap(`mkdir ${p}`, () => {
        fs.mkdirSync(p);
        fs.chmodSync(p, mode);
      }),
    rmdir: (p) => wrap(`rmdir ${p}`, () => fs.rmdirSync(p)),
    unlink: (p) => wrap(`unlink ${p}`, () => fs.unlinkSync(p)),
    rename: (a, b) => wrap(`rename ${a} ${b}`, () => fs.renameSync(a, b)),
    symlink: (t, p) => wrap(`symlink ${p}`, () => fs.symlinkSync(t, p)),
    link: (a, p) => wrap(`link ${p}`, () => fs.linkSync(a, p)),
    mknod: missing('mknod'),
    chmod: (p, mode) => wrap(`chmod ${p}`, () => fs.chmodSync(p, mode)),
    lchown: (p, u, g) => wrap(`chown ${p}`, () => fs.lchownSync(p, u, g)),
    lutimes: (p, a, m) => wrap(`utimes ${p}`, () => fs.lutimesSync(p, a.sec + a.nsec / 1e9, m.sec + m.nsec / 1e9)),
    writeFile: (p, content, { mode, exclusive }) =>
      wrap(`open ${p}`, () => {
        fs.writeFileSync(p, content, { mode, flag: exclusive ? 'wx' : 'w' });
        fs.chmodSync(p, mode);
      }),
    appendToFile: (p, content) => wrap(`open ${p}`, () => fs.appendFileSync(p, content, { flag: 'r+' })),
    createAppendable: (p, mode, content) => {
      const fd = wrap(`open ${p}`, () => fs.openSync(p, 'ax', mode));
      fs.fchmodSync(fd, mode);
      fs.writeSync(fd, content);
      return { append: (more) => void fs.writeSync(fd, more), close: () => fs.closeSync(fd) };
    },
    copyFileData: (a, b) => wrap(`copy ${a} ${b}`, () => fs.copyFileSync(a, b, fs.constants.COPYFILE_EXCL)),
    syncDir: () => undefined,
    syncFilesystem: () => undefined,
    listXattrs: missing('listxattr'),
    getXattr: missing('getxattr'),
    setXattr: missing('setxattr'),
    ...withoutKernel('Node test System'),
    ed25519Verify: (signature, message, publicKey) =>
      verify(
        null,
        message,
        createPublicKey({
          key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
          format: 'jwk',
        }),
        signature,
      ),
    chdir: (p) => process.chdir(p),
    exit: (code) => process.exit(code),
  };
}
