// formats/selinux-label.ts: an SELinux label as an xattr value: what is taken, what is refused.
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../src/base/text.js';
import { labelValue, parseLabel } from '../../../src/formats/selinux-label.js';

const L = (type: string) => `system_u:object_r:${type}:s0`;

describe('parseLabel', () => {
  it.each([
    [L('root_t')],
    ['system_u:object_r:container_file_t:s0:c1,c5'],
    ['staff_u:staff_r:staff_t:s0-s15:c0.c1023'],
    ['user_u:object_r:tmp_t'],
  ])('takes %s, with or without the trailing NUL', (label) => {
    expect(parseLabel(utf8Encode(label))).toEqual({ label });
    expect(parseLabel(labelValue(label))).toEqual({ label });
  });

  it.each([
    ['empty', '', '"" is not an SELinux context (user:role:type[:range] in plain ASCII)'],
    ['a type alone', 'root_t', '"root_t" is not an SELinux context (user:role:type[:range] in plain ASCII)'],
    ['a space', 'system_u:object_r:root_t:s0 x', '"system_u:object_r:root_t:s0 x" is not an SELinux context'],
    ['a newline', `${L('root_t')}\n`, '"system_u:object_r:root_t:s0\\x0a" is not an SELinux context'],
    ['a NUL inside', 'system_u:object_r\0:root_t:s0', '"system_u:object_r\\x00:root_t:s0" is not an SELinux context'],
    ['a quote', `${L('root_t')}"`, '"system_u:object_r:root_t:s0\\x22" is not an SELinux context'],
    ['a backslash', `${L('root_t')}\\`, '"system_u:object_r:root_t:s0\\x5c" is not an SELinux context'],
    [
      'mount options',
      `${L('root_t')},upperdir=/x`,
      '"system_u:object_r:root_t:s0,upperdir=/x" is not an SELinux context',
    ],
    [
      'non-ASCII',
      'system_u:object_r:rööt_t:s0',
      '"system_u:object_r:r\\xc3\\xb6\\xc3\\xb6t_t:s0" is not an SELinux context',
    ],
  ])('refuses %s', (_, label, why) => {
    const r = parseLabel(utf8Encode(label));
    expect(r).toHaveProperty('refused');
    expect((r as { refused: string }).refused.startsWith(why)).toBe(true);
  });

  it('refuses a label over 255 bytes, showing its start only', () => {
    const long = `system_u:object_r:${'x'.repeat(240)}_t:s0`;
    expect(parseLabel(utf8Encode(long))).toEqual({
      refused: `${long.length} bytes "${long.slice(0, 64)}…", over the 255 a label may have`,
    });
    const limit = `system_u:object_r:${'x'.repeat(255 - 'system_u:object_r::s0'.length)}:s0`;
    expect(limit.length).toBe(255);
    expect(parseLabel(utf8Encode(limit))).toEqual({ label: limit });
  });
});
