// formats/mountinfo.ts: /proc/self/mountinfo lines as the kernel writes them (proc(5)).
import { describe, expect, it } from 'vitest';
import { mountAt, mountContaining, parseMountInfo } from '../../../src/formats/mountinfo.js';

const TEXT = [
  '22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro',
  '30 22 0:27 / /run rw,nosuid,nodev shared:5 master:2 - tmpfs tmpfs rw,mode=755',
  '41 22 254:1 /ostree/deploy/os/var /var rw,relatime - ext4 /dev/vda1 rw',
  '42 30 0:45 / /run/with\\040space ro - tmpfs my\\134source rw',
  '43 22 0:46 / /run ro - tmpfs tmpfs ro',
  'garbage line',
  '',
].join('\n');

describe('parseMountInfo', () => {
  it('every field, escapes decoded, propagation kept, malformed lines skipped', () => {
    const entries = parseMountInfo(TEXT);
    expect(entries.map((e) => e.target)).toEqual(['/', '/run', '/var', '/run/with space', '/run']);
    expect(entries[1]).toEqual({
      id: 30,
      parentId: 22,
      root: '/',
      target: '/run',
      options: ['rw', 'nosuid', 'nodev'],
      optional: ['shared:5', 'master:2'],
      fstype: 'tmpfs',
      source: 'tmpfs',
      superOptions: ['rw', 'mode=755'],
    });
    expect(entries[2]).toMatchObject({ root: '/ostree/deploy/os/var', optional: [] });
    expect(entries[3]).toMatchObject({ source: 'my\\source', options: ['ro'] });
  });

  it('mountAt: the last mount at a path; mountContaining: the deepest one that holds a path', () => {
    const entries = parseMountInfo(TEXT);
    expect(mountAt(entries, '/run')?.id).toBe(43);
    expect(mountAt(entries, '/run/x')).toBeUndefined();
    expect(mountContaining(entries, '/var/lib/x')?.id).toBe(41);
    expect(mountContaining(entries, '/variable')?.id).toBe(22);
    expect(mountContaining(entries, '/run/with space/f')?.id).toBe(42);
  });
});
