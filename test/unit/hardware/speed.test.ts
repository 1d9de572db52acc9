// Speed runs: arithmetic and sequencing with a fake runner, clock, work gate and /proc/stat, then short real runs.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { measureSpeeds, speedArgs, speedMultiple, speedOrder } from '../../../src/hardware/speed.js';
import type { CpuTimes } from '../../../src/hardware/speed-trust.js';
import type { EncoderCheck } from '../../../src/hardware/types.js';
import { WorkGate, type WorkState } from '../../../src/hardware/work-gate.js';
import { runCommand } from '../../../src/process/run-command.js';
import { fakeRun, result } from './fake-run.js';

const x264: EncoderCheck = { name: 'libx264', codec: 'h264', accelerator: null, device: null, usable: true };
const vaapi: EncoderCheck = {
  name: 'h264_vaapi',
  codec: 'h264',
  accelerator: 'vaapi',
  device: '/dev/dri/renderD128',
  usable: true,
};
const nvenc: EncoderCheck = {
  name: 'h264_nvenc',
  codec: 'h264',
  accelerator: 'nvenc',
  device: '/dev/nvidia0',
  usable: false,
  reason: 'x',
};

test('speed = video seconds / wall seconds, 2 decimals', () => {
  assert.equal(speedMultiple(2, 500), 4);
  assert.equal(speedMultiple(2, 3000), 0.67);
  assert.equal(speedMultiple(2, 0), null);
});

test('hardware first, unusable left out', () => {
  assert.deepEqual(
    speedOrder([x264, nvenc, vaapi]).map((c) => c.name),
    ['h264_vaapi', 'libx264'],
  );
});

test('the speed command: 2 s of generated 1080p30 through the family chain', () => {
  assert.deepEqual(speedArgs(vaapi, 720, 2), [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'info',
    '-nostats',
    '-benchmark',
    '-vaapi_device',
    '/dev/dri/renderD128',
    '-f',
    'lavfi',
    '-t',
    '2',
    '-i',
    'testsrc2=size=1920x1080:rate=30',
    '-vf',
    'format=nv12,hwupload,scale_vaapi=w=-2:h=720',
    '-c:v',
    'h264_vaapi',
    '-profile:v',
    'high',
    '-rc_mode',
    'VBR',
    '-b:v',
    '3000k',
    '-maxrate',
    '3000k',
    '-bufsize',
    '6000k',
    '-force_key_frames',
    'expr:gte(t,n_forced*4)',
    '-g',
    '120',
    '-an',
    '-f',
    'null',
    '-',
  ]);
});

test('one run at a time, each figure from the clock; a failed run is left out and logged', async () => {
  let clock = 0;
  let running = 0;
  let maxRunning = 0;
  // Each run "takes" 500 ms of fake clock, except the 1080p vaapi run, which fails.
  const fake = fakeRun(async (_file, args) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await sleep(5);
    clock += 500;
    running--;
    const failing = args.includes('h264_vaapi') && args.some((a) => a.endsWith('h=1080'));
    return failing ? result({ exitCode: 1, stderr: 'boom' }) : result();
  });
  const speeds: string[] = [];
  const warnings: object[] = [];
  const complete = await measureSpeeds(
    [x264, nvenc, vaapi],
    {
      ffmpegPath: '/usr/bin/ffmpeg',
      runCommand: fake.run,
      signal: new AbortController().signal,
      now: () => clock,
      log: { info: () => undefined, warn: (obj) => warnings.push(obj) },
    },
    (check, height, speed) => speeds.push(`${check.name} ${height} ${speed}`),
  );
  assert.equal(maxRunning, 1);
  assert.deepEqual(speeds, ['h264_vaapi 720 4', 'libx264 720 4', 'libx264 1080 4']);
  assert.deepEqual(warnings, [{ encoder: 'h264_vaapi', height: 1080, exitCode: 1, timedOut: false }]);
  assert.equal(complete, false, 'a figure is missing');
  assert.deepEqual(
    fake.calls.map((c) => c.file),
    ['/usr/bin/ffmpeg', '/usr/bin/ffmpeg', '/usr/bin/ffmpeg', '/usr/bin/ffmpeg'],
  );
});

