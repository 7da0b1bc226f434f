// An in-memory System for unit tests of the cores that walk trees (upper diff, prune, tree copy
// and removal, atomic writes, volatile state): files, directories, symlinks, device nodes,
// xattrs and hard links, with failures injectable per call. No mounts: those throw.
import { SysError } from '../../src/base/errors.js';
import {
  type DevNumber,
  type FileKind,
  type FileStat,
  type System,
  type Timespec,
  describeKind,
} from '../../src/platform/system.js';
import { unavailable, withoutKernel } from './unavailable.js';

const missing = (what: string) => unavailable(what, 'memory System');

interface Node {
  kind: FileKind;
  mode: number;
  uid: number;
  gid: number;
  mtime: Timespec;
  data: Uint8Array;
  target: string;
  rdev: DevNumber;
  xattrs: Map<string, Uint8Array>;
  children: Map<string, Node>;
  ino: bigint;
  /** Something is mounted here (for removeTree's refusal). */
  mountRoot: boolean;
  links: number;
}

let nextIno = 1n;
const enc = new TextEncoder();

function node(kind: FileKind, extra: Partial<Node> = {}): Node {
  return {
    kind,
    mode: kind === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    mtime: { sec: 0, nsec: 0 },
    data: new Uint8Array(),
    target: '',
    rdev: { major: 0, minor: 0 },
    xattrs: new Map(),
    children: new Map(),
    ino: nextIno++,
    mountRoot: false,
    links: 1,
    ...extra,
  };
}

const fail = (call: string, code: string, text: string): never => {
  throw new SysError(call, code, text);
};

export interface MemorySystem extends System {
  /** Make `call` (e.g. `rename`, `mkdir`) fail with `code` the next time it is made on `path`. */
  failNext(call: string, path: string, code?: string): void;
  /** Shortcuts for building trees. */
  file(path: string, content?: string, extra?: Partial<Node>): void;
  dir(path: string, extra?: Partial<Node>): void;
  symlinkTo(path: string, target: string): void;
  whiteout(path: string): void;
  xattr(path: string, name: string, value: string): void;
  /** Every path below `root`, sorted, as `kind path`. */
  list(root?: string): string[];
  text(path: string): string;
  /** Each module loaded, as `file params` (+ ` compressed`), in order; a load makes /sys/module/NAME. */
  readonly loads: string[];
}

