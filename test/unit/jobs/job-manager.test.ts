// The manager's admission across its awaits, with fakes for the world (no FFmpeg: a fake ffprobe fails every probe):
// the order of the checks against the I/O between them, what a refusal leaves behind, and concurrent POSTs.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay, setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { buildConfig } from '../../../src/config.js';
import { PidRecords } from '../../../src/ffmpeg/pid-records.js';
import type { EncoderCheck } from '../../../src/hardware/types.js';
import { JobManager } from '../../../src/jobs/job-manager.js';
import type { JobRequest } from '../../../src/contract/job-request.js';
import type { DiskState } from '../../../src/jobs/sweep-rules.js';
import { createLogger } from '../../../src/log.js';
import { ProbeCache } from '../../../src/media/probe-cache.js';
import type { CommandResult } from '../../../src/process/run-command.js';

const MB = 1048576;
const ROOMY: DiskState = { freeBytes: 5000 * MB, floorBytes: 1000 * MB };
const FULL: DiskState = { freeBytes: 10 * MB, floorBytes: 1000 * MB };
const usableX264: EncoderCheck = {
  name: 'libx264',
  codec: 'h264',
  accelerator: null,
  device: null,
  usable: true,
};

interface World {
  readonly manager: JobManager;
  readonly mount: string;
  readonly streams: string;
  /** How often the manager read the disk. */
  readonly diskReads: () => number;
}

/** A manager over a temp mount holding a.mkv; `disk` answers each disk reading (a promise: the test decides when). */
function world(disk: () => DiskState | Promise<DiskState> = () => ROOMY): World {
  const mount = realpathSync(mkdtempSync(path.join(tmpdir(), 'tw-manager-mount-')));
  writeFileSync(path.join(mount, 'a.mkv'), 'not a film');
  const work = mkdtempSync(path.join(tmpdir(), 'tw-manager-work-'));
  const config = buildConfig(
    { auth_token: 'a-long-enough-token', nas_mount_path: mount, work_dir: work, limits: { max_jobs: 1 } },
    '/',
    { env: {}, hostname: 'test-host', cwd: '/' },
    'test',
  );
  let reads = 0;
  // ffprobe says what it says of a file that is no film, naming the path it opened.
  const probe = (_file: string, args: readonly string[]): Promise<CommandResult> =>
    Promise.resolve({
      exitCode: 1,
      signal: null,
      stdout: '',
      stderr: `${args.at(-1) ?? ''}: Invalid data found when processing input`,
      timedOut: false,
    });
  const streams = path.join(work, 'streams');
  const manager = new JobManager({
    config,
    runCommand: probe,
    launcher: { prefix: [], niceAfterSpawn: null, processGroup: true },
    pidRecords: new PidRecords(work),
    threads: () => null,
    lowMemory: () => false,
    markUnusable: () => undefined,
    forgetFile: () => undefined,
    log: createLogger('silent'),
    onChange: () => undefined,
    readDisk: async () => {
      reads++;
      return disk();
    },
    canPause: true,
    probes: new ProbeCache(),
    streamsDir: streams,
    advertiseUrl: () => 'http://worker:8081',
    availableMemoryBytes: () => 1000 * MB,
    encoders: {
      usable: (c) => (c === 'h264' ? [usableX264] : []),
      known: () => [usableX264],
      tested: Promise.resolve(),
    },
    platform: 'linux',
  });
  return { manager, mount, streams, diskReads: () => reads };
}

const job = (id: string, extra: Partial<JobRequest> = {}): JobRequest => ({
  id,
  input: 'a.mkv',
  video: { codec: 'h264' },
  ...extra,
});