test('a figure already there is not measured again', async () => {
  const fake = fakeRun(() => result());
  const complete = await measureSpeeds(
    [{ ...x264, speed: { '720p': 3 }, measuredAt: { '720p': '2026-12-02T05:00:00.000Z' } }],
    { ffmpegPath: 'ffmpeg', runCommand: fake.run, signal: new AbortController().signal },
    () => undefined,
  );
  assert.equal(fake.calls.length, 1);
  assert.ok(fake.calls[0]?.args.some((a) => a.startsWith('scale=-2:1080')));
  assert.equal(complete, true);
});

test('abort stops before the next run', async () => {
  const controller = new AbortController();
  const fake = fakeRun(() => {
    controller.abort();
    return result();
  });
  await measureSpeeds(
    [vaapi, x264],
    { ffmpegPath: 'ffmpeg', runCommand: fake.run, signal: controller.signal },
    () => undefined,
  );
  assert.equal(fake.calls.length, 1);
});

/** A gate over a plain state the test changes, as the daemon does over its jobs and sample creation. */
function gateOver(initial: WorkState): { gate: WorkGate; set(s: Partial<WorkState>): void } {
  let state = initial;
  const gate = new WorkGate(() => state);
  return {
    gate,
    set(s) {
      state = { ...state, ...s };
      gate.changed();
    },
  };
}

test('a job accepted during a run kills it at once; the figure comes from a run after the job', async () => {
  const work = gateOver({ liveJobs: 0, jobStarts: 0, sampling: false });
  let clock = 0;
  const killed: boolean[] = [];
  const fake = fakeRun(async () => {
    if (fake.calls.length === 1) {
      // The first run: a job is accepted 5 ms in; the run must end by its signal, long before its 60 s.
      const signal = fake.calls[0]?.options.signal;
      setTimeout(() => work.set({ liveJobs: 1, jobStarts: 1 }), 5);
      await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
      killed.push(signal?.aborted === true);
      // The job ends a little later; only then may the next run start.
      setTimeout(() => work.set({ liveJobs: 0 }), 20);
      return result({ exitCode: null, signal: 'SIGKILL' });
    }
    clock += 500;
    return result();
  });
  const speeds: string[] = [];
  const logs: string[] = [];
  const started = performance.now();
  await measureSpeeds(
    [x264],
    {
      ffmpegPath: 'ffmpeg',
      runCommand: fake.run,
      signal: new AbortController().signal,
      now: () => clock,
      quiet: work.gate,
      log: { info: (_o, msg) => logs.push(msg), warn: (_o, msg) => logs.push(msg) },
    },
    (check, height, speed) => speeds.push(`${check.name} ${height} ${speed}`),
  );
  assert.deepEqual(killed, [true]);
  assert.equal(fake.calls.length, 3, 'the 720p run was done again');
  assert.deepEqual(speeds, ['libx264 720 4', 'libx264 1080 4']);
  assert.deepEqual(logs, ['speed run stopped: the worker has work; measuring again when it is quiet']);
  assert.ok(performance.now() - started < 5000);
});

test('runs wait for the sample creation and for live jobs; a job that came and went during a run redoes it', async () => {
  const work = gateOver({ liveJobs: 0, jobStarts: 0, sampling: true });
  const order: string[] = [];
  const fake = fakeRun(() => {
    order.push(`run ${fake.calls.length}`);
    // A job starts and ends within the first run, between two looks of the gate (no changed() call).
    if (fake.calls.length === 1) work.set({ jobStarts: 1 });
    return result();
  });
  const done = measureSpeeds(
    [x264],
    { ffmpegPath: 'ffmpeg', runCommand: fake.run, signal: new AbortController().signal, quiet: work.gate },
    () => order.push('figure'),
  );
  await sleep(30);
  assert.equal(order.length, 0, 'nothing runs while the sample is made');
  order.push('sample made');
  work.set({ sampling: false });
  await done;
  assert.deepEqual(order, ['sample made', 'run 1', 'run 2', 'figure', 'run 3', 'figure']);
});

