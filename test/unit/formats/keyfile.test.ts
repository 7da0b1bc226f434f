import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrepareRootError } from '../../../src/base/errors.js';
import { parseBooleanValue, parseKeyFile, unescapeStringValue } from '../../../src/formats/keyfile.js';

const F = '/etc/ostree/prepare-root.conf';

/** { group: { key: [value, line] } } for exact comparisons. */
function groups(text: string | Uint8Array) {
  const kf = parseKeyFile(text, F);
  return Object.fromEntries(
    [...kf.groups].map(([g, keys]) => [g, Object.fromEntries([...keys].map(([k, e]) => [k, [e.value, e.line]]))]),
  );
}

function bytesOf(...parts: Array<string | number[]>): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p)] : p)));
}

describe('parseKeyFile', () => {
  // Each expectation below was checked against GLib 2.74's g_key_file_load_from_data.
  it.each<[string, string, object]>([
    ['empty file', '', {}],
    ['comments and blank lines only', '# only a comment\n\n  \t\n', {}],
    ['one key', '[sysroot]\nreadonly=true\n', { sysroot: { readonly: ['true', 2] } }],
    ['no final newline', '[sysroot]\nreadonly=true', { sysroot: { readonly: ['true', 2] } }],
    [
      'spaces around everything; trailing space of a value kept',
      '  [sysroot]  \n  readonly  =   true  \n',
      { sysroot: { readonly: ['true  ', 2] } },
    ],
    ['tab and space after ]', '[a]\t \nk=v\n', { a: { k: ['v', 2] } }],
    ['indented comment', '[a]\n   # k=v\n', { a: {} }],
    ['CRLF line ends', '[a]\r\nk=v\r\n', { a: { k: ['v', 2] } }],
    ['a \\r at the very end is kept (no \\n follows)', '[a]\r\nk=v\r', { a: { k: ['v\r', 2] } }],
    ['only one \\r is dropped', '[a]\nk=v\r\r\n', { a: { k: ['v\r', 2] } }],
    [
      'duplicate groups merge, last key wins',
      '[a]\nk=1\n[b]\nx=y\n[a]\nk=2\n',
      { a: { k: ['2', 6] }, b: { x: ['y', 4] } },
    ],
    ['empty value', '[a]\nk=\n', { a: { k: ['', 2] } }],
    ['= and # inside a value', '[a]\nk=v=w # not a comment\n', { a: { k: ['v=w # not a comment', 2] } }],
    ['locale suffix', '[a]\nName[de_DE.UTF-8@euro]=x\n', { a: { 'Name[de_DE.UTF-8@euro]': ['x', 2] } }],
    ['empty and non-ASCII locale', '[a]\nk[]=x\nk[é١]=y\n', { a: { 'k[]': ['x', 2], 'k[é١]': ['y', 3] } }],
    ['space inside a key', '[a]\nk ey=v\n', { a: { 'k ey': ['v', 2] } }],
    ['group name with spaces and UTF-8', '[group with spaces ü]\nk=v', { 'group with spaces ü': { k: ['v', 2] } }],
    ['\\f is whitespace', '\f[a]\nk\f=\fv\n', { a: { k: ['v', 2] } }],
    ['\\v is not whitespace for GLib', '[a]\nk\v=\vv\n', { a: { 'k\v': ['\vv', 2] } }],
    ['empty group', '[a]\n[b]\nk=v\n', { a: {}, b: { k: ['v', 3] } }],
  ])('%s', (_, text, expected) => {
    expect(groups(text)).toEqual(expected);
  });

  it('keeps groups in first-header order and records where each starts', () => {
    const kf = parseKeyFile('# c\n[b]\nx=1\n[a]\n[b]\ny=2\n', F);
    expect([...kf.groups.keys()]).toEqual(['b', 'a']);
    expect([...kf.groups.get('b')!.keys()]).toEqual(['x', 'y']);
    expect(kf.groupLines).toEqual(
      new Map([
        ['b', 2],
        ['a', 4],
      ]),
    );
    expect(kf.file).toBe(F);
  });

  it('parses bytes like the same text', () => {
    expect(groups(bytesOf('[a]\r\nk= ü \n'))).toEqual({ a: { k: ['ü ', 2] } });
  });

  const notKv = (line: string) => `Key file contains line “${line}” which is not a key-value pair, group, or comment`;
  it.each<[string, string, number, string]>([
    ['a bare word', 'garbage\n', 1, notKv('garbage')],
    ['a bare word after a group', '[sysroot]\nreadonly=true\ngarbage\n', 3, notKv('garbage')],
    ['an empty key', '[a]\n=value\n', 2, notKv('=value')],
    ['an empty key, indented (the line is quoted whole)', '[a]\n  =v\n', 2, notKv('  =v')],
    ['a key before any group', 'k=v\n', 1, 'Key file does not start with a group'],
    ['a key after comments but before any group', '# c\n\nk=v\n', 3, 'Key file does not start with a group'],
    ['an empty group name', '[]\n', 1, 'Invalid group name: '],
    ['[ inside a group name', '[a[b]\n', 1, 'Invalid group name: a[b'],
    ['a control character in a group name', '[a\x01]\n', 1, 'Invalid group name: a\x01'],
    ['an unclosed group', '[a\n', 1, notKv('[a')],
    ['text after ]', '[a] x\n', 1, notKv('[a] x')],
    ['a \\r after ] at the very end', '[a]\r', 1, notKv('[a]\r')],
    ['a UTF-8 BOM (GLib does not skip it)', '\ufeff[a]\n', 1, notKv('\ufeff[a]')],
    ['\\v before a group', '\v[a]\n', 1, notKv('\v[a]')],
    ['[ in a key', '[a]\nk[=v\n', 2, 'Invalid key name: k['],
    ['] in a key', '[a]\nk]x=v\n', 2, 'Invalid key name: k]x'],
    ['a space before a locale', '[a]\nk [de]=v\n', 2, 'Invalid key name: k [de]'],
    ['text after a locale', '[a]\nk[de]x=v\n', 2, 'Invalid key name: k[de]x'],
    ['a space in a locale', '[a]\nk[d e]=v\n', 2, 'Invalid key name: k[d e]'],
    ['an unclosed group on a later line', '[a]\nk=v\n[b\n', 3, notKv('[b')],
  ])('refuses %s', (_, text, line, why) => {
    expect(() => parseKeyFile(text, F)).toThrow(new PrepareRootError({ file: F, line: line }, why));
  });

  it.each<[string, string | Uint8Array, number, string]>([
    ['bytes that are not UTF-8', bytesOf('[a]\nk=v\nx=', [0xff], '\n'), 3, 'line is not valid UTF-8'],
    ['a truncated UTF-8 sequence at the end', bytesOf('[a]\nk=', [0xc3]), 2, 'line is not valid UTF-8'],
    ['a lone surrogate in a string', '[a]\nk=\ud800\n', 2, 'line is not valid UTF-8'],
    ['a NUL byte (GLib would truncate the line there)', bytesOf('[a]\nk=v', [0], 'x\n'), 2, 'line contains a NUL byte'],
    ['a NUL character in a string', '[a]\n\0\n', 2, 'line contains a NUL byte'],
  ])('refuses %s, naming the line', (_, data, line, why) => {
    expect(() => parseKeyFile(data, F)).toThrow(new PrepareRootError({ file: F, line: line }, why));
  });

  it('never crashes: any text or bytes give a key file or a PrepareRootError', () => {
    const check = (input: string | Uint8Array) => {
      try {
        parseKeyFile(input, F);
      } catch (e) {
        expect(e).toBeInstanceOf(PrepareRootError);
      }
    };
    fc.assert(fc.property(fc.string({ unit: 'binary' }), check), { numRuns: 1000 });
    fc.assert(fc.property(fc.uint8Array(), check), { numRuns: 1000 });
    const line = fc.oneof(
      fc.constantFrom('[a]', '[b]', '# c', '', '  ', 'k=v', ' k = v ', '=', '[', ']', 'k[de]=v', '\r'),
      fc.string({ unit: 'binary' }),
    );
    fc.assert(
      fc.property(fc.array(line), (lines) => check(lines.join('\n'))),
      { numRuns: 1000 },
    );
  });

  it('finds every generated key=value line with its value and line number', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9.-]{0,8}$/);
    const value = fc
      .string({ unit: 'grapheme' })
      .filter((v) => !/[\n\r\0]/.test(v))
      .map((v) => v.replace(/^[ \t\f]+/, ''));
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, value), { selector: ([k]) => k }), (pairs) => {
        const text = `[g]\n${pairs.map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
        const g = parseKeyFile(text, F).groups.get('g')!;
        expect(g.size).toBe(pairs.length);
        pairs.forEach(([k, v], i) => {
          expect(g.get(k)).toEqual({ value: v, line: i + 2 });
        });
      }),
    );
  });
});

describe('values', () => {
  const entry = (value: string) => ({ value, line: 7 });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
    ['true \t', true],
    ['0  ', false],
    ['false\f\r\n', false],
  ])('boolean %j', (v, expected) => {
    expect(parseBooleanValue(entry(v), F, 'g', 'k')).toBe(expected);
  });

  it.each(['yes', 'no', 'True', 'FALSE', 'on', '', ' true', 'true x', '2', 'true\v', '01', 'tru'])(
    'boolean %j is refused',
    (v) => {
      expect(() => parseBooleanValue(entry(v), F, 'g', 'k')).toThrow(
        new PrepareRootError({ file: F, line: 7 }, `g.k: value “${v}” is not a boolean (use true/false/1/0)`),
      );
    },
  );

  it.each([
    ['a\\sb', 'a b'],
    ['a\\nb\\tc\\rd\\\\e', 'a\nb\tc\rd\\e'],
    ['\\\\n', '\\n'],
    ['\\s\\s', '  '],
    ['plain ü', 'plain ü'],
    ['', ''],
  ])('string %j', (v, expected) => {
    expect(unescapeStringValue(entry(v), F, 'g', 'k')).toBe(expected);
  });

  it.each([
    ['a\\x', '\\x'],
    ['trailing\\', '\\'],
    ['a\\ b', '\\ '],
    ['\\😀', '\\😀'],
    ['ok\\n then \\q', '\\q'],
  ])('string %j has an invalid escape', (v, seq) => {
    expect(() => unescapeStringValue(entry(v), F, 'g', 'k')).toThrow(
      new PrepareRootError({ file: F, line: 7 }, `g.k: invalid escape sequence “${seq}”`),
    );
  });
});

// GLib itself as the oracle, through ctypes on libglib-2.0 (Debian's python3; any python3 with
// ctypes and libglib would do). G_KEY_FILE_KEEP_TRANSLATIONS (2) because we keep locale keys, which
// GLib otherwise drops unless they match the process's locale. Inputs are UTF-8 without NUL: there
// we are stricter than GLib on purpose (see src/keyfile.ts).
const GLIB_KEYFILE = `
import ctypes, json, sys
g = ctypes.CDLL('libglib-2.0.so.0')
class GError(ctypes.Structure):
    _fields_ = [('domain', ctypes.c_uint32), ('code', ctypes.c_int), ('message', ctypes.c_char_p)]
P = ctypes.POINTER
g.g_key_file_new.restype = ctypes.c_void_p
g.g_key_file_load_from_data.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int, P(P(GError))]
g.g_key_file_get_groups.restype = P(ctypes.c_char_p)
g.g_key_file_get_groups.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
g.g_key_file_get_keys.restype = P(ctypes.c_char_p)
g.g_key_file_get_keys.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p]
g.g_key_file_get_value.restype = ctypes.c_char_p
g.g_key_file_get_value.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p]
g.g_key_file_free.argtypes = [ctypes.c_void_p]
def strv(p):
    i = 0
    while p[i] is not None:
        yield p[i]
        i += 1