describe('JobManager admission', () => {
  it('checks in order: draining, the id, the input, the encoder, then the disk it reads last', async () => {
    // Every fault at once, then one fewer each time: each refusal names the first fault left.
    const faults = ['DRAINING', 'JOB_EXISTS', 'INPUT_NOT_FOUND', 'ENCODER_UNAVAILABLE', 'DISK_FULL'];
    for (let first = 0; first < faults.length; first++) {
      const has = (code: string): boolean => faults.indexOf(code) >= first;
      const w = world(() => (has('DISK_FULL') ? FULL : ROOMY));
      if (has('JOB_EXISTS'))
        w.manager.registerLost([
          {
            id: 'film',
            request: job('film'),
            createdAt: new Date().toISOString(),
            startedAt: new Date().toISOString(),
            encoder: 'libx264',
          },
        ]);
      if (has('DRAINING')) await w.manager.drain();
      const request = job('film', {
        input: has('INPUT_NOT_FOUND') ? 'none.mkv' : 'a.mkv',
        video: { codec: 'h264', hardware: has('ENCODER_UNAVAILABLE') ? 'h264_vaapi' : 'auto' },
      });
      await assert.rejects(w.manager.submit(request), { code: faults[first] });
      // The disk is read only once the input and the encoder passed, just before the last check.
      assert.equal(w.diskReads(), faults[first] === 'DISK_FULL' ? 1 : 0, faults[first]);
      assert.equal(existsSync(w.streams) && readdirSync(w.streams).length > 0, false, 'no stream folder');
    }
  });

  it('keeps the disk reading of a refused job: the heartbeat says busy (low_disk) at once', async () => {
    const w = world(() => FULL);
    assert.equal(w.manager.capacity().status, 'ready');
    await assert.rejects(w.manager.submit(job('film')), {
      code: 'DISK_FULL',
      httpStatus: 507,
      retryAfter: 10,
    });
    assert.deepEqual(w.manager.capacity(), { status: 'busy', reason: 'low_disk' });
    assert.deepEqual(w.manager.list(), []);
  });

  it('concurrent POSTs: of two with one id, or two for the last slot, the second is refused just before insertion', async () => {
    let open = (): void => undefined;
    const gate = new Promise<DiskState>((resolve) => {
      open = () => resolve(ROOMY);
    });
    const w = world(() => gate);
    const settle = (p: Promise<unknown>): Promise<string> =>
      p.then(
        () => 'accepted',
        (err: unknown) => (err as { code: string }).code,
      );
    // All three pass their arrival check and wait at the disk reading: none is inserted yet. Each is let in only once
    // the one before waits there: they reach it after the input's file-system checks, whose order the thread pool
    // decides, and the order in which they reach it is the order in which they are inserted.
    const answers: Promise<string>[] = [];
    for (const id of ['same', 'same', 'other']) {
      answers.push(settle(w.manager.submit(job(id))));
      while (w.diskReads() < answers.length) await tick();
    }
    open();
    assert.deepEqual(await Promise.all(answers), ['accepted', 'JOB_EXISTS', 'AT_CAPACITY']);
    await w.manager.drain();
  });

  it("an accepted job's view names the input as posted: the fake ffprobe's words lose the mount path", async () => {
    const w = world();
    const accepted = await w.manager.submit(job('film'));
    assert.equal(accepted.status, 'queued');
    assert.equal(accepted.playlistUrl, 'http://worker:8081/streams/film/stream.m3u8');
    // The probe fails at once: the job ends by itself.
    const deadline = performance.now() + 5000;
    while (w.manager.liveIds().length > 0 && performance.now() < deadline) await delay(10);
    const view = w.manager.view('film');
    assert.equal(view.status, 'failed');
    assert.match(view.error ?? '', /(^|; )a\.mkv: Invalid data found/);
    assert.ok(!(view.error ?? '').includes(w.mount), view.error);
  });
});

describe('JobManager retention', () => {
  /** A manager with one job, failed at its probe (the fake ffprobe): a stopped job with an empty stream folder. */
  async function failedJob(id: string): Promise<World> {
    const w = world();
    await w.manager.submit(job(id));
    const deadline = performance.now() + 5000;
    while (w.manager.liveIds().length > 0 && performance.now() < deadline) await delay(10);
    assert.equal(w.manager.view(id).status, 'failed');
    return w;
  }

  it('removes a stopped stream once: its URLs are gone, its record stays', async () => {
    const w = await failedJob('film');
    assert.notEqual(w.manager.stream('film'), null);
    await w.manager.removeStream('film');
    assert.equal(existsSync(path.join(w.streams, 'film')), false);
    assert.equal(w.manager.stream('film'), null);
    assert.equal(w.manager.view('film').status, 'failed');
    assert.equal(w.manager.sweepEntries()[0]?.streamRemoved, true);
  });

  it('forgets a spent record with its empty folder, and the id is free again', async () => {
    const w = await failedJob('film');
    await w.manager.forget('film');
    assert.throws(() => w.manager.view('film'), { code: 'JOB_NOT_FOUND' });
    assert.equal(existsSync(path.join(w.streams, 'film')), false);
    assert.equal((await w.manager.submit(job('film'))).status, 'queued');
    await w.manager.drain();
  });

  it('keeps a record whose folder holds a file after all, and never forgets or empties a live job', async () => {
    const w = await failedJob('film');
    writeFileSync(path.join(w.streams, 'film', 'seg-0.ts'), 'x');
    await w.manager.forget('film');
    assert.equal(w.manager.view('film').status, 'failed');
    assert.equal(existsSync(path.join(w.streams, 'film', 'seg-0.ts')), true);

    const live = world();
    await live.manager.submit(job('live'));
    // Both asked while the job is live (its probe has not answered yet): both decline at once.
    assert.deepEqual(live.manager.liveIds(), ['live']);
    await Promise.all([live.manager.forget('live'), live.manager.removeStream('live')]);
    assert.equal(live.manager.view('live').id, 'live');
    assert.equal(existsSync(path.join(live.streams, 'live')), true);
    await live.manager.drain();
  });
});
