// Signed composefs checks on real objects: commits made by `ostree commit` (with the composefs
// digest in their metadata), signed as `ostree sign` does (test/harness/sign-commit.sh), keys
// generated here. Each broken input is refused with its own message.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrepareRootError, type Where } from '../../src/base/errors.js';
import { parsePublicKeys, repoLoader, verifyCommit } from '../../src/probe/signature.js';
import { nodeSystem } from '../helpers/node-system.js';

const sys = nodeSystem();

const SIGN = path.resolve(import.meta.dirname, '../harness/sign-commit.sh');
const DIGEST = Buffer.alloc(32, 0xab);
const gvBytes = (b: Buffer) => `[${[...b].map((x) => `byte 0x${x.toString(16).padStart(2, '0')}`).join(', ')}]`;

let W: string;
const sh = (cmd: string) => {
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', cwd: W });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout.trim();
};
// Every commit unique (same tree and metadata within one second would give the same checksum),
// and no branch: updating one ref many times a second made ostree report it "not unique".
let serial = 0;
const commit = (...args: string[]) =>
  sh(
    `ostree --repo=repo commit --orphan --tree=dir=tree --subject=s --add-metadata-string=test.serial=${++serial} ${args.join(' ')}`,
  );
const sign = (c: string, secret = 'secret') => sh(`bash ${SIGN} repo ${c} ${secret} ${secret}.pub`);
const keys = (secret = 'secret') =>
  parsePublicKeys(readFileSync(path.join(W, `${secret}.pub`), 'utf8'), `${secret}.pub`);
const verify = (c: string, k = keys()) =>
  verifyCommit(c, k, repoLoader(sys, path.join(W, 'repo/objects')), sys.ed25519Verify);

beforeAll(() => {
  W = mkdtempSync(path.join(tmpdir(), 'prepare-root-sign-'));
  sh('ostree --repo=repo init --mode=bare-user && mkdir -p tree/usr && echo hi > tree/usr/x');
});
afterAll(() => rmSync(W, { recursive: true, force: true }));

describe('verifyCommit', () => {
  it('a signed commit: returns the digest it pins', () => {
    const c = commit(`--add-metadata=ostree.composefs.digest.v0='${gvBytes(DIGEST)}'`);
    sign(c);
    expect(verify(c)).toEqual({ checksum: c, digest: DIGEST.toString('hex') });
  });

  it('a signature by another key is refused', () => {
    const c = commit(`--add-metadata=ostree.composefs.digest.v0='${gvBytes(DIGEST)}'`);
    sign(c, 'other');
    expect(() => verify(c)).toThrow(
      new PrepareRootError(`commit ${c}`, 'none of its 1 signature verifies with the 1 trusted key'),
    );
  });

  it('a corrupted signature is refused', () => {
    const c = commit(`--add-metadata=ostree.composefs.digest.v0='${gvBytes(DIGEST)}'`);
    sign(c);
    const meta = path.join(W, 'repo/objects', c.slice(0, 2), `${c.slice(2)}.commitmeta`);
    const bytes = readFileSync(meta);
    bytes[30]! ^= 0xff; // inside the signature (the value starts after the 24-byte padded key)
    writeFileSync(meta, bytes);
    expect(() => verify(c)).toThrow(
      new PrepareRootError(`commit ${c}`, 'none of its 1 signature verifies with the 1 trusted key'),
    );
  });

  it('an unsigned commit (no .commitmeta) is refused', () => {
    const c = commit(`--add-metadata=ostree.composefs.digest.v0='${gvBytes(DIGEST)}'`);
    expect(() => verify(c)).toThrow(
      new PrepareRootError(`commit ${c}`, 'no detached metadata (.commitmeta), so no signature'),
    );
  });

  it('a signed commit without the composefs digest is refused', () => {
    const c = commit();
    sign(c);
    expect(() => verify(c)).toThrow(
      new PrepareRootError(
        `commit ${c}`,
        'no ostree.composefs.digest.v0 in its metadata: the composefs image cannot be bound to it',
      ),
    );
  });

  it('a digest of the wrong length is refused', () => {
    const c = commit(`--add-metadata=ostree.composefs.digest.v0='${gvBytes(DIGEST.subarray(0, 16))}'`);
    sign(c);
    expect(() => verify(c)).toThrow(
      new PrepareRootError(`commit ${c}`, 'ostree.composefs.digest.v0 is not a 32-byte fs-verity digest'),
    );
  });

  it('a missing commit object is refused', () => {
    expect(() => verify('00'.repeat(32))).toThrow(
      new PrepareRootError(`commit ${'00'.repeat(32)}`, 'the commit object is missing from the repository'),
    );
  });

  it('bootc: an unsigned derived commit is accepted through its signed base commit', () => {
    const base = commit(`--add-metadata=ostree.composefs.digest.v0='${gvBytes(DIGEST)}'`);
    sign(base);
    const derived = commit(`--parent=${base}`, '--add-metadata-string=ostree.container.image-config={}');
    expect(verify(derived)).toEqual({ checksum: base, digest: DIGEST.toString('hex') });
  });

  it('bootc: without a signed base commit it is refused', () => {
    const base = commit();
    const derived = commit(`--parent=${base}`, '--add-metadata-string=ostree.container.image-config={}');
    expect(() => verify(derived)).toThrow(
      new PrepareRootError(
        `commit ${derived}`,
        'no detached metadata (.commitmeta), so no signature, and no signed bootc base commit',
      ),
    );
  });
});

describe('parsePublicKeys', () => {
  it.each<[string, Where, string]>([
    ['', { path: 'k' }, 'no public keys in the file (one base64 ed25519 key a line)'],
    [
      `${Buffer.alloc(31).toString('base64')}\n`,
      { file: 'k', line: 1 },
      'not an ed25519 public key (base64 of 32 bytes; this decodes to 31)',
    ],
    ['not base64!\n', { file: 'k', line: 1 }, 'not an ed25519 public key (base64 of 32 bytes; this is not base64)'],
  ])('%j is refused', (text, where, why) => {
    expect(() => parsePublicKeys(text, 'k')).toThrow(new PrepareRootError(where, why));
    expect(() => parsePublicKeys(text, 'k')).toThrow(expect.objectContaining({ where }));
  });

  it('several keys, blank lines skipped: any of them may have signed', () => {
    const c = commit(`--add-metadata=ostree.composefs.digest.v0='${gvBytes(DIGEST)}'`);
    sign(c, 'second');
    const text = `${readFileSync(path.join(W, 'secret.pub'), 'utf8')}\n${readFileSync(path.join(W, 'second.pub'), 'utf8')}`;
    expect(verify(c, parsePublicKeys(text, 'k')).checksum).toBe(c);
  });
});
