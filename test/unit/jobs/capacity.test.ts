// Ready, busy or draining, and the refusal POST /jobs answers: each reason, its order, its HTTP status and
// Retry-After (issue 16: capacity had no test of its own; plan.test.ts covers only part of it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admissionError, capacityState, type CapacityInputs } from '../../../src/jobs/capacity.js';

const MB = 1048576;
const base: CapacityInputs = {
  draining: false,
  running: 0,
  maxJobs: 2,
  availableMemoryBytes: 1000 * MB,
  minFreeMemoryBytes: 150 * MB,
  disk: { freeBytes: 5000 * MB, floorBytes: 1000 * MB },
};

describe('capacity', () => {
  it('is ready with a free slot, memory and disk above their floors; one under max_jobs is still ready', () => {
    assert.deepEqual(capacityState(base), { status: 'ready' });
    assert.deepEqual(capacityState({ ...base, running: 1 }), { status: 'ready' });
    assert.equal(admissionError({ ...base, running: 1 }, 5), null);
  });

  it('a floor is crossed only below it: exactly at the floor is ready', () => {
    assert.deepEqual(capacityState({ ...base, availableMemoryBytes: 150 * MB }), { status: 'ready' });
    assert.deepEqual(capacityState({ ...base, disk: { freeBytes: 1000 * MB, floorBytes: 1000 * MB } }), {
      status: 'ready',
    });
  });

  it('without disk facts the disk is not checked', () => {
    const noDisk: CapacityInputs = {
      draining: false,
      running: 0,
      maxJobs: 2,
      availableMemoryBytes: 1000 * MB,
      minFreeMemoryBytes: 150 * MB,
    };
    assert.deepEqual(capacityState(noDisk), { status: 'ready' });
  });

  // Each case: the inputs, the heartbeat's reason, the error code and HTTP status POST /jobs answers.
  const cases: [string, Partial<CapacityInputs>, string, string, number][] = [
    ['draining', { draining: true }, 'draining', 'DRAINING', 503],
    ['max_jobs', { running: 2 }, 'max_jobs', 'AT_CAPACITY', 503],
    ['low memory', { availableMemoryBytes: 100 * MB }, 'low_memory', 'LOW_MEMORY', 503],
    ['low disk', { disk: { freeBytes: 10 * MB, floorBytes: 1000 * MB } }, 'low_disk', 'DISK_FULL', 507],
  ];
  for (const [name, change, reason, code, status] of cases) {
    it(`${name}: ${reason}, refused with ${code} (${status}) and Retry-After`, () => {
      const inputs = { ...base, ...change };
      const state = capacityState(inputs);
      assert.equal(state.reason, reason);
      assert.equal(state.status, reason === 'draining' ? 'draining' : 'busy');
      const err = admissionError(inputs, 7);
      assert.equal(err?.code, code);
      assert.equal(err.httpStatus, status);
      assert.equal(err.retryAfter, 7);
    });
  }

  it('names the figures in the message: the job cap, the memory and the disk in MB', () => {
    assert.match(admissionError({ ...base, running: 2 }, 1)?.message ?? '', /maximum of 2 jobs/);
    assert.match(
      admissionError({ ...base, availableMemoryBytes: 100 * MB }, 1)?.message ?? '',
      /100 MB.*150/,
    );
    assert.match(
      admissionError({ ...base, disk: { freeBytes: 10 * MB, floorBytes: 1000 * MB } }, 1)?.message ?? '',
      /10 MB.*1000 MB/,
    );
  });

  it('reasons have an order: draining, then the job cap, then memory, then disk', () => {
    const all: CapacityInputs = {
      draining: true,
      running: 2,
      maxJobs: 2,
      availableMemoryBytes: 1,
      minFreeMemoryBytes: 150 * MB,
      disk: { freeBytes: 0, floorBytes: 1 },
    };
    assert.equal(capacityState(all).reason, 'draining');
    assert.equal(capacityState({ ...all, draining: false }).reason, 'max_jobs');
    assert.equal(capacityState({ ...all, draining: false, running: 0 }).reason, 'low_memory');
    assert.equal(
      capacityState({ ...all, draining: false, running: 0, availableMemoryBytes: 1e12 }).reason,
      'low_disk',
    );
  });
});
