// The sweep's rules: idle jobs (parked), streams to delete (a parked job's too), the job to stop when memory runs out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  diskFullReason,
  freeDiskFloor,
  FULL_DISK_BYTES,
  idleJobs,
  jobToStopForMemory,
  MAX_FINISHED_RECORDS,
  RECENT_FETCH_MS,
  recordsToForget,
  streamsToEvict,
  type JobFacts,
} from '../../../src/jobs/sweep-rules.js';

const MIN = 60_000;
const MB = 1024 * 1024;
const now = 1_000 * MIN;

/** A request at lastActivity unless told otherwise. */
function job(id: string, partial: Partial<JobFacts>): JobFacts {
  const base = {
    id,
    live: false,
    createdAt: 0,
    lastActivity: 0,
    finishedAt: 0,
    bytes: 10 * MB,
    streamRemoved: false,
    parkedAt: null,
    processes: 0,
    ...partial,
  };
  return { lastRequest: base.lastActivity, ...base };
}

describe('idleJobs', () => {
  it('parks live jobs without a fetch or keepalive for the idle time, never stopped or parked ones', () => {
    const jobs = [
      job('watched', { live: true, finishedAt: null, lastActivity: now - 30_000 }),
      job('forgotten', { live: true, finishedAt: null, lastActivity: now - 121_000 }),
      job('parked', { live: true, finishedAt: null, lastActivity: now - 10 * MIN, parkedAt: now - 8 * MIN }),
      job('done', { lastActivity: now - 10 * MIN }),
    ];
    assert.deepEqual(idleJobs(jobs, now, 120_000), ['forgotten']);
    assert.deepEqual(idleJobs(jobs, now, 0), [], '0 = never');
  });
});

describe('streamsToEvict', () => {
  const roomy = { keepMs: 60 * MIN, maxBytes: 0, freeBytes: 10_000 * MB, floorBytes: 100 * MB };

  it('deletes stopped streams keep_minutes after their last request, keeps the rest', () => {
    const jobs = [
      job('old', { finishedAt: now - 90 * MIN, lastActivity: now - 61 * MIN }),
      job('rewatched', { finishedAt: now - 90 * MIN, lastActivity: now - 5 * MIN }),
      job('live', { live: true, finishedAt: null, lastActivity: now - 90 * MIN }),
    ];
    assert.deepEqual(streamsToEvict(jobs, now, roomy), ['old']);
  });

  it('over budget: oldest idle stopped streams first, until under; never live or recently fetched ones', () => {
    const jobs = [
      job('live', { live: true, finishedAt: null, bytes: 50 * MB }),
      job('older', { finishedAt: now - 30 * MIN, lastActivity: now - 30 * MIN }),
      job('newer', { finishedAt: now - 20 * MIN, lastActivity: now - 20 * MIN }),
      job('fetched', { finishedAt: now - 40 * MIN, lastActivity: now - RECENT_FETCH_MS / 2 }),
    ];
    // 80 MB in all against a 65 MB budget: removing "older" (10 MB) is not enough, "newer" goes too.
    assert.deepEqual(streamsToEvict(jobs, now, { ...roomy, maxBytes: 65 * MB }), ['older', 'newer']);
    // Everything that may go is not enough for 40 MB: live and just-fetched streams stay anyway.
    assert.deepEqual(streamsToEvict(jobs, now, { ...roomy, maxBytes: 40 * MB }), ['older', 'newer']);
  });

  it('keeps a parked stream like a stopped one: gone keep_minutes after its parking or last request', () => {
    const parked = (id: string, partial: Partial<JobFacts>): JobFacts =>
      job(id, { live: true, finishedAt: null, ...partial });
    const jobs = [
      parked('forgotten', { lastActivity: now - 63 * MIN, parkedAt: now - 61 * MIN }),
      parked('lately', { lastActivity: now - 40 * MIN, parkedAt: now - 38 * MIN }),
      // Parked long ago, but its viewer plays made segments now: kept.
      parked('replaying', { lastActivity: now - 1000, parkedAt: now - 90 * MIN }),
      // Parked with nothing written yet: ended all the same.
      parked('empty', { lastActivity: now - 63 * MIN, parkedAt: now - 61 * MIN, bytes: 0 }),
    ];
    assert.deepEqual(streamsToEvict(jobs, now, roomy), ['forgotten', 'empty']);
    // Over budget, the oldest parked one goes before a newer stopped one.
    const budget = [
      ...jobs.slice(1, 2),
      job('stopped', { finishedAt: now - 20 * MIN, lastActivity: now - 20 * MIN }),
    ];
    assert.deepEqual(streamsToEvict(budget, now, { ...roomy, maxBytes: 15 * MB }), ['lately']);
  });

  it('low free space evicts like a budget', () => {
    const jobs = [job('a', { finishedAt: now - 10 * MIN, lastActivity: now - 10 * MIN })];
    assert.deepEqual(streamsToEvict(jobs, now, { ...roomy, freeBytes: 95 * MB }), ['a']);
    assert.deepEqual(streamsToEvict(jobs, now, { ...roomy, freeBytes: 105 * MB }), []);
  });

  it('a stream nobody ever fetched may go at once under pressure; its acceptance is not a fetch', () => {
    const accepted = now - 10_000;
    const jobs = [
      job('never-fetched', {
        finishedAt: now - 1000,
        createdAt: accepted,
        lastActivity: accepted,
        lastRequest: null,
      }),
      job('just-fetched', { finishedAt: now - 1000, lastActivity: now - 5000, lastRequest: now - 5000 }),
    ];
    assert.deepEqual(streamsToEvict(jobs, now, { ...roomy, freeBytes: 0 }), ['never-fetched']);
  });
});

