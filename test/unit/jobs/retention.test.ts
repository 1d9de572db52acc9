// Retention of one job (issue 16: the manager's retention had no test of its own; which jobs go is sweep-rules.test.ts):
// what the sweep sees of a job, and when its stream folder and its record may go.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { JobStatus } from '../../../src/contract/job-view.js';
import {
  mayForget,
  mayRemoveStream,
  recordGoesWithFolder,
  removeEmptyFolder,
  sweepEntry,
  type RetainedJob,
} from '../../../src/jobs/retention.js';

const now = 1_000_000;

function job(partial: Partial<RetainedJob> = {}): RetainedJob {
  return {
    id: 'film',
    dir: '/work/streams/film',
    status: 'running',
    createdAt: new Date(now - 60_000),
    lastActivity: now - 30_000,
    lastRequest: now - 30_000,
    finishedAt: null,
    streamRemoved: false,
    arrivals: { waiting: 0 },
    stream: null,
    ...partial,
  };
}

/** A stream parked at `parkedAt` with `processes` FFmpeg runs (a parked one may keep a paused head). */
const stream = (parkedAt: number | null, processes: number): RetainedJob['stream'] => ({
  parkedAt,
  runs: () => Array.from({ length: processes }),
});

describe('sweepEntry', () => {
  it('gives the times in ms and the stream folder the sweep measures', () => {
    const finished = job({ status: 'completed', finishedAt: new Date(now - 5000), lastRequest: null });
    assert.deepEqual(sweepEntry(finished, now), {
      id: 'film',
      dir: '/work/streams/film',
      live: false,
      createdAt: now - 60_000,
      lastActivity: now - 30_000,
      lastRequest: null,
      finishedAt: now - 5000,
      streamRemoved: false,
      parkedAt: null,
      processes: 0,
    });
  });

  it('counts a viewer waiting for a file not yet made as activity right now, never as a request', () => {
    const entry = sweepEntry(job({ arrivals: { waiting: 1 } }), now);
    assert.equal(entry.lastActivity, now);
    assert.equal(entry.lastRequest, now - 30_000);
    assert.equal(sweepEntry(job(), now).lastActivity, now - 30_000);
  });

  it("reports a live job's parking and FFmpeg runs, a stopped job's never (its stream may still say so)", () => {
    const parked = sweepEntry(job({ stream: stream(now - 8000, 1) }), now);
    assert.deepEqual([parked.live, parked.parkedAt, parked.processes], [true, now - 8000, 1]);
    const probing = sweepEntry(job({ status: 'queued' }), now);
    assert.deepEqual([probing.live, probing.parkedAt, probing.processes], [true, null, 0]);
    for (const status of ['completed', 'failed', 'cancelled'] as const) {
      const ended = sweepEntry(
        job({ status, finishedAt: new Date(now), stream: stream(now - 8000, 2) }),
        now,
      );
      assert.deepEqual([ended.live, ended.parkedAt, ended.processes], [false, null, 0], status);
    }
  });
});

describe('mayRemoveStream and mayForget', () => {
  const statuses: JobStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];
  it('a stream folder goes once, after its job stopped; a record only once its job stopped', () => {
    for (const status of statuses) {
      const stopped = status !== 'queued' && status !== 'running';
      assert.equal(mayRemoveStream({ status, streamRemoved: false }), stopped, status);
      assert.equal(mayRemoveStream({ status, streamRemoved: true }), false, `${status}, removed already`);
      assert.equal(mayForget({ status }), stopped, status);
    }
  });
});

describe('removeEmptyFolder', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tw-retention-'));

  it('removes an empty folder, and counts one already gone as removed: the record may go', async () => {
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    assert.equal(await removeEmptyFolder(empty), true);
    assert.equal(existsSync(empty), false);
    assert.equal(await removeEmptyFolder(path.join(root, 'never-made')), true);
  });

  it('keeps a folder that holds a file after all, and says the record stays with it', async () => {
    const kept = path.join(root, 'kept');
    mkdirSync(kept);
    writeFileSync(path.join(kept, 'seg-0.ts'), 'x');
    assert.equal(await removeEmptyFolder(kept), false);
    assert.equal(existsSync(path.join(kept, 'seg-0.ts')), true);
  });

  it("reads rmdir's answer: none or ENOENT let the record go, anything else keeps it", () => {
    const err = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });
    assert.equal(recordGoesWithFolder(null), true);
    assert.equal(recordGoesWithFolder(err('ENOENT')), true);
    for (const code of ['ENOTEMPTY', 'EEXIST', 'EACCES', 'EBUSY'])
      assert.equal(recordGoesWithFolder(err(code)), false, code);
  });
});
