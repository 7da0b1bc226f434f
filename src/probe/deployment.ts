// Resolve the deployment named by the kernel command line, as ostree does (the link must exist
// and be a symlink; its target is the deployment), plus a check ostree lacks: the result must be
// a deployment directory inside SYSROOT/ostree/deploy/, so a link that escapes the physical root
// (`..`, absolute links into the initramfs, loops) cannot make us boot something else.
import { isSysError, PrepareRootError, reasonOf } from '../base/errors.js';
import { under } from '../base/posix-path.js';
import type { OstreeTarget } from '../config/cmdline.js';
import type { System } from '../platform/system.js';

export interface Deployment {
  /** The boot link as named on the command line, joined to SYSROOT. */
  readonly linkPath: string;
  /** Canonical absolute path of the deployment directory. */
  readonly path: string;
  /** Path relative to SYSROOT: ostree/deploy/<stateroot>/deploy/<name>. */
  readonly relPath: string;
  readonly stateroot: string;
  /** <commit>.<deployserial> */
  readonly name: string;
  readonly commit: string;
  /** st_dev/st_ino of the plain deployment dir, before anything is mounted on it. */
  readonly dev: bigint;
  readonly ino: bigint;
}

function describeTarget(target: OstreeTarget): string {
  return target.from === 'ostree' ? `ostree=${target.path}` : `${target.path} (from ${target.from})`;
}

/** glibc's dev_t encoding of a device number, as stat(2) reports st_dev (and ostree records it). */
export function encodeDev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | ((ma & ~0xfffn) << 32n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n);
}

/** `sysroot` must already be canonical (realpath). */
export function resolveDeployment(sys: System, sysroot: string, target: OstreeTarget): Deployment {
  const what = `deployment ${describeTarget(target)}`;
  const linkPath = `${sysroot === '/' ? '' : sysroot}/${target.path.replace(/^\/+/, '')}`;
  let isLink: boolean;
  try {
    isLink = sys.lstat(linkPath).kind === 'symlink';
  } catch (e) {
    const why = isSysError(e, 'ENOENT') ? `${linkPath} does not exist` : `cannot read ${linkPath}: ${reasonOf(e)}`;
    throw new PrepareRootError(what, why, { cause: e });
  }
  if (!isLink) {
    throw new PrepareRootError(
      what,
      `${linkPath} is not a symbolic link (ostree= must name a boot link such as /ostree/boot.1/<stateroot>/<checksum>/0)`,
    );
  }
  let path: string;
  try {
    path = sys.realpath(linkPath);
  } catch (e) {
    const why = isSysError(e, 'ELOOP')
      ? `${linkPath} is part of a symbolic link loop`
      : isSysError(e, 'ENOENT')
        ? `${linkPath} points to a deployment that does not exist`
        : `cannot resolve ${linkPath}: ${reasonOf(e)}`;
    throw new PrepareRootError(what, why, { cause: e });
  }
  const deployRoot = `${under(sysroot, '/ostree/deploy')}/`;
  const parts = path.startsWith(deployRoot) ? path.slice(deployRoot.length).split('/') : [];
  if (parts.length !== 3 || parts[1] !== 'deploy') {
    throw new PrepareRootError(
      what,
      `${linkPath} resolves to ${path}, which is not a deployment directory ${deployRoot}<stateroot>/deploy/<name>`,
    );
  }
  const [stateroot, , name] = parts as [string, string, string];
  const st = sys.lstat(path);
  if (st.kind !== 'dir') throw new PrepareRootError(what, `${path} is not a directory`);
  return {
    linkPath,
    path,
    relPath: `ostree/deploy/${stateroot}/deploy/${name}`,
    stateroot,
    name,
    commit: name.split('.')[0]!,
    dev: encodeDev(st.dev.major, st.dev.minor),
    ino: st.ino,
  };
}
