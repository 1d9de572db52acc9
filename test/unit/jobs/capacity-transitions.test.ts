import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admissionError, capacityState } from '../../../src/jobs/capacity.js';
import { canTransition } from '../../../src/jobs/job-state.js';

describe('capacity and transitions', () => {
  const base = {
    draining: false,
    running: 0,
    maxJobs: 2,
    availableMemoryBytes: 1e9,
    minFreeMemoryBytes: 150e6,
  };
  it('is ready, busy or draining with a reason', () => {
    assert.deepEqual(capacityState(base), { status: 'ready' });
    assert.deepEqual(capacityState({ ...base, running: 2 }), { status: 'busy', reason: 'max_jobs' });
    assert.deepEqual(capacityState({ ...base, availableMemoryBytes: 1e8 }), {
      status: 'busy',
      reason: 'low_memory',
    });
    assert.deepEqual(capacityState({ ...base, draining: true, running: 5 }), {
      status: 'draining',
      reason: 'draining',
    });
  });
  it('refuses with 503 and Retry-After', () => {
    assert.equal(admissionError(base, 10), null);
    const e = admissionError({ ...base, running: 2 }, 10);
    assert.equal(e?.code, 'AT_CAPACITY');
    assert.equal(e.httpStatus, 503);
    assert.equal(e.retryAfter, 10);
    assert.equal(admissionError({ ...base, availableMemoryBytes: 1 }, 10)?.code, 'LOW_MEMORY');
  });
  it('allows only forward transitions', () => {
    assert.ok(canTransition('queued', 'running'));
    assert.ok(canTransition('running', 'completed'));
    assert.ok(canTransition('queued', 'cancelled'));
    assert.ok(!canTransition('completed', 'running'));
    assert.ok(!canTransition('cancelled', 'failed'));
    assert.ok(!canTransition('queued', 'completed'));
  });
});
