// The job state machine as a table: every pair of states, and which are live. A new status or a new edge must be
// decided here on purpose (issue 16: the state machine had no test of its own).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canTransition, isLive, type JobStatus } from '../../../src/jobs/job-state.js';

const STATUSES: readonly JobStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];

// from → the states it may move to; everything else is refused.
const ALLOWED: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  queued: ['running', 'failed', 'cancelled'],
  running: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

describe('job state machine', () => {
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const expected = ALLOWED[from].includes(to);
      it(`${from} → ${to}: ${expected ? 'allowed' : 'refused'}`, () => {
        assert.equal(canTransition(from, to), expected);
      });
    }
  }

  it('a job is live while queued or running, and only then', () => {
    assert.deepEqual(
      STATUSES.filter((s) => isLive(s)),
      ['queued', 'running'],
    );
  });

  it('no terminal state leads anywhere, and every live state can end as failed or cancelled', () => {
    for (const s of STATUSES) {
      const next = STATUSES.filter((to) => canTransition(s, to));
      if (isLive(s)) assert.ok(next.includes('failed') && next.includes('cancelled'), s);
      else assert.deepEqual(next, [], s);
    }
  });
});
