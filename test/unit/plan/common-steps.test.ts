// plan/common-steps.ts: steps both planners make the same way; here the login notice, whose text
// pam_motd shows at login while something is transient.
import { describe, expect, it } from 'vitest';
import { utf8Decode } from '../../../src/base/text.js';
import { loginNoticeSteps } from '../../../src/plan/common-steps.js';

describe('loginNoticeSteps', () => {
  it('nothing transient: no notice', () => {
    expect(loginNoticeSteps([])).toEqual([]);
  });

  it('what is transient, and where to see what a reboot would lose', () => {
    const steps = loginNoticeSteps([
      { where: 'root.transient', message: 'changes to / (including /usr) are kept in memory and discarded at reboot' },
      { where: 'etc.transient', message: 'changes to /etc are kept in memory and discarded at reboot' },
    ]);
    expect(steps.map((s) => `${s.id} ${s.kind} ${'path' in s ? s.path : ''}`)).toEqual([
      'mkdir-motd-dir mkdir /run/motd.d',
      'write-login-notice write-file /run/motd.d/prepare-root',
    ]);
    const write = steps[1]!;
    expect(write.kind === 'write-file' && utf8Decode(write.content)).toBe(
      [
        'prepare-root: parts of this system are transient:',
        '  root.transient: changes to / (including /usr) are kept in memory and discarded at reboot',
        '  etc.transient: changes to /etc are kept in memory and discarded at reboot',
        'What a reboot would lose: prepare-root diff (and how this boot went: prepare-root status).',
        '',
      ].join('\n'),
    );
    expect(write.kind === 'write-file' && write.mode).toBe(0o644);
  });
});
