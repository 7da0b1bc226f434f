import { describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig, resolveConfigParts } from '../../../src/config/config.js';
import { PrepareRootError } from '../../../src/base/errors.js';
import { swapFiles } from '../../../src/formats/fstab.js';

const USR = '/usr/lib/ostree/prepare-root.conf';
const ETC = '/etc/ostree/prepare-root.conf';

function resolve(text: string | null, cmdline = '') {
  return resolveConfig(loadConfig(text === null ? [] : [{ path: ETC, data: text }]), cmdline).config;
}

describe('resolveConfig', () => {
  it("no config: every default, an ostree boot's keys only", () => {
    expect(resolve(null)).toEqual({
      kind: 'ostree',
      file: null,
      composefs: { mode: 'off', keypath: '/etc/ostree/initramfs-root-binding.key' },
      sysrootReadonly: null,
      rootMode: 'persistent',
      rootKarg: null,
      transientSize: null,
      etcTransient: { ok: true, value: false },
      persistPaths: [],
      overlays: [],
    });
    expect(resolveConfig(loadConfig([]), '').warnings).toEqual([]);
  });

  it("no config on a plain root: every default, a plain root's keys only", () => {
    expect(resolveConfig(loadConfig([]), 'root=/dev/vda', 'plain').config).toEqual({
      kind: 'plain',
      file: null,
      rootMode: 'persistent',
      rootKarg: null,
      transientSize: null,
      upperDevice: null,
      resetUpper: false,
      etcTransient: false,
      varTransient: false,
      persistPaths: [],
      overlays: [],
    });
  });

  it.each([
    ['[sysroot]\nreadonly=true\n', { sysrootReadonly: true }],
    ['[sysroot]\nreadonly = 0\n', { sysrootReadonly: false }],
    ['[sysroot]\nreadonly=1   \n', { sysrootReadonly: true }],
    ['[root]\ntransient=true\n', { rootMode: 'transient' }],
    ['[root]\ntransient-ro=true\n', { rootMode: 'transient-ro' }],
    ['[root]\ntransient=true\ntransient-size=2G\n', { transientSize: '2G' }],
    ['[root]\ntransient=true\ntransient-size=50%\n', { transientSize: '50%' }],
    ['[etc]\ntransient=true\n', { etcTransient: { ok: true, value: true } }],
  ])('%j', (text, expected) => {
    expect(resolve(text)).toMatchObject(expected);
  });

  it.each([
    ['maybe', { mode: 'maybe', integrity: 'none' }],
    [' yes ', { mode: 'on', integrity: 'none' }],
    ['false', { mode: 'off' }],
    ['verity', { mode: 'on', integrity: 'verity' }],
    ['signed', { mode: 'on', integrity: 'signed' }],
  ])('composefs.enabled=%j', (value, expected) => {
    expect(resolve(`[composefs]\nenabled=${value}\n`).composefs).toMatchObject(expected);
  });

  it.each([
    ['', 'signed', { mode: 'on', integrity: 'signed' }],
    ['signed', '0', { mode: 'off' }],
    ['signed', '1', { mode: 'on', integrity: 'verity' }],
    ['no', 'maybe', { mode: 'maybe', integrity: 'none' }],
  ])('config %j + karg composefs=%j', (config, karg, expected) => {
    const text = config === '' ? null : `[composefs]\nenabled=${config}\n`;
    expect(resolve(text, `ostree=/x ostree.prepare-root.composefs=${karg}`).composefs).toMatchObject(expected);
  });

  it.each([
    ['[sysroot]\nreadonly=yes\n', 2, 'sysroot.readonly: value “yes” is not a boolean (use true/false/1/0)'],
    ['[root]\ntransient=True\n', 2, 'root.transient: value “True” is not a boolean (use true/false/1/0)'],
    [
      '[composefs]\nenabled=bogus\n',
      2,
      'composefs.enabled: invalid value “bogus” (use yes, no, maybe, verity or signed)',
    ],
    [
      '[composefs]\nenabled=signed \n',
      2,
      'composefs.enabled: invalid value “signed ” (use yes, no, maybe, verity or signed)',
    ],
    [
      '[root]\ntransient=true\ntransient-ro=true\n',
      3,
      'root.transient and root.transient-ro cannot both be set (transient-ro already implies a transient root)',
    ],
    [
      '[root]\ntransient=1\ntransient-size=lots\n',
      3,
      'root.transient-size: invalid size “lots” (use e.g. 2G, 512M or 50%)',
    ],
    [
      '[root]\ntransient=1\ntransient-size=150%\n',
      3,
      'root.transient-size: invalid size “150%” (use e.g. 2G, 512M or 50%)',
    ],
  ])('%j is refused with file:line', (text, line, why) => {
    expect(() => resolve(text)).toThrow(new PrepareRootError({ file: ETC, line }, why));
  });

  it('refuses karg composefs=verity, naming the karg', () => {
    expect(() => resolve(null, 'ostree.prepare-root.composefs=verity')).toThrow(
      new PrepareRootError(
        'kernel argument ostree.prepare-root.composefs',
        'invalid value “verity” (use yes, no, maybe or signed; “verity” is only valid in the config)',
      ),
    );
  });

  it('keeps a bad etc.transient for later: ostree only reads it when /etc is mounted', () => {
    const c = resolve('[etc]\ntransient=maybe\n');
    expect(c.etcTransient).toEqual({
      ok: false,
      error: new PrepareRootError(
        { file: ETC, line: 2 },
        'etc.transient: value “maybe” is not a boolean (use true/false/1/0)',
      ),
    });
  });
});