out = []
for text in json.load(sys.stdin):
    data = text.encode()
    kf = g.g_key_file_new()
    err = P(GError)()
    if not g.g_key_file_load_from_data(kf, data, len(data), 2, ctypes.byref(err)):
        out.append({'error': err.contents.message.decode()})
    else:
        out.append({'groups': [[gr.decode(), {k.decode(): g.g_key_file_get_value(kf, gr, k, None).decode() for k in strv(g.g_key_file_get_keys(kf, gr, None, None))}]
                               for gr in strv(g.g_key_file_get_groups(kf, None))]})
    g.g_key_file_free(kf)
print(json.dumps(out))
`;
const PYTHON = '/usr/bin/python3';
const hasGlib =
  spawnSync(PYTHON, ['-c', "import ctypes; ctypes.CDLL('libglib-2.0.so.0')"], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasGlib)(
  'parseKeyFile against GLib (skipped: no /usr/bin/python3 with ctypes and libglib-2.0.so.0)',
  () => {
    it('agrees with g_key_file_load_from_data on 3000 random files: groups, keys, values and error messages', () => {
      // Fragments that sit on GLib's decision points, glued into lines of each kind.
      const bit = fc
        .array(
          fc.oneof(
            fc.constantFrom(
              '[',
              ']',
              '=',
              ' ',
              '\t',
              '\v',
              '\f',
              '\r',
              '#',
              'a',
              'é',
              '𝔸',
              '\x01',
              '\x7f',
              '[de_DE.UTF-8@euro]',
              '١',
              '\u00a0',
              '\ufeff',
              '\\',
            ),
            fc.string({ unit: 'grapheme', maxLength: 3 }),
          ),
          { maxLength: 4 },
        )
        .map((a) => a.join('').replace(/[\n\0]/g, ''));
      const line = fc.oneof(
        fc.tuple(bit, bit, bit).map(([a, b, c]) => `${a}[${b}]${c}`),
        fc.tuple(bit, bit, bit, bit).map(([a, b, c, d]) => `${a}k${b}${c}=${d}`),
        fc.tuple(bit, bit).map(([a, b]) => `${a}=${b}`),
        bit,
      );
      const file = fc
        .tuple(fc.boolean(), fc.array(line, { maxLength: 8 }), fc.constantFrom('\n', '\r\n', ''))
        .map(([header, lines, end]) => `${header ? '[g]\n' : ''}${lines.join(end === '' ? '\n' : end)}${end}`);
      const inputs = fc.sample(file, { numRuns: 3000, seed: 7 });
      const r = spawnSync(PYTHON, ['-c', GLIB_KEYFILE], {
        input: JSON.stringify(inputs),
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        env: { ...process.env, LANG: 'C' },
      });
      expect(r.status, r.stderr).toBe(0);
      const glib = JSON.parse(r.stdout) as object[];
      inputs.forEach((text, i) => {
        let ours: object;
        try {
          ours = {
            groups: [...parseKeyFile(text, F).groups].map(([g, keys]) => [
              g,
              Object.fromEntries([...keys].map(([k, e]) => [k, e.value])),
            ]),
          };
        } catch (e) {
          if (!(e instanceof PrepareRootError)) throw e;
          ours = { error: e.why };
        }
        expect(ours, JSON.stringify(text)).toEqual(glib[i]);
      });
    });
  },
);
