// A copy job's keyframe index is an ffprobe reading the whole source: it runs niced, in the pid records, and ends
// with its job (FFmpeg failed, cancelled), so nothing reads on after the job has ended. After a crash the orphan reaper
// finds it by its record. A stopped ffprobe (SIGSTOP) stands for a read held up by a slow NAS: it is still running
// whenever the test looks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PidRecords, type PidRecord } from '../../src/ffmpeg/pid-records.js';
import { chooseLauncher } from '../../src/ffmpeg/process.js';
import { readKeyframes } from '../../src/media/keyframe-index.js';
import {
  pidAlive,
  startTestDaemon,
  testConfig,
  waitFor,
  waitForJobEnd,
  type TestDaemon,
} from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';
import { childrenOf, type ProcInfo } from '../helpers/procs.js';
import { readProcStat } from '../../src/process/proc-stat.js';

const NICE = 10;

/** This process's keyframe-index ffprobes (the source probe asks for streams, not packets). */
const indexProbes = (): ProcInfo[] =>
  childrenOf(process.pid).filter(
    (p) => p.comm === 'ffprobe' && p.cmdline.includes('packet=pts_time,flags') && p.state !== 'Z',
  );

const expectedNice = Math.min(19, getPriority() + NICE);

describe('keyframe index of a copy job', () => {
  let d: TestDaemon;
  let mount = '';
  before(async () => {
    mount = makeMountDir();
    // 10 minutes (150 MB), made before the daemon starts: the index takes a while to read, the copy to make.
    // prettier-ignore
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', '59',
      '-i', await makeMedia({ seconds: 10, width: 640, height: 360 }), '-c', 'copy', path.join(mount, 'film.mp4'),
    ]);
    d = await startTestDaemon(testConfig(mount, { ffmpeg: { nice: NICE } }), { measureSpeed: false });
  });
  after(async () => {
    // Without the fix a stopped ffprobe would outlive every job: do not leave it to hang the test process.
    for (const p of indexProbes()) process.kill(p.pid, 'SIGKILL');
    await d.stop();
    rmSync(mount, { recursive: true, force: true });
  });

  /** Posts a copy job and returns its index ffprobe and FFmpeg, both stopped (SIGSTOP) as soon as they appear. */
  async function startCopy(id: string): Promise<{ probe: number; ffmpeg: number }> {
    const res = await d.api('POST', '/jobs', { id, input: 'film.mp4', video: { codec: 'copy' } });
    assert.equal(res.status, 202, await res.text());
    let probe = 0;
    let ffmpeg = 0;
    await waitFor(
      () => {
        if (probe === 0) probe = indexProbes()[0]?.pid ?? 0;
        if (probe > 0) process.kill(probe, 'SIGSTOP');
        if (ffmpeg === 0) ffmpeg = d.jobs.pids()[id] ?? 0;
        if (ffmpeg > 0) process.kill(ffmpeg, 'SIGSTOP');
        return probe > 0 && ffmpeg > 0;
      },
      10_000,
      `the keyframe ffprobe and the FFmpeg of ${id}`,
    );
    return { probe, ffmpeg };
  }

  let failing = { probe: 0, ffmpeg: 0 };

  it('runs niced, as FFmpeg does, and has a pid record naming its job', async () => {
    failing = await startCopy('copy-fails');
    assert.equal(readProcStat(failing.probe)?.nice, expectedNice, 'ffprobe nice');
    assert.equal(readProcStat(failing.ffmpeg)?.nice, expectedNice, 'FFmpeg nice');
    const file = path.join(d.config.workDir, 'pids', `copy-fails.${failing.probe}.json`);
    assert.ok(existsSync(file), 'pid record of the ffprobe');
    const record = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
    assert.equal(record.jobId, 'copy-fails');
    assert.equal(record.job?.request.input, 'film.mp4');
  });

  it("ends when the job's FFmpeg fails: none left once the job reads failed, record removed", async () => {
    assert.ok(failing.probe > 0, 'the previous test found the ffprobe');
    // The OOM killer's way: the copy's FFmpeg dies, the job fails.
    process.kill(failing.ffmpeg, 'SIGKILL');
    const view = await waitForJobEnd(d, 'copy-fails', 20_000);
    assert.equal(view.status, 'failed');
    assert.ok(!pidAlive(failing.probe), 'the ffprobe is gone when the job has failed');
    assert.deepEqual(indexProbes(), []);
    assert.ok(!existsSync(path.join(d.config.workDir, 'pids', `copy-fails.${failing.probe}.json`)));
  });

  it('ends when the job is cancelled: gone when DELETE answers', async () => {
    const { probe } = await startCopy('copy-cancelled');
    const res = await d.api('DELETE', '/jobs/copy-cancelled');
    assert.equal(((await res.json()) as { status: string }).status, 'cancelled');
    assert.ok(!pidAlive(probe), 'the ffprobe is gone when DELETE answers');
    assert.deepEqual(indexProbes(), []);
  });

  it('is reaped after a crash: a new start finds it by its record and kills it', async () => {
    const workDir = mkdtempSync(path.join(tmpdir(), 'tw-work-'));
    const launcher = chooseLauncher(process.platform, NICE, () => true);
    const records = new PidRecords(workDir);
    const index = readKeyframes(
      { launcher, ffprobePath: 'ffprobe', pidRecords: records, log: { warn: () => undefined } },
      {
        jobId: 'crashed',
        record: {
          request: { input: 'film.mp4', video: { codec: 'copy' } },
          createdAt: new Date().toISOString(),
          startedAt: new Date().toISOString(),
          encoder: 'copy',
        },
      },
      path.join(mount, 'film.mp4'),
      new AbortController().signal,
    );
    let probe = 0;
    await waitFor(
      () => {
        probe = indexProbes()[0]?.pid ?? 0;
        if (probe > 0) process.kill(probe, 'SIGSTOP');
        return probe > 0;
      },
      10_000,
      'the ffprobe',
    );
    // What the next start of a worker killed with SIGKILL does: the records of the dead one, read afresh.
    const reaped = await new PidRecords(workDir).reapOrphans();
    assert.deepEqual(
      reaped.map((r) => [r.jobId, r.pid, r.killed]),
      [['crashed', probe, true]],
    );
    assert.equal(await index.times, null);
    assert.ok(!pidAlive(probe));
    await index.stop();
    rmSync(workDir, { recursive: true, force: true });
  });
});
