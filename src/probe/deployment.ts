// Resolve the deployment named by the kernel command line, as ostree does (the link must exist
// and be a symlink; its target is the deployment), plus a check ostree lacks: the result must be
// a deployment directory inside SYSROOT/ostree/deploy/, so a link that escapes the physical root
// (`..`, absolute links into the initramfs, loops) cannot make us boot something else.
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { PrepareRootError } from './errors.js';
import type { OstreeTarget } from './cmdline.js';

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

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

function describeTarget(target: OstreeTarget): string {
  return target.from === 'ostree' ? `ostree=${target.path}` : `${target.path} (from ${target.from})`;
}

/** `sysroot` must already be canonical (realpath). */
export function resolveDeployment(sysroot: string, target: OstreeTarget): Deployment {
  const what = `deployment ${describeTarget(target)}`;
  const linkPath = `${sysroot}/${target.path.replace(/^\/+/, '')}`;
  let isLink: boolean;
  try {
    isLink = lstatSync(linkPath).isSymbolicLink();
  } catch (e) {
    const why = errnoOf(e) === 'ENOENT' ? `${linkPath} does not exist` : `cannot read ${linkPath}: ${(e as Error).message}`;
    throw new PrepareRootError(what, why, { cause: e });
  }
  if (!isLink) {
    throw new PrepareRootError(what,
      `${linkPath} is not a symbolic link (ostree= must name a boot link such as /ostree/boot.1/<stateroot>/<checksum>/0)`);
  }
  let path: string;
  try {
    path = realpathSync.native(linkPath);
  } catch (e) {
    const code = errnoOf(e);
    const why = code === 'ELOOP' ? `${linkPath} is part of a symbolic link loop`
      : code === 'ENOENT' ? `${linkPath} points to a deployment that does not exist`
        : `cannot resolve ${linkPath}: ${(e as Error).message}`;
    throw new PrepareRootError(what, why, { cause: e });
  }
  const deployRoot = `${sysroot === '/' ? '' : sysroot}/ostree/deploy/`;
  const parts = path.startsWith(deployRoot) ? path.slice(deployRoot.length).split('/') : [];
  if (parts.length !== 3 || parts[1] !== 'deploy') {
    throw new PrepareRootError(what,
      `${linkPath} resolves to ${path}, which is not a deployment directory ${deployRoot}<stateroot>/deploy/<name>`);
  }
  const [stateroot, , name] = parts as [string, string, string];
  const st = statSync(path, { bigint: true });
  if (!st.isDirectory()) throw new PrepareRootError(what, `${path} is not a directory`);
  const plain = lstatSync(path, { bigint: true });
  return {
    linkPath,
    path,
    relPath: `ostree/deploy/${stateroot}/deploy/${name}`,
    stateroot,
    name,
    commit: name.split('.')[0]!,
    dev: plain.dev,
    ino: plain.ino,
  };
}
