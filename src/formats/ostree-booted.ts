// /run/ostree-booted decoded for humans and JSON: the a{sv} dictionary ostree-prepare-root
// writes (and we write byte for byte), with u64 pairs as decimal strings.
import { toHex } from '../base/text.js';
import { type VarDict, parseVarDict } from './gvariant.js';

export function describeMetadata(entries: VarDict): Record<string, unknown> {
  return Object.fromEntries(
    entries.map(([k, v]) => {
      switch (v.type) {
        case '(tt)':
          return [k, v.value.map(String)];
        case 'other':
          return [k, { signature: v.signature, hex: toHex(v.bytes) }];
        default:
          return [k, v.value];
      }
    }),
  );
}

export function decodeOstreeBooted(bytes: Uint8Array): Record<string, unknown> {
  return describeMetadata(parseVarDict(bytes));
}