describe('plain roots', () => {
  const PLAIN = '/etc/prepare-root/prepare-root.conf';
  const plain = (text: string, cmdline = '') =>
    resolveConfig(loadConfig([{ path: PLAIN, data: text }]), cmdline, 'plain');

  it('rd.prepare-root= names the root mode for this boot, over the config', () => {
    expect(plain('[root]\ntransient=true\n', 'rd.prepare-root=transient-ro').config).toMatchObject({
      rootMode: 'transient-ro',
      rootKarg: 'transient-ro',
    });
    expect(plain('[root]\ntransient=true\n', 'rd.prepare-root=off').config).toMatchObject({
      rootMode: 'transient',
      rootKarg: 'off',
    });
    expect(() => plain('', 'rd.prepare-root=yes')).toThrow(
      new PrepareRootError(
        'kernel argument rd.prepare-root',
        'invalid value “yes” (use transient, transient-ro or off)',
      ),
    );
  });

  it('root.upper-device: a device spec, only with root.transient, ext4 unless upper-fstype says', () => {
    expect(plain('[root]\ntransient=true\nupper-device=LABEL=data\nupper-fstype=xfs\n').config.upperDevice).toEqual({
      spec: 'LABEL=data',
      fstype: 'xfs',
    });
    expect(plain('[root]\ntransient=true\nupper-device=/dev/vdb2\n', 'rd.prepare-root.reset').config).toMatchObject({
      upperDevice: { spec: '/dev/vdb2', fstype: 'ext4' },
      resetUpper: true,
    });
    expect(() => plain('[root]\ntransient=true\nupper-device=/dev/../etc/x\n')).toThrow(
      'root.upper-device: “/dev/../etc/x” is not a device (use LABEL=, UUID=, PARTUUID=, PARTLABEL= or a /dev path)',
    );
    expect(() => plain('[root]\nupper-device=LABEL=data\n')).toThrow(
      "root.upper-device needs root.transient=true (it holds that overlay's upper)",
    );
  });

  it('warns about keys that do nothing for that kind of boot', () => {
    expect(plain('[sysroot]\nreadonly=true\n[var]\ntransient=true\n').warnings).toEqual([
      { where: `${PLAIN}:2`, line: 2, message: 'sysroot.readonly has no effect on a plain root (no ostree=)' },
    ]);
    expect(resolveConfig(loadConfig([{ path: ETC, data: '[var]\ntransient=true\n' }]), '').warnings).toEqual([
      { where: `${ETC}:2`, line: 2, message: 'var.transient has no effect on an ostree boot' },
    ]);
  });

  it("checks the values of another kind's keys: they do nothing there, but a wrong value is still wrong", () => {
    expect(() => plain('[composefs]\nenabled=perhaps\n')).toThrow(
      'composefs.enabled: invalid value “perhaps” (use yes, no, maybe, verity or signed)',
    );
    expect(() => plain('[sysroot]\nreadonly=yes\n')).toThrow(
      'sysroot.readonly: value “yes” is not a boolean (use true/false/1/0)',
    );
    expect(() => resolveConfig(loadConfig([{ path: ETC, data: '[var]\ntransient=maybe\n' }]), '')).toThrow(
      'var.transient: value “maybe” is not a boolean (use true/false/1/0)',
    );
    // What ties a key to its own kind's modes is not checked elsewhere: upper-device needs a
    // transient plain root, and on an ostree boot it is only a key that does nothing.
    expect(resolveConfig(loadConfig([{ path: ETC, data: '[root]\nupper-device=LABEL=x\n' }]), '').warnings).toEqual([
      { where: `${ETC}:2`, line: 2, message: 'root.upper-device has no effect on an ostree boot' },
    ]);
  });

  it('allows persisted paths under /var only when /var is transient', () => {
    expect(plain('[var]\ntransient=true\n[persist]\npaths=/var/lib/docker\n').config.persistPaths).toEqual([
      '/var/lib/docker',
    ]);
    expect(() => plain('[persist]\npaths=/var/lib/docker\n')).toThrow(
      'persist.paths: “/var/lib/docker” is under /var, which already persists',
    );
  });
});

