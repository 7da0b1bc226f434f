// Whether a volatile upper left by the last boot may be reused: only with a good checkpoint
// naming the token of its last mount; anything unreadable counts against it.
import { describe, expect, it } from 'vitest';
import { volatileState } from '../../../src/probe/volatile-state.js';
import { memorySystem } from '../../helpers/memory-system.js';

const D = '/var/lib/prepare-root/overlays/opt';
const mount = JSON.stringify({ token: 'T1-0', bootId: 'boot-a' });
const checkpoint = (token: string, result = 'ok') =>
  JSON.stringify({ token, bootId: 'boot-a', result, time: 't', ...(result === 'ok' ? {} : { detail: 'EIO' }) });

describe('volatileState', () => {
  it.each([
    ['never mounted volatile', {}, false, { state: 'fresh' }],
    [
      'checkpointed for its last mount',
      { 'volatile-mount': mount, checkpoint: checkpoint('T1-0') },
      true,
      { state: 'clean' },
    ],
    [
      'no checkpoint: a crash',
      { 'volatile-mount': mount },
      true,
      { state: 'torn', why: 'no checkpoint for its last mount (boot boot-a): a crash or power loss', quarantine: [] },
    ],
    [
      'a checkpoint of an older mount',
      { 'volatile-mount': mount, checkpoint: checkpoint('T0-0') },
      true,
      { state: 'torn', why: 'no checkpoint for its last mount (boot boot-a): a crash or power loss', quarantine: [] },
    ],
    [
      'a write-back error at shutdown',
      { 'volatile-mount': mount, checkpoint: checkpoint('T1-0', 'error') },
      true,
      { state: 'torn', why: 'its checkpoint recorded a write-back error (EIO)', quarantine: [] },
    ],
    [
      'the kernel marked it volatile but no record',
      {},
      true,
      { state: 'torn', why: 'it was mounted volatile without a record of that mount', quarantine: [] },
    ],
    [
      'a record that is not JSON',
      { 'volatile-mount': '{garbage' },
      true,
      {
        state: 'torn',
        why: `its mount record is unusable: ${D}/volatile-mount is not JSON`,
        quarantine: ['volatile-mount'],
      },
    ],
    [
      'a checkpoint without a token',
      { 'volatile-mount': mount, checkpoint: '{}' },
      true,
      {
        state: 'torn',
        why: `its checkpoint is unusable: ${D}/checkpoint has no token (a string of 1 to 256 characters)`,
        quarantine: ['checkpoint'],
      },
    ],
    [
      'a mount record that is a list',
      { 'volatile-mount': '["t","b"]' },
      true,
      {
        state: 'torn',
        why: `its mount record is unusable: ${D}/volatile-mount is not a JSON object`,
        quarantine: ['volatile-mount'],
      },
    ],
    [
      'a mount record with a field of no record',
      { 'volatile-mount': '{"token":"t","bootId":"b","upper":"/etc"}' },
      true,
      {
        state: 'torn',
        why: `its mount record is unusable: ${D}/volatile-mount has an unknown field upper`,
        quarantine: ['volatile-mount'],
      },
    ],
    [
      'a checkpoint whose result is neither ok nor error',
      { 'volatile-mount': mount, checkpoint: '{"token":"t","bootId":"b","result":"maybe","time":"x"}' },
      true,
      {
        state: 'torn',
        why: `its checkpoint is unusable: ${D}/checkpoint has a result that is not ok or error`,
        quarantine: ['checkpoint'],
      },
    ],
    [
      'a checkpoint whose detail is not text',
      { 'volatile-mount': mount, checkpoint: '{"token":"t","bootId":"b","result":"error","time":"x","detail":{}}' },
      true,
      {
        state: 'torn',
        why: `its checkpoint is unusable: ${D}/checkpoint has a detail that is not a string`,
        quarantine: ['checkpoint'],
      },
    ],
    [
      'a crash with an upper and a work dir: both go to quarantine',
      { 'volatile-mount': mount, upper: null, work: null },
      true,
      {
        state: 'torn',
        why: 'no checkpoint for its last mount (boot boot-a): a crash or power loss',
        quarantine: ['upper', 'work'],
      },
    ],
  ])('%s', (_, files, marked, expected) => {
    const sys = memorySystem();
    sys.dir(D);
    for (const [name, text] of Object.entries(files as Record<string, string | null>)) {
      if (text === null) sys.dir(`${D}/${name}`);
      else sys.file(`${D}/${name}`, text);
    }
    expect(volatileState(sys, D, marked)).toEqual(expected);
  });
});
