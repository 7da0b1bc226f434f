// What the deployment's composefs image (.ostree.cfs) is, read before anything is mounted: absent,
// or its libcomposefs header (little-endian u32 magic 0xd078629a, u32 version 1, u32 flags with
// bit 0 = the image carries ACLs).
import { messageOf } from '../base/errors.js';
import { isMissing } from '../fs/files.js';
import type { System } from '../platform/system.js';

export const COMPOSEFS_IMAGE = '.ostree.cfs';
const MAGIC = 0xd078629a;
const HEADER_SIZE = 32;

export type ComposefsImage =
  | { readonly state: 'absent'; readonly path: string }
  | { readonly state: 'valid'; readonly path: string; readonly hasAcl: boolean }
  | { readonly state: 'invalid'; readonly path: string; readonly reason: string };

export function parseComposefsHeader(header: Uint8Array): { hasAcl: boolean } | string {
  if (header.length < HEADER_SIZE) return `too short for a composefs header (${header.length} bytes)`;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== MAGIC)
    return `bad composefs magic 0x${magic.toString(16).padStart(8, '0')} (expected 0x${MAGIC.toString(16)})`;
  const version = view.getUint32(4, true);
  if (version !== 1) return `unsupported composefs header version ${version} (expected 1)`;
  return { hasAcl: (view.getUint32(8, true) & 1) === 1 };
}

export function probeComposefsImage(sys: System, deploymentPath: string): ComposefsImage {
  const path = `${deploymentPath}/${COMPOSEFS_IMAGE}`;
  let header: Uint8Array;
  try {
    header = sys.readHead(path, HEADER_SIZE);
  } catch (e) {
    if (isMissing(e)) return { state: 'absent', path };
    return { state: 'invalid', path, reason: messageOf(e) };
  }
  const parsed = parseComposefsHeader(header);
  return typeof parsed === 'string' ? { state: 'invalid', path, reason: parsed } : { state: 'valid', path, ...parsed };
}