describe('fstab swap files', () => {
  it('lists swap entries that are files, with fstab escapes, and skips devices and comments', () => {
    expect(
      swapFiles(
        [
          '# /swap.img none swap sw 0 0',
          'UUID=1234 none swap sw 0 0',
          '/dev/vda2 none swap sw 0 0',
          '/swap.img\tnone swap sw 0 0',
          '/my\\040swap none swap defaults 0 0',
          'LABEL=root / ext4 defaults 0 1',
          '/var/swap none swap',
        ].join('\n'),
      ),
    ).toEqual(['/swap.img', '/my swap', '/var/swap']);
  });
});

describe('[persist] paths', () => {
  it.each([
    ['/etc/ssh', ['/etc/ssh']],
    ['/etc/ssh;/opt/app/data;/root;', ['/etc/ssh', '/opt/app/data', '/root']],
    ['/srv/a\\;b;/srv/c\\sd', ['/srv/a;b', '/srv/c d']],
    ['', []],
  ])('%j', (value, expected) => {
    expect(resolve(`[persist]\npaths=${value}\n`).persistPaths).toEqual(expected);
  });

  it.each([
    ['etc/ssh', '“etc/ssh” is not an absolute path'],
    ['/', '“/” is the whole root (use a persistent root instead)'],
    ['/etc//ssh', '“/etc//ssh” is not in normal form (/etc/ssh)'],
    ['/etc/ssh/', '“/etc/ssh/” is not in normal form (/etc/ssh)'],
    ['/etc/../var/x', '“/etc/../var/x” is not in normal form (/var/x)'],
    ['/var/lib/app', '“/var/lib/app” is under /var, which already persists'],
    ['/var', '“/var” is under /var, which already persists'],
    ['/run/x', '“/run/x” is under /run, which is not part of the root image'],
    ['/etc/ssh;/etc/ssh', '“/etc/ssh” is listed twice'],
    ['/etc;/etc/ssh', '“/etc” and “/etc/ssh” overlap: persist only the outer one'],
  ])('%j is refused', (value, why) => {
    expect(() => resolve(`[persist]\npaths=${value}\n`)).toThrow(
      new PrepareRootError({ file: ETC, line: 2 }, `persist.paths: ${why}`),
    );
  });
});

