// Pid records: what a crashed worker's next start can rebuild from them, and old records still read.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  lostJobs,
  PidRecords,
  recordedJob,
  type RecordedJob,
  type ReapedOrphan,
} from '../../../src/ffmpeg/pid-records.js';

const job: RecordedJob = {
  request: { id: 'a', input: 'film.mkv', video: { codec: 'h264' } },
  createdAt: '2025-01-01T10:00:00.000Z',
  startedAt: '2025-01-01T10:00:01.000Z',
  encoder: 'libx264',
};

function reaped(jobId: string, partial: Partial<ReapedOrphan> = {}): ReapedOrphan {
  return { jobId, pid: 1234, startTime: 5, outputDir: `/w/streams/${jobId}`, killed: true, ...partial };
}

describe('recordedJob', () => {
  it('accepts a record written by this version', () => {
    assert.deepEqual(recordedJob(job), job);
  });

  it('ignores what older versions wrote (nothing) and anything malformed', () => {
    assert.equal(recordedJob(undefined), undefined);
    assert.equal(recordedJob({ ...job, request: { input: 'x' } }), undefined, 'request fails the schema');
    assert.equal(recordedJob({ ...job, startedAt: 'yesterday' }), undefined);
    assert.equal(recordedJob({ ...job, encoder: 7 }), undefined);
  });
});

describe('lostJobs', () => {
  it('one lost job per id, the latest run; records without a job or with an impossible id are skipped', () => {
    const later = { ...job, startedAt: '2025-01-01T10:05:00.000Z', encoder: 'libx264' };
    const lost = lostJobs([
      reaped('a', { job: { ...job, encoder: 'h264_vaapi' } }),
      reaped('a', { job: later, killed: false }),
      reaped('old-format'),
      reaped('../x', { job }),
    ]);
    assert.deepEqual(lost, [{ id: 'a', ...later }]);
  });
});

describe('PidRecords', () => {
  it('reaps records of older versions and of dead processes without killing anything, and clears them', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'tw-pids-'));
    const records = new PidRecords(work);
    const dir = path.join(work, 'pids');
    // pid 2 exists on Linux (kthreadd) with another start time: never a match.
    writeFileSync(
      path.join(dir, 'old.2.json'),
      JSON.stringify({ jobId: 'old', pid: 2, startTime: 1, outputDir: '/x' }),
    );
    writeFileSync(path.join(dir, 'new.2.json'), JSON.stringify({ ...reaped('new', { pid: 2 }), job }));
    writeFileSync(path.join(dir, 'cut.3.json'), '{"jobId":"cut","pi');
    const out = (await records.reapOrphans()).sort((a, b) => a.jobId.localeCompare(b.jobId));
    assert.deepEqual(
      out.map((r) => [r.jobId, r.killed, r.job?.encoder]),
      [
        ['new', false, 'libx264'],
        ['old', false, undefined],
      ],
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it('add() reports a failed write instead of throwing', () => {
    const work = mkdtempSync(path.join(tmpdir(), 'tw-pids-'));
    const records = new PidRecords(work);
    // A folder where the record file should go: the write fails as it would on a full disk.
    mkdirSync(path.join(work, 'pids', `j.${process.pid}.json`));
    const err = records.add('j', process.pid, '/x', job);
    assert.ok(err instanceof Error);
    assert.equal((err as NodeJS.ErrnoException).code, 'EISDIR');
  });
});