export function memorySystem(): MemorySystem {
  const root = node('dir');
  const failures = new Map<string, string>();
  const check = (call: string, path: string) => {
    const code = failures.get(`${call} ${path}`);
    if (code !== undefined) {
      failures.delete(`${call} ${path}`);
      fail(`${call} ${path}`, code, `injected ${code}`);
    }
  };
  const parts = (path: string) => path.split('/').filter((p) => p !== '' && p !== '.');
  /** The node at `path`; the last component's symlink followed only with `follow`. */
  const lookup = (path: string, follow: boolean, depth = 0): Node | null => {
    if (depth > 40) fail(`lookup ${path}`, 'ELOOP', 'Too many levels of symbolic links');
    let cur = root;
    const names = parts(path);
    for (let i = 0; i < names.length; i++) {
      if (cur.kind !== 'dir') return fail(`lookup ${path}`, 'ENOTDIR', 'Not a directory');
      const next = cur.children.get(names[i]!);
      if (next === undefined) return null;
      if (next.kind === 'symlink' && (i < names.length - 1 || follow)) {
        const base = `/${names.slice(0, i).join('/')}`;
        const resolved = next.target.startsWith('/') ? next.target : `${base}/${next.target}`;
        const rest = names.slice(i + 1).join('/');
        return lookup(rest === '' ? resolved : `${resolved}/${rest}`, follow, depth + 1);
      }
      cur = next;
    }
    return cur;
  };
  const get = (call: string, path: string, follow: boolean): Node => {
    check(call, path);
    return lookup(path, follow) ?? fail(`${call} ${path}`, 'ENOENT', 'No such file or directory');
  };
  const parentOf = (call: string, path: string): [Node, string] => {
    check(call, path);
    const names = parts(path);
    const parent =
      lookup(`/${names.slice(0, -1).join('/')}`, true) ??
      fail(`${call} ${path}`, 'ENOENT', 'No such file or directory');
    if (parent.kind !== 'dir') fail(`${call} ${path}`, 'ENOTDIR', 'Not a directory');
    return [parent, names.at(-1)!];
  };
  const create = (call: string, path: string, n: Node) => {
    const [parent, name] = parentOf(call, path);
    if (parent.children.has(name)) fail(`${call} ${path}`, 'EEXIST', 'File exists');
    parent.children.set(name, n);
  };
  const stat = (n: Node): FileStat => ({
    kind: n.kind,
    mode: n.mode,
    uid: n.uid,
    gid: n.gid,
    size: n.kind === 'file' ? n.data.length : 0,
    nlink: n.links,
    dev: { major: 0, minor: 1 },
    rdev: n.rdev,
    ino: n.ino,
    atime: n.mtime,
    mtime: n.mtime,
    mountId: n.mountRoot ? 2 : 1,
    mountRoot: n.mountRoot,
  });

  const sys: MemorySystem = {
    args: [],
    pid: 4242,
    kernelRelease: () => '6.12.0-test-amd64',
    uid: 0,
    env: () => ({}),
    writeOut: () => undefined,
    writeErr: () => undefined,
    randomBytes: (n) => new Uint8Array(n),
    processExists: () => false,
    readFile(path, limit) {
      const n = get('read', path, true);
      if (n.kind !== 'file') fail(`open ${path}`, 'ENOTREG', `is ${describeKind(n.kind)}, not a regular file`);
      if (n.data.length > limit) fail(`read ${path}`, 'EFBIG', `is larger than ${limit} bytes`);
      return n.data.slice();
    },
    readHead: (path, length) => sys.readFile(path, Number.MAX_SAFE_INTEGER).subarray(0, length),
    readDeviceHead(path, length) {
      const n = get('read', path, true);
      if (n.kind !== 'block') fail(`open ${path}`, 'ENOTBLK', `is ${describeKind(n.kind)}, not a block device`);
      return n.data.slice(0, length);
    },
    lookupNoSymlinks(path) {
      const names = parts(path);
      for (let i = 1; i <= names.length; i++) {
        const n = lookup(`/${names.slice(0, i).join('/')}`, false);
        if (n === null) return 'missing';
        if (n.kind === 'symlink') return 'symlink';
      }
      return 'exists';
    },
    stat: (path) => stat(get('stat', path, true)),
    lstat: (path) => stat(get('lstat', path, false)),
    readdir(path) {
      const n = get('readdir', path, true);
      if (n.kind !== 'dir') fail(`readdir ${path}`, 'ENOTDIR', 'Not a directory');
      return [...n.children.keys()];
    },
    readlink(path) {
      const n = get('readlink', path, false);
      return n.kind === 'symlink' ? n.target : fail(`readlink ${path}`, 'EINVAL', 'Invalid argument');
    },
    realpath: (path) => path,
    statfs: () => ({ type: 0x01021994, blockSize: 4096, blocks: 1000, free: 500, readonly: false }),
    mkdir: (path, mode) => create('mkdir', path, node('dir', { mode })),
    rmdir(path) {
      const [parent, name] = parentOf('rmdir', path);
      const n = parent.children.get(name) ?? fail(`rmdir ${path}`, 'ENOENT', 'No such file or directory');
      if (n.kind !== 'dir') fail(`rmdir ${path}`, 'ENOTDIR', 'Not a directory');
      if (n.children.size > 0) fail(`rmdir ${path}`, 'ENOTEMPTY', 'Directory not empty');
      parent.children.delete(name);
    },
    unlink(path) {
      const [parent, name] = parentOf('unlink', path);
      const n = parent.children.get(name) ?? fail(`unlink ${path}`, 'ENOENT', 'No such file or directory');
      if (n.kind === 'dir') fail(`unlink ${path}`, 'EISDIR', 'Is a directory');
      parent.children.delete(name);
      n.links--;
    },
    rename(from, to, noReplace = false) {
      const [fp, fn] = parentOf('rename', from);
      const n = fp.children.get(fn) ?? fail(`rename ${from}`, 'ENOENT', 'No such file or directory');
      const [tp, tn] = parentOf('rename', to);
      if (noReplace && tp.children.has(tn)) fail(`rename ${to}`, 'EEXIST', 'File exists');
      fp.children.delete(fn);
      tp.children.set(tn, n);
    },
    symlink: (target, path) => create('symlink', path, node('symlink', { target })),
    link(existing, path) {
      const n = get('link', existing, false);
      create('link', path, n);
      n.links++;
    },
    mknod: (path, kind, mode, rdev) => create('mknod', path, node(kind, { mode, rdev })),
    chmod: (path, mode) => {
      get('chmod', path, true).mode = mode;
    },
    lchown: (path, uid, gid) => {
      const n = get('chown', path, false);
      n.uid = uid;
      n.gid = gid;
    },
    lutimes: (path, _a, m) => {
      get('utimes', path, false).mtime = m;
    },
    writeFile(path, content, { mode, exclusive }) {
      const existing = lookup(path, false);
      if (existing !== null && exclusive) fail(`open ${path}`, 'EEXIST', 'File exists');
      check('write', path);
      if (existing !== null) {
        existing.data = content.slice();
        existing.mode = mode;
        return;
      }
      create('write', path, node('file', { data: content.slice(), mode }));
    },
    createAppendable(path, mode, content) {
      this.writeFile(path, content, { mode, exclusive: true, sync: false });
      return { append: (more) => this.appendToFile(path, more), close: () => undefined };
    },
    appendToFile(path, content) {
      const n = get('write', path, true);
      const joined = new Uint8Array(n.data.length + content.length);
      joined.set(n.data);
      joined.set(content, n.data.length);
      n.data = joined;
    },
    copyFileData(from, to) {
      const n = get('copy', from, false);
      create('copy', to, node('file', { data: n.data.slice(), mode: 0o600 }));
    },
    syncDir: (path) => {
      get('fsync', path, true);
    },
    syncFilesystem: (path) => {
      get('syncfs', path, false);
    },
    listXattrs: (path) => [...get('listxattr', path, false).xattrs.keys()],
    getXattr: (path, name) => get('getxattr', path, false).xattrs.get(name) ?? null,
    setXattr: (path, name, value) => {
      get('setxattr', path, false).xattrs.set(name, value.slice());
    },
    ...withoutKernel('memory System'),
    loads: [],
    loadModule(path, params, compressed) {
      get('read', path, true);
      const name = path
        .slice(path.lastIndexOf('/') + 1)
        .replace(/\.ko(\.[a-z]+)?$/, '')
        .replaceAll('-', '_');
      if (lookup(`/sys/module/${name}`, false) !== null) return 'present';
      sys.dir(`/sys/module/${name}`);
      sys.loads.push(`${path}${params === '' ? '' : ` ${params}`}${compressed ? ' compressed' : ''}`);
      return 'loaded';
    },
    ed25519Verify: missing('ed25519'),
    chdir: () => undefined,
    exit: missing('exit'),

    failNext: (call, path, code = 'EIO') => {
      failures.set(`${call} ${path}`, code);
    },
    file(path, content = '', extra = {}) {
      sys.dir(path.slice(0, path.lastIndexOf('/')) || '/');
      const [parent, name] = parentOf('file', path);
      parent.children.set(name, node('file', { data: enc.encode(content), ...extra }));
    },
    dir(path, extra = {}) {
      let cur = root;
      for (const name of parts(path)) {
        let next = cur.children.get(name);
        if (next === undefined) {
          next = node('dir');
          cur.children.set(name, next);
        }
        cur = next;
      }
      Object.assign(cur, extra);
    },
    symlinkTo(path, target) {
      sys.dir(path.slice(0, path.lastIndexOf('/')) || '/');
      const [parent, name] = parentOf('symlink', path);
      parent.children.set(name, node('symlink', { target }));
    },
    whiteout(path) {
      sys.dir(path.slice(0, path.lastIndexOf('/')) || '/');
      const [parent, name] = parentOf('whiteout', path);
      parent.children.set(name, node('char', { rdev: { major: 0, minor: 0 } }));
    },
    xattr: (path, name, value) => {
      (lookup(path, false) ?? fail(`xattr ${path}`, 'ENOENT', 'No such file or directory')).xattrs.set(
        name,
        enc.encode(value),
      );
    },
    list(at = '/') {
      const out: string[] = [];
      const walk = (n: Node, p: string) => {
        for (const [name, child] of n.children) {
          const cp = `${p === '/' ? '' : p}/${name}`;
          out.push(`${child.kind} ${cp}`);
          if (child.kind === 'dir') walk(child, cp);
        }
      };
      const start = lookup(at, true);
      if (start !== null) walk(start, at);
      return out.sort();
    },
    text: (path) => new TextDecoder().decode(sys.readFile(path, Number.MAX_SAFE_INTEGER)),
  };
  return sys;
}
