import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrepareRootError } from '../../src/errors.js';
import { parseBooleanValue, parseKeyFile, unescapeStringValue } from '../../src/keyfile.js';

const F = '/etc/ostree/prepare-root.conf';

function groups(text: string | Uint8Array) {
  const kf = parseKeyFile(text, F);
  return Object.fromEntries([...kf.groups].map(([g, keys]) => [g, Object.fromEntries([...keys].map(([k, e]) => [k, [e.value, e.line]]))]));
}

describe('parseKeyFile', () => {
  it.each([
    ['', {}],
    ['# only a comment\n\n', {}],
    ['[sysroot]\nreadonly=true\n', { sysroot: { readonly: ['true', 2] } }],
    ['  [sysroot]  \n  readonly  =   true  \n', { sysroot: { readonly: ['true  ', 2] } }],
    ['[a]\r\nk=v\r\n', { a: { k: ['v', 2] } }],
    ['[a]\nk=1\n[b]\nx=y\n[a]\nk=2\n', { a: { k: ['2', 6] }, b: { x: ['y', 4] } }],
    ['[a]\nk=\n', { a: { k: ['', 2] } }],
    ['[a]\nk=v=w # not a comment\n', { a: { k: ['v=w # not a comment', 2] } }],
    ['[a]\nName[de_DE.UTF-8@euro]=x\n', { a: { 'Name[de_DE.UTF-8@euro]': ['x', 2] } }],
    ['[a]\nk ey=v\n', { a: { 'k ey': ['v', 2] } }],
    ['[group with spaces]\nk=v', { 'group with spaces': { k: ['v', 2] } }],
  ])('%j', (text, expected) => {
    expect(groups(text)).toEqual(expected);
  });

  it.each([
    ['garbage\n', 1, 'Key file contains line “garbage” which is not a key-value pair, group, or comment'],
    ['[a]\n=value\n', 2, 'Key file contains line “=value” which is not a key-value pair, group, or comment'],
    ['k=v\n', 1, 'Key file does not start with a group'],
    ['[]\n', 1, 'Invalid group name: '],
    ['[a\n', 1, 'Key file contains line “[a” which is not a key-value pair, group, or comment'],
    ['[a] x\n', 1, 'Key file contains line “[a] x” which is not a key-value pair, group, or comment'],
    ['[a]\nk[=v\n', 2, 'Invalid key name: k['],
    ['[a]\nk]x=v\n', 2, 'Invalid key name: k]x'],
  ])('%j fails at line %i', (text, line, why) => {
    expect(() => parseKeyFile(text, F)).toThrow(new PrepareRootError(`${F}:${line}`, why));
  });

  it('names the line that is not UTF-8', () => {
    const bytes = Uint8Array.from([...Buffer.from('[a]\nk=v\nx='), 0xff, 0x0a]);
    expect(() => parseKeyFile(bytes, F)).toThrow(new PrepareRootError(`${F}:3`, 'line is not valid UTF-8'));
  });

  it('never crashes: any text or bytes give a key file or a PrepareRootError', () => {
    const check = (input: string | Uint8Array) => {
      try { parseKeyFile(input, F); } catch (e) { expect(e).toBeInstanceOf(PrepareRootError); }
    };
    fc.assert(fc.property(fc.string({ unit: 'binary' }), check), { numRuns: 2000 });
    fc.assert(fc.property(fc.uint8Array(), check), { numRuns: 2000 });
    const line = fc.oneof(fc.constantFrom('[a]', '[b]', '# c', '', '  ', 'k=v', ' k = v ', '=', '[', ']'), fc.string());
    fc.assert(fc.property(fc.array(line), (lines) => check(lines.join('\n'))), { numRuns: 2000 });
  });

  it('round-trips generated files: every key=value line is found with its value and line', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9.-]{0,8}$/);
    const value = fc.stringMatching(/^[^\n\r]*$/).map((v) => v.replace(/^[ \t\v\f]+/, ''));
    fc.assert(fc.property(fc.uniqueArray(fc.tuple(name, value), { selector: ([k]) => k }), (pairs) => {
      const text = `[g]\n${pairs.map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
      const g = parseKeyFile(text, F).groups.get('g')!;
      pairs.forEach(([k, v], i) => expect(g.get(k)).toEqual({ value: v, line: i + 2 }));
    }));
  });
});

describe('values', () => {
  const entry = (value: string) => ({ value, line: 7 });

  it.each([['true', true], ['1', true], ['false', false], ['0', false], ['true \t', true], ['0  ', false]])('boolean %j', (v, expected) => {
    expect(parseBooleanValue(entry(v), F, 'g', 'k')).toBe(expected);
  });

  it.each(['yes', 'no', 'True', 'FALSE', 'on', '', ' true', 'true x', '2'])('boolean %j is refused', (v) => {
    expect(() => parseBooleanValue(entry(v), F, 'g', 'k')).toThrow(new PrepareRootError(`${F}:7`, `g.k: value “${v}” is not a boolean (use true/false/1/0)`));
  });

  it.each([['a\\sb', 'a b'], ['a\\nb\\tc\\rd\\\\e', 'a\nb\tc\rd\\e'], ['plain', 'plain']])('string %j', (v, expected) => {
    expect(unescapeStringValue(entry(v), F, 'g', 'k')).toBe(expected);
  });

  it.each([['a\\x', '\\x'], ['trailing\\', '\\']])('string %j has an invalid escape', (v, seq) => {
    expect(() => unescapeStringValue(entry(v), F, 'g', 'k')).toThrow(new PrepareRootError(`${F}:7`, `g.k: invalid escape sequence “${seq}”`));
  });
});
