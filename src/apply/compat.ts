// How a mount is made on the running kernel. Each kind of mount has variants, newest first; the
// mounter tries the next one only when the kernel says it lacks what the previous one used, and
// the executor records which variant made the mount (status.json `executed[].variant`).
import { type SysError, failedWith } from '../base/errors.js';
import type { FsOption } from '../platform/system.js';
import type { FsMount } from './actions.js';

export interface FsVariant {
  readonly name: string;
  readonly options: readonly FsOption[];
  /** The kernel lacks this variant's feature (so the next one may work), judged from its error. */
  readonly unsupported: (e: SysError) => boolean;
  /** Mount a loop device over the source instead of the source itself. */
  readonly loop?: true;
}

function flagOrPair(option: string): FsOption {
  const eq = option.indexOf('=');
  return eq < 0 ? [option] : [option.slice(0, eq), option.slice(eq + 1)];
}

/** The superblock read-only too, as mount(8) -o ro makes it (the mount itself is made read-only separately). */
function common(m: FsMount): FsOption[] {
  return [...m.options.map(flagOrPair), ...(m.readonly ? [['ro'] as const] : [])];
}

/** EINVAL from fsconfig on that key, or on the create that checks the options together. */
const einvalOn = (key: string) => (e: SysError) => failedWith(e, 'EINVAL', 'fsconfig', [key, 'create']);

/** fsconfig(2) takes string values of at most 256 bytes. */
const FSCONFIG_STRING_MAX = 256;

/**
 * overlayfs. Plain overlays: one `lowerdir=A:B` string, as ostree and mount(8) pass it (and as
 * mountinfo then shows it), or one `lowerdir+` per layer when the string is longer than fsconfig
 * takes. With data-only layers (composefs), as libcomposefs does: `lowerdir+`/`datadir+` per
 * layer (Linux 6.8); else a `lowerdir=A::DATA` string (6.5); else `A:DATA` (composefs' image
 * root is opaque and whites out the object dirs, so they stay hidden).
 */
export function overlayVariants(m: FsMount): FsVariant[] {
  const o = m.overlay!;
  const dirs: FsOption[] = [
    ...(o.upper === null ? [] : [['upperdir', o.upper] as const]),
    ...(o.work === null ? [] : [['workdir', o.work] as const]),
  ];
  const rest = [...dirs, ...common(m)];
  const perLayer: FsVariant = {
    name: 'lowerdir+',
    options: [
      ...o.lower.map((l) => ['lowerdir+', l] as const),
      ...o.data.map((d) => ['datadir+', d] as const),
      ...rest,
    ],
    unsupported: einvalOn('lowerdir+'),
  };
  const joined = o.lower.join(':');
  if (o.data.length === 0) {
    return [
      joined.length <= FSCONFIG_STRING_MAX
        ? { name: 'lowerdir', options: [['lowerdir', joined], ...rest], unsupported: () => false }
        : { ...perLayer, unsupported: () => false },
    ];
  }
  return [
    perLayer,
    {
      name: 'lowerdir',
      options: [['lowerdir', `${joined}::${o.data.join(':')}`], ...rest],
      unsupported: einvalOn('lowerdir'),
    },
    {
      name: 'lowerdir-no-data-only',
      options: [['lowerdir', [...o.lower, ...o.data].join(':')], ...rest],
      unsupported: () => false,
    },
  ];
}

/** EROFS from the image file itself (Linux 6.12), else through a read-only loop device. */
export function erofsVariants(m: FsMount): FsVariant[] {
  return [
    {
      name: 'file',
      options: common(m),
      unsupported: (e) => failedWith(e, 'ENOTBLK', 'fsconfig', ['source', 'create']),
    },
    { name: 'loop', options: common(m), unsupported: () => false, loop: true },
  ];
}

export function variantsOf(m: FsMount): FsVariant[] {
  switch (m.fstype) {
    case 'overlay':
      return overlayVariants(m);
    case 'erofs':
      return erofsVariants(m);
    default:
      return [{ name: m.fstype, options: common(m), unsupported: () => false }];
  }
}