/** A fake /proc/stat: each reading adds what the test says happened during the run. */
function cpuClock(): { read: () => CpuTimes; spend(busyMs: number, totalMs: number): void } {
  let t = { busyMs: 1_000_000, totalMs: 4_000_000 };
  return {
    read: () => t,
    spend(busyMs, totalMs) {
      t = { busyMs: t.busyMs + busyMs, totalMs: t.totalMs + totalMs };
    },
  };
}

const bench = (cpuS: number, realS: number): string =>
  `frame=   60\nbench: utime=${cpuS.toFixed(3)}s stime=0.000s rtime=${realS.toFixed(3)}s\nbench: maxrss=80000kB\n`;

test('other programs took the CPU: not published, measured again after a wait, then left out', async () => {
  const cpu = cpuClock();
  let clock = 0;
  // Every run: 1 s wall on 2 CPUs (2000 ms), FFmpeg used 0.6 s, the machine was busy all along.
  const fake = fakeRun(() => {
    clock += 1000;
    cpu.spend(2000, 2000);
    return result({ stderr: bench(0.55, 0.95) });
  });
  const speeds: string[] = [];
  const infos: object[] = [];
  const warnings: object[] = [];
  const complete = await measureSpeeds(
    [x264],
    {
      ffmpegPath: 'ffmpeg',
      runCommand: fake.run,
      signal: new AbortController().signal,
      now: () => clock,
      readCpu: cpu.read,
      busyRetryDelaysMs: [1, 2],
      log: { info: (o) => infos.push(o), warn: (o) => warnings.push(o) },
    },
    (check, height, speed) => speeds.push(`${check.name} ${height} ${speed}`),
  );
  assert.deepEqual(speeds, []);
  assert.equal(complete, false);
  assert.equal(fake.calls.length, 6, 'three tries per height');
  assert.deepEqual(infos[0], {
    encoder: 'libx264',
    height: 720,
    kind: 'busy',
    othersShare: 0.7,
    idleShare: 0,
    retryInMs: 1,
  });
  assert.equal(warnings.length, 2);
});

test('a run the machine left alone is published; one with spare idle CPU too, whatever else ran', async () => {
  const cpu = cpuClock();
  let clock = 0;
  const shares = [
    // Busy during the first run only: measured again, then published.
    { busy: 2000, own: 0.6 },
    { busy: 620, own: 0.6 },
    // A GPU-like run: little CPU of its own, others took half a CPU, but a third of the machine sat idle.
    { busy: 1300, own: 0.25 },
  ];
  const fake = fakeRun(() => {
    const s = shares.shift() ?? { busy: 600, own: 0.6 };
    clock += 1000;
    cpu.spend(s.busy, 2000);
    return result({ stderr: bench(s.own, 1) });
  });
  const speeds: string[] = [];
  await measureSpeeds(
    [x264],
    {
      ffmpegPath: 'ffmpeg',
      runCommand: fake.run,
      signal: new AbortController().signal,
      now: () => clock,
      readCpu: cpu.read,
      busyRetryDelaysMs: [1],
    },
    (check, height, speed) => speeds.push(`${check.name} ${height} ${speed}`),
  );
  assert.deepEqual(speeds, ['libx264 720 2', 'libx264 1080 2']);
  assert.equal(fake.calls.length, 3);
});

test('real FFmpeg: libx264 at 720p and 1080p gives positive speeds (0.5 s of source)', async () => {
  const speeds = new Map<number, number>();
  await measureSpeeds(
    [x264],
    {
      ffmpegPath: '/usr/bin/ffmpeg',
      runCommand,
      signal: new AbortController().signal,
      seconds: 0.5,
    },
    (_check, height, speed) => speeds.set(height, speed),
  );
  assert.deepEqual([...speeds.keys()], [720, 1080]);
  for (const s of speeds.values()) assert.ok(s > 0 && s < 1000, String(s));
});
