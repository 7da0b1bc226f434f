// composefs `signed`: the commit behind the deployment must carry an ed25519 signature (ostree
// sign, detached metadata key ostree.sign.ed25519, over the raw .commit object bytes) made by one
// of the initramfs's public keys, and its metadata must name the composefs image's fs-verity
// digest (ostree.composefs.digest.v0). The ed25519 check itself is the System's (libsodium in the
// executable); the rest is pure but for the reads of `load`.
import { PrepareRootError, reasonOf } from '../base/errors.js';
import { COMMIT_OBJECT_MAX } from '../base/limits.js';
import { fromBase64, toHex } from '../base/text.js';
import { readOptional } from '../fs/files.js';
import { parseArrayOfVariable, parseCommitHead, parseVarDict } from '../formats/gvariant.js';
import type { System } from '../platform/system.js';

export const SIGNATURE_KEY = 'ostree.sign.ed25519';
export const DIGEST_KEY = 'ostree.composefs.digest.v0';
/** bootc images: their commits are derived from a signed base commit. */
const BOOTC_IMAGE_CONFIG_KEY = 'ostree.container.image-config';

/** Public keys: one base64 key a line, empty lines skipped; each must decode to 32 bytes. */
export function parsePublicKeys(text: string, keypath: string): Uint8Array[] {
  const keys: Uint8Array[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const key = fromBase64(line.trim());
    if (key === null || key.length !== 32) {
      const decoded = key === null ? 'this is not base64' : `this decodes to ${key.length}`;
      throw new PrepareRootError(
        { file: keypath, line: i + 1 },
        `not an ed25519 public key (base64 of 32 bytes; ${decoded})`,
      );
    }
    keys.push(key);
  });
  if (keys.length === 0)
    throw new PrepareRootError({ path: keypath }, 'no public keys in the file (one base64 ed25519 key a line)');
  return keys;
}

export interface CommitObjects {
  readonly checksum: string;
  readonly commit: Uint8Array;
  /** Detached metadata (.commitmeta), null when absent. */
  readonly commitmeta: Uint8Array | null;
}

export interface Verified {
  /** The commit whose signature matched (the deployment's, or the bootc base commit). */
  readonly checksum: string;
  /** Expected fs-verity digest of the composefs image, hex. */
  readonly digest: string;
}

/** ed25519: signature, message, public key → valid. */
export type Ed25519Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/**
 * Verify the deployment's commit (or, for a bootc-derived commit without detached metadata, its
 * base commit). `load(checksum)` reads a commit and its detached metadata; `keys` come from the
 * initramfs. Returns which commit matched and the digest it pins.
 */
export function verifyCommit(
  checksum: string,
  keys: readonly Uint8Array[],
  load: (checksum: string) => CommitObjects | null,
  ed25519Verify: Ed25519Verify,
): Verified {
  const main = load(checksum);
  if (main === null)
    throw new PrepareRootError(`commit ${checksum}`, 'the commit object is missing from the repository');
  let chosen = main;
  if (main.commitmeta === null) {
    const { metadata, parent } = parseCommitHead(main.commit);
    const isBootc = parseVarDict(metadata).some(([k, v]) => k === BOOTC_IMAGE_CONFIG_KEY && v.type === 's');
    const base = isBootc && parent.length === 32 ? load(toHex(parent)) : null;
    if (base === null || base.commitmeta === null) {
      throw new PrepareRootError(
        `commit ${checksum}`,
        `no detached metadata (.commitmeta), so no signature${isBootc ? ', and no signed bootc base commit' : ''}`,
      );
    }
    chosen = base;
  }
  const signatures = parseVarDict(chosen.commitmeta!).find(([k]) => k === SIGNATURE_KEY)?.[1];
  if (signatures === undefined)
    throw new PrepareRootError(`commit ${chosen.checksum}`, `no ${SIGNATURE_KEY} signatures in its detached metadata`);
  if (signatures.type !== 'other' || signatures.signature !== 'aay') {
    throw new PrepareRootError(`commit ${chosen.checksum}`, `${SIGNATURE_KEY} is not of type aay`);
  }
  const list = parseArrayOfVariable(signatures.bytes, SIGNATURE_KEY);
  const bad = list.findIndex((s) => s.length !== 64);
  if (bad >= 0)
    throw new PrepareRootError(
      `commit ${chosen.checksum}`,
      `signature ${bad + 1} of ${list.length} is ${list[bad]!.length} bytes, not an ed25519 signature (64)`,
    );
  const valid = keys.some((key) => list.some((sig) => ed25519Verify(sig, chosen.commit, key)));
  if (!valid) {
    throw new PrepareRootError(
      `commit ${chosen.checksum}`,
      `none of its ${list.length} signature${list.length === 1 ? '' : 's'} verifies with the ${keys.length} trusted key${keys.length === 1 ? '' : 's'}`,
    );
  }
  const { metadata } = parseCommitHead(chosen.commit);
  const digest = parseVarDict(metadata).find(([k]) => k === DIGEST_KEY)?.[1];
  if (digest === undefined)
    throw new PrepareRootError(
      `commit ${chosen.checksum}`,
      `no ${DIGEST_KEY} in its metadata: the composefs image cannot be bound to it`,
    );
  if (digest.type !== 'other' || digest.signature !== 'ay' || digest.bytes.length !== 32) {
    throw new PrepareRootError(`commit ${chosen.checksum}`, `${DIGEST_KEY} is not a 32-byte fs-verity digest`);
  }
  return { checksum: chosen.checksum, digest: toHex(digest.bytes) };
}

/** Commit objects from a bare repository's objects dir. */
export function repoLoader(sys: System, objectsDir: string): (checksum: string) => CommitObjects | null {
  const read = (p: string): Uint8Array | null => {
    try {
      return readOptional(sys, p, COMMIT_OBJECT_MAX);
    } catch (e) {
      throw new PrepareRootError(p, `cannot read: ${reasonOf(e)}`, { cause: e });
    }
  };
  return (checksum) => {
    const base = `${objectsDir}/${checksum.slice(0, 2)}/${checksum.slice(2)}`;
    const commit = read(`${base}.commit`);
    return commit === null ? null : { checksum, commit, commitmeta: read(`${base}.commitmeta`) };
  };
}
