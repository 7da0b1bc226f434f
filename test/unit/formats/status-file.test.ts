// formats/status-file.ts: status.json lies in /run, which is not trusted: what statusOf writes
// reads back as it was; anything else is refused with a one-line reason.
import { describe, expect, it } from 'vitest';
import { statusOf } from '../../../src/boot/status-record.js';
import { parseStatusFile } from '../../../src/formats/status-file.js';

const written = statusOf(
  { result: 'failed', decision: null, executed: [], error: new Error('no cmdline') },
  { sysroot: '/sysroot', handover: 'systemd', bootId: 'b', time: 't', notes: [] },
);
const text = (over: Record<string, unknown>) => JSON.stringify({ ...written, ...over });

describe('parseStatusFile', () => {
  it('reads back what a run writes', () => {
    expect(parseStatusFile(JSON.stringify(written, null, 2))).toEqual(written);
  });

  it.each([
    ['not JSON', '{"schema":1', /^not JSON: /],
    ['a list', '[1]', /^not a JSON object$/],
    ['null', 'null', /^not a JSON object$/],
    ['another schema', text({ schema: 2 }), /^schema 2 is not 1$/],
    ['a result of no kind', text({ result: 'maybe' }), /^field result is missing or malformed$/],
    ['steps that are not a list', text({ executed: {} }), /^field executed is missing or malformed$/],
    ['a warning without a message', text({ warnings: [{ where: 'x' }] }), /^field warnings is missing or malformed$/],
    ['an optional field of the wrong type', text({ bootId: 5 }), /^field bootId is missing or malformed$/],
    ['an overlay missing its dir', text({ overlays: [{ path: '/a' }] }), /^field overlays is missing or malformed$/],
  ])('refuses %s', (_, input, why) => {
    const r = parseStatusFile(input);
    expect(typeof r).toBe('string');
    expect(r).toMatch(why);
  });
});