describe('jobs that never wrote a file', () => {
  const roomy = { keepMs: 60 * MIN, maxBytes: 0, freeBytes: 10_000 * MB, floorBytes: 100 * MB };
  /** A job whose probe failed (or that was cancelled during it) at `finishedAt`: an empty folder, never fetched. */
  const unwritten = (id: string, finishedAt: number): JobFacts =>
    job(id, { bytes: 0, createdAt: finishedAt, lastActivity: finishedAt, lastRequest: null, finishedAt });

  it('deletes its empty stream folder keep_minutes after it ended, as any stopped stream; never twice', () => {
    const jobs = [
      unwritten('old-failure', now - 61 * MIN),
      unwritten('new-failure', now - 5 * MIN),
      job('deleted', {
        bytes: 0,
        streamRemoved: true,
        finishedAt: now - 90 * MIN,
        lastActivity: now - 90 * MIN,
      }),
    ];
    assert.deepEqual(streamsToEvict(jobs, now, roomy), ['old-failure']);
  });

  it('keeps at most MAX_FINISHED_RECORDS stopped jobs with nothing to serve: the earliest ended go first', () => {
    assert.equal(MAX_FINISHED_RECORDS, 500);
    const spent = Array.from({ length: 503 }, (_, i) =>
      i % 2 === 0
        ? unwritten(`failed-${i}`, now - (1000 - i) * 1000)
        : job(`deleted-${i}`, { bytes: 0, streamRemoved: true, finishedAt: now - (1000 - i) * 1000 }),
    );
    const others = [
      // Live, or with bytes to serve: never counted, never forgotten here (the disk rules delete their streams first).
      job('probing', { live: true, finishedAt: null, bytes: 0 }),
      job('kept-stream', { finishedAt: now - 2000 * 1000 }),
    ];
    // Shuffled: the order of the ends counts, not the order of the list.
    const jobs = [...others, ...spent.slice(250), ...spent.slice(0, 250)];
    assert.deepEqual(recordsToForget(jobs, MAX_FINISHED_RECORDS), ['failed-0', 'deleted-1', 'failed-2']);
    assert.deepEqual(recordsToForget(jobs, 503), []);
    assert.deepEqual(recordsToForget(jobs, 0).length, 503);
    assert.deepEqual(recordsToForget(others, 0), []);
  });
});

describe('diskFullReason', () => {
  it("names the full disk in the system's words once under FULL_DISK_BYTES", () => {
    assert.match(diskFullReason(0) ?? '', /^No space left on device: .* 0 KiB free/);
    assert.equal(diskFullReason(FULL_DISK_BYTES - 1) === null, false);
    assert.equal(diskFullReason(FULL_DISK_BYTES), null);
  });
});

describe('jobToStopForMemory', () => {
  const jobs = [
    job('first', { live: true, finishedAt: null, createdAt: 1 }),
    job('newest', { live: true, finishedAt: null, createdAt: 3 }),
    job('stopped', { createdAt: 5 }),
  ];
  it('stops the newest live job once available memory is under half the floor', () => {
    assert.equal(jobToStopForMemory(jobs, 70 * MB, 150 * MB), 'newest');
    // A parked job without FFmpeg frees nothing; one whose head is paused holds its memory.
    const parked = job('parked', { live: true, finishedAt: null, createdAt: 4, parkedAt: 4 });
    assert.equal(jobToStopForMemory([...jobs, parked], 70 * MB, 150 * MB), 'newest');
    assert.equal(jobToStopForMemory([...jobs, { ...parked, processes: 1 }], 70 * MB, 150 * MB), 'parked');
    assert.equal(jobToStopForMemory(jobs, 80 * MB, 150 * MB), null);
    assert.equal(jobToStopForMemory([], 10 * MB, 150 * MB), null);
  });
});

describe('freeDiskFloor', () => {
  it('defaults to 10 % of the filesystem, at most 1 GiB', () => {
    assert.equal(freeDiskFloor(null, 2000 * MB), 200 * MB);
    assert.equal(freeDiskFloor(null, 500_000 * MB), 1024 * MB);
    assert.equal(freeDiskFloor(5 * MB, 500_000 * MB), 5 * MB);
  });
});