describe('loadConfig', () => {
  it('/etc replaces /usr/lib wholesale and says what was lost: the keys /etc does not set', () => {
    const loaded = loadConfig([
      { path: USR, data: '[sysroot]\nreadonly=true\n[etc]\ntransient=true\n[root]\ntransient=false\n' },
      { path: ETC, data: '[root]\ntransient=true\n' },
    ]);
    const { config: c, warnings } = resolveConfig(loaded, '');
    expect(c.file).toBe(ETC);
    expect(c.sysrootReadonly).toBeNull();
    expect(c.rootMode).toBe('transient');
    expect(warnings).toEqual([
      {
        where: USR,
        message: `ignored entirely because ${ETC} exists (no key-level merge, as in ostree); not set there, so lost: sysroot.readonly, etc.transient`,
      },
    ]);
  });

  it("ostree's own pattern, an /etc copy of the vendor file with a key added: nothing lost, no warning", () => {
    const loaded = loadConfig([
      { path: USR, data: '[composefs]\nenabled=true\n' },
      { path: ETC, data: '[composefs]\nenabled=true\n[root]\ntransient-ro=true\n' },
    ]);
    expect(resolveConfig(loaded, '').warnings).toEqual([]);
  });

  it('an empty /etc file still wipes /usr/lib settings', () => {
    const c = resolveConfig(
      loadConfig([
        { path: USR, data: '[sysroot]\nreadonly=true\n' },
        { path: ETC, data: '' },
      ]),
      '',
    ).config;
    expect(c.sysrootReadonly).toBeNull();
  });

  it('a syntax error in the shadowed /usr/lib file is still fatal (GLib parses both)', () => {
    expect(() =>
      loadConfig([
        { path: USR, data: 'garbage\n' },
        { path: ETC, data: '' },
      ]),
    ).toThrow(PrepareRootError);
  });

  it.each([
    [
      '[sysroot]\nread-only=true\n',
      `${ETC}:2`,
      'unknown key sysroot.read-only is ignored (did you mean sysroot.readonly?)',
    ],
    ['[root]\ntransent=true\n', `${ETC}:2`, 'unknown key root.transent is ignored (did you mean root.transient?)'],
    [
      '[composefs]\nkeyfile=/k\n',
      `${ETC}:2`,
      'unknown key composefs.keyfile is ignored (did you mean composefs.keypath?)',
    ],
    [
      '[systemroot]\nreadonly=true\n',
      `${ETC}:2`,
      'unknown group [systemroot] is ignored (did you mean sysroot.readonly?)',
    ],
    ['[zzz]\nqqqqqqqq=1\n', `${ETC}:2`, 'unknown group [zzz] is ignored'],
  ])('an ostree boot warns about unknown keys (ostree ignores them): %j', (text, where, message) => {
    const { resolved, errors } = resolveConfigParts(loadConfig([{ path: ETC, data: text }]), '', 'ostree');
    expect(errors).toEqual([]);
    // Every case is on line 2; the number is there too, for the linter's file order.
    expect(resolved?.warnings).toEqual([{ where, line: 2, message }]);
  });

  it.each([
    ['[root]\ntransiet=true\n', `${ETC}:2: unknown key root.transiet (did you mean root.transient?)`],
    ['[roots]\ntransient=true\n', `${ETC}:2: unknown group [roots] (did you mean root.transient?)`],
  ])('a plain root fails on an unknown key or group, which would boot it writable: %j', (text, what) => {
    const { resolved, errors } = resolveConfigParts(loadConfig([{ path: ETC, data: text }]), '', 'plain');
    expect(resolved).toBeNull();
    expect(errors.map((e) => e.message)).toEqual([`${what}: a plain root boots only a config it fully understands`]);
  });

  it('the linter (strict) makes an unknown key an error in an ostree config too', () => {
    const loaded = loadConfig([{ path: ETC, data: '[root]\ntransent=true\n' }]);
    const { errors } = resolveConfigParts(loaded, '', 'ostree', true);
    expect(errors.map((e) => e.message)).toEqual([
      `${ETC}:2: unknown key root.transent (did you mean root.transient?): a boot would ignore it`,
    ]);
  });
});
