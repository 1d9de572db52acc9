import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publicHealth } from '../../../src/http/health.js';

const state = {
  workerId: '3f2c1a9e-8d4b-4c1e-9a8f-2b7d6e5c4a31',
  name: 'nas-worker-1',
  url: 'http://192.168.1.20:8081',
  version: '0.1.0',
  status: 'busy',
  statusReason: 'max_jobs',
  jobs: {
    running: 2,
    max: 2,
    load: 2,
    ids: ['7EFNeAsK2g9pPDr2cm0tcA', 'film-1234'],
    heads: { running: 1, throttled: 1 },
  },
  hardware: { cpu: { threads: 2 }, ffmpeg: { encoders: ['libx264'] } },
};

describe('publicHealth', () => {
  it('keeps status, identity, hardware and the job counts, and drops the ids', () => {
    assert.deepEqual(publicHealth(state), {
      ...state,
      jobs: { running: 2, max: 2, load: 2, heads: { running: 1, throttled: 1 } },
    });
  });

  it('drops any list or string under jobs, however it is named or nested', () => {
    const later = { ...state, jobs: { running: 1, parked: ['a-b'], last: 'film-9', by: { x: ['c'], n: 3 } } };
    assert.deepEqual(publicHealth(later).jobs, { running: 1, by: { n: 3 } });
  });

  it('leaves the heartbeat payload it was given unchanged', () => {
    publicHealth(state);
    assert.deepEqual(state.jobs.ids, ['7EFNeAsK2g9pPDr2cm0tcA', 'film-1234']);
  });
});
