// What the live jobs weigh (issue 16: the manager's load had no test of its own): the load against max_jobs, and the
// heads, parked jobs and pids the heartbeat and /metrics report.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headCounts, load, parkedCount, pids, type LoadedJob } from '../../../src/jobs/job-load.js';
import type { JobStatus } from '../../../src/contract/job-view.js';

interface Head {
  readonly throttled: boolean;
  readonly cost: number;
}
const running = (cost = 1): Head => ({ throttled: false, cost });
const paused = (cost = 1): Head => ({ throttled: true, cost });

function job(
  id: string,
  status: JobStatus,
  stream: { heads?: Head[]; parkedAt?: number | null; pids?: number[] } | null = {},
): LoadedJob {
  return {
    id,
    status,
    stream:
      stream === null
        ? null
        : {
            heads: () => stream.heads ?? [],
            parkedAt: stream.parkedAt ?? null,
            runs: () => (stream.pids ?? []).map((pid) => ({ pid })),
          },
  };
}

describe('load', () => {
  it('counts one for a live job without a head (probing, or waiting for a seek); none once stopped', () => {
    assert.equal(load([job('probing', 'queued', null)]), 1);
    assert.equal(load([job('between', 'running', {})]), 1);
    assert.equal(load([job('done', 'completed', { heads: [running()] }), job('gone', 'failed', null)]), 0);
  });

  it('weighs running heads by their cost (an ABR head once per variant); paused heads and parked jobs weigh nothing', () => {
    assert.equal(load([job('abr', 'running', { heads: [running(3), running(1)] })]), 4);
    assert.equal(load([job('ahead', 'running', { heads: [paused(3), running(1)] })]), 1);
    assert.equal(load([job('all-paused', 'running', { heads: [paused(2)] })]), 0);
    assert.equal(load([job('parked', 'running', { parkedAt: 5 })]), 0);
    // Parked with its one head kept paused: still nothing.
    assert.equal(load([job('parked-paused', 'running', { parkedAt: 5, heads: [paused()] })]), 0);
  });
});

describe('headCounts, parkedCount and pids', () => {
  const jobs = [
    job('a', 'running', { heads: [running(3), paused()], pids: [11, 12] }),
    job('b', 'running', { parkedAt: 5, pids: [] }),
    job('c', 'queued', null),
    job('d', 'completed', { heads: [running()], parkedAt: 5, pids: [13] }),
  ];

  it('counts heads running and paused (not their cost) across live jobs only', () => {
    assert.deepEqual(headCounts(jobs), { running: 1, throttled: 1 });
  });

  it('counts live parked jobs only', () => {
    assert.equal(parkedCount(jobs), 1);
  });

  it("gives each live job's first FFmpeg pid", () => {
    assert.deepEqual(pids(jobs), { a: 11 });
  });
});
