// formats/labels-file.ts: /run/prepare-root/labels.json, written by the boot and decoded by shape by
// `relabel`: each refusal.
import { describe, expect, it } from 'vitest';
import { LABELS_SCHEMA, type LabelsFile, parseLabelsFile, serializeLabels } from '../../../src/formats/labels-file.js';

const L = (type: string) => `system_u:object_r:${type}:s0`;

describe('labels.json', () => {
  const good: LabelsFile = {
    schema: LABELS_SCHEMA,
    overlays: [
      {
        path: '/',
        upper: '/run/ostree/.private/root/upper',
        entries: [
          ['', L('root_t')],
          ['usr/lib', L('lib_t')],
        ],
        top: [
          ['etc', L('etc_t')],
          ['var', L('var_t')],
        ],
        truncated: false,
        refused: [{ path: 'usr', why: 'refusing the label "x"' }],
      },
    ],
  };

  it('reads back what it writes', () => {
    expect(parseLabelsFile(new TextDecoder().decode(serializeLabels(good)))).toEqual(good);
  });

  it.each([
    ['not JSON', '{', /^not JSON: /],
    ['another schema', '{"schema":2,"overlays":[]}', /^schema 2 is not 1$/],
    ['no overlays', '{"schema":1}', /^no overlays list$/],
  ])('refuses %s', (_, text, why) => {
    expect(parseLabelsFile(text)).toMatch(why);
  });

  it.each([
    ['a path going up', [['../etc', L('etc_t')]]],
    ['an absolute entry', [['/etc', L('etc_t')]]],
    ['an empty component', [['usr//lib', L('lib_t')]]],
    ['a malformed label', [['usr', `${L('usr_t')}\n`]]],
    ['a pair of three', [['usr', L('usr_t'), 'x']]],
  ])('refuses an overlay with %s', (_, entries) => {
    const text = JSON.stringify({ ...good, overlays: [{ ...good.overlays[0], entries }] });
    expect(parseLabelsFile(text)).toBe('overlay 0 is malformed (a path, a label or a field)');
  });

  it.each([
    ['a path', 'usr/lib'],
    ['the root', ''],
  ])('refuses a top entry that is %s, not a name', (_, name) => {
    const text = JSON.stringify({ ...good, overlays: [{ ...good.overlays[0], top: [[name, L('usr_t')]] }] });
    expect(parseLabelsFile(text)).toBe('overlay 0 is malformed (a path, a label or a field)');
  });

  it('refuses a relative upper', () => {
    const text = JSON.stringify({ ...good, overlays: [{ ...good.overlays[0], upper: 'run/x' }] });
    expect(parseLabelsFile(text)).toBe('overlay 0 is malformed (a path, a label or a field)');
  });
});
