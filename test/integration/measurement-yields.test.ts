// The start-up self-measurement comes after real work: a real worker whose job is posted while a speed run is under
// way, with the process table read every few ms (measurements one at a time at nice 19, none beside the job's FFmpeg,
// no figure measured while the job lived); then real speed runs beside another program, which publish nothing.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { MEASUREMENT_NICE } from '../../src/hardware/niced.js';
import { measureSpeeds } from '../../src/hardware/speed.js';
import { parseProcStat } from '../../src/hardware/speed-trust.js';
import type { EncoderCheck } from '../../src/hardware/types.js';
import { runCommand } from '../../src/process/run-command.js';
import { pidAlive, startTestDaemon, testConfig, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';
import { childrenOf, type ProcInfo } from '../helpers/procs.js';
import { readProcStat } from '../../src/process/proc-stat.js';

const SPEED_SOURCE = 'testsrc2=size=1920x1080:rate=30';
const TEST_SOURCE = 'testsrc2=size=256x256:rate=30';
const isMeasurement = (p: ProcInfo): boolean =>
  p.cmdline.includes(SPEED_SOURCE) || p.cmdline.includes(TEST_SOURCE);

/** This process's live children (the daemon runs in it; `nice` execs FFmpeg, so FFmpeg is a direct child). */
const liveChildren = (): ProcInfo[] => childrenOf(process.pid).filter((p) => p.state !== 'Z');

describe('measurements yield to a job', () => {
  let d: TestDaemon | undefined;
  after(async () => {
    await d?.stop();
  });

  it('a job posted during a speed run gets the CPU: the run is killed, none runs beside it, none is published', async (t) => {
    const mount = makeMountDir();
    // Made before the daemon starts: a synchronous FFmpeg must not block the loop the daemon shares.
    copyFileSync(await makeMedia({ seconds: 8, width: 1280, height: 720 }), path.join(mount, 'film.mp4'));
    d = await startTestDaemon(testConfig(mount));
    const daemon = d;
    const streamDir = path.join(daemon.config.workDir, 'streams', 'early');
    const isJobFfmpeg = (p: ProcInfo): boolean =>
      p.comm === 'ffmpeg' && p.cmdline.some((a) => a.startsWith(streamDir));

    // Every measurement process seen, with its niceness, and the most seen at once.
    const nices = new Map<number, number | null>();
    let mostAtOnce = 0;
    const look = (): ProcInfo[] => {
      const children = liveChildren();
      const measuring = children.filter(isMeasurement);
      // Once FFmpeg: `nice` itself runs at the worker's priority until it has set its own and exec'd.
      for (const p of measuring)
        if (p.comm === 'ffmpeg' && !nices.has(p.pid)) nices.set(p.pid, readProcStat(p.pid)?.nice ?? null);
      mostAtOnce = Math.max(mostAtOnce, measuring.length);
      return children;
    };
    let speedRun: ProcInfo | undefined;
    await waitFor(
      () => {
        speedRun = look().find((p) => p.cmdline.includes(SPEED_SOURCE));
        return speedRun !== undefined;
      },
      60_000,
      'a speed run under way',
    );
    assert.ok(speedRun !== undefined);
    assert.equal(mostAtOnce, 1, 'one measurement at a time (test encodes included)');

    const posted = Date.now();
    const t0 = performance.now();
    const res = await daemon.api('POST', '/jobs', {
      id: 'early',
      input: 'film.mp4',
      video: { codec: 'h264', height: 480 },
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    const killedIn = performance.now() - t0;
    const runPid = speedRun.pid;
    await waitFor(() => !pidAlive(runPid), 1000, 'the speed run to end once the job is accepted');

    // Until the job ends: the job's FFmpeg never shares the machine with a measurement.
    let spawnMs: number | null = null;
    let beside = 0;
    let status = 'queued';
    while (status === 'queued' || status === 'running') {
      const children = look();
      const job = children.filter(isJobFfmpeg);
      if (job.length > 0) {
        spawnMs ??= performance.now() - t0;
        beside += children.filter(isMeasurement).length;
      }
      status = ((await (await daemon.api('GET', '/jobs/early')).json()) as { status: string }).status;
      await new Promise((r) => setTimeout(r, 10));
    }
    const ended = Date.now();
    assert.equal(status, 'completed');
    assert.equal(beside, 0, 'no measurement process beside the job’s FFmpeg');
    assert.ok(spawnMs !== null, 'the job’s FFmpeg was seen');
    t.diagnostic(
      `POST → 202 with the speed run killed: ${Math.round(killedIn)} ms; POST → job's FFmpeg: ${Math.round(spawnMs)} ms; load ${readFileSync('/proc/loadavg', 'utf8').trim()}`,
    );

    // Measuring goes on once the job has ended; give it one more run, then look at what was published.
    await waitFor(() => look().some((p) => p.cmdline.includes(SPEED_SOURCE)), 60_000, 'measuring again');
    assert.deepEqual(
      [...nices.values()].filter((n) => n !== MEASUREMENT_NICE),
      [],
      `every measurement at nice ${MEASUREMENT_NICE}`,
    );
    for (const e of daemon.hardware.encoders()) {
      for (const [height, at] of Object.entries(e.measuredAt ?? {})) {
        const time = Date.parse(at);
        assert.ok(time < posted || time > ended, `${e.name} ${height} measured at ${at}, during the job`);
      }
    }
  });
});

describe('measurements beside another program', () => {
  const hogs: ChildProcess[] = [];
  after(() => {
    for (const h of hogs) h.kill('SIGKILL');
  });

  it('a figure measured while another program took the CPU is not published', async () => {
    // Leave the speed run one CPU fewer than it would use: the machine has no idle time, others a real share.
    for (let i = 0; i < Math.max(1, availableParallelism() - 1); i++)
      hogs.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    await waitFor(() => hogs.every((h) => h.pid !== undefined && pidAlive(h.pid)), 5000, 'the busy loops');
    // The 1080p figure is there already: one height keeps the starved runs few.
    const x264: EncoderCheck = {
      name: 'libx264',
      codec: 'h264',
      accelerator: null,
      device: null,
      usable: true,
      speed: { '1080p': 1 },
      measuredAt: { '1080p': new Date().toISOString() },
    };
    const figures: string[] = [];
    const disturbed: { othersShare?: number; idleShare?: number }[] = [];
    const complete = await measureSpeeds(
      [x264],
      {
        ffmpegPath: 'ffmpeg',
        // Not niced here: the judgement is under test, and a starved nice-19 run takes many times longer.
        runCommand,
        signal: new AbortController().signal,
        seconds: 0.2,
        readCpu: () => parseProcStat(readFileSync('/proc/stat', 'utf8')),
        busyRetryDelaysMs: [100],
        log: {
          info: (obj: { othersShare?: number; idleShare?: number }) => disturbed.push(obj),
          warn: (obj: { othersShare?: number; idleShare?: number }) => disturbed.push(obj),
        },
      },
      (_check, height, speed) => figures.push(`${height}p ${speed}×`),
    );
    assert.deepEqual(figures, [], 'nothing published under load');
    assert.equal(complete, false);
    assert.equal(disturbed.length, 2, 'two tries, each disturbed');
    for (const d of disturbed) assert.ok((d.othersShare ?? 0) > 0.15, JSON.stringify(d));
  });
});
