// Speed runs: arithmetic and sequencing with a fake runner and clock, then one short real run of libx264.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { measureSpeeds, speedArgs, speedMultiple, speedOrder } from '../../../src/hardware/speed.js';
import type { EncoderCheck } from '../../../src/hardware/types.js';
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
    'error',
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

test('one run at a time, niced, each figure from the clock; a failed run is left out and logged', async () => {
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
  await measureSpeeds(
    [x264, nvenc, vaapi],
    {
      ffmpegPath: '/usr/bin/ffmpeg',
      runCommand: fake.run,
      platform: 'linux',
      signal: new AbortController().signal,
      now: () => clock,
      log: { warn: (obj) => warnings.push(obj) },
    },
    (check, height, speed) => speeds.push(`${check.name} ${height} ${speed}`),
  );
  assert.equal(maxRunning, 1);
  assert.deepEqual(speeds, ['h264_vaapi 720 4', 'libx264 720 4', 'libx264 1080 4']);
  assert.deepEqual(warnings, [{ encoder: 'h264_vaapi', height: 1080, exitCode: 1, timedOut: false }]);
  assert.deepEqual(
    fake.calls.map((c) => c.file),
    ['nice', 'nice', 'nice', 'nice'],
  );
  assert.deepEqual(fake.calls[0]?.args.slice(0, 3), ['-n', '10', '/usr/bin/ffmpeg']);
});

test('no nice on the system: measured un-niced from then on; Windows runs FFmpeg directly', async () => {
  const noNice = fakeRun((file) =>
    file === 'nice' ? result({ exitCode: null, spawnError: 'spawn nice ENOENT' }) : result(),
  );
  const deps = {
    ffmpegPath: 'ffmpeg',
    runCommand: noNice.run,
    signal: new AbortController().signal,
  } as const;
  await measureSpeeds([x264], { ...deps, platform: 'linux' }, () => undefined);
  assert.deepEqual(
    noNice.calls.map((c) => c.file),
    ['nice', 'ffmpeg', 'ffmpeg'],
  );
  const win = fakeRun(() => result());
  await measureSpeeds([x264], { ...deps, runCommand: win.run, platform: 'win32' }, () => undefined);
  assert.deepEqual(
    win.calls.map((c) => c.file),
    ['ffmpeg', 'ffmpeg'],
  );
});

test('abort stops before the next run', async () => {
  const controller = new AbortController();
  const fake = fakeRun(() => {
    controller.abort();
    return result();
  });
  await measureSpeeds(
    [vaapi, x264],
    { ffmpegPath: 'ffmpeg', runCommand: fake.run, platform: 'linux', signal: controller.signal },
    () => undefined,
  );
  assert.equal(fake.calls.length, 1);
});

test('real FFmpeg: libx264 at 720p and 1080p gives positive speeds (0.5 s of source)', async () => {
  const speeds = new Map<number, number>();
  await measureSpeeds(
    [x264],
    {
      ffmpegPath: '/usr/bin/ffmpeg',
      runCommand,
      platform: 'linux',
      signal: new AbortController().signal,
      seconds: 0.5,
    },
    (_check, height, speed) => speeds.set(height, speed),
  );
  assert.deepEqual([...speeds.keys()], [720, 1080]);
  for (const s of speeds.values()) assert.ok(s > 0 && s < 1000, String(s));
});

test('speed runs wait for quiet and redo a run a job overlapped', async () => {
  let starts = 0;
  let waits = 0;
  let clock = 0;
  const fake = fakeRun(() => {
    // A job starts during the very first run only.
    if (fake.calls.length === 1) starts++;
    clock += 500;
    return result();
  });
  const speeds: string[] = [];
  await measureSpeeds(
    [x264],
    {
      ffmpegPath: 'ffmpeg',
      runCommand: fake.run,
      platform: 'linux',
      signal: new AbortController().signal,
      now: () => clock,
      quiet: {
        wait: () => {
          waits++;
          return Promise.resolve();
        },
        starts: () => starts,
      },
    },
    (check, height, speed) => speeds.push(`${check.name} ${height} ${speed}`),
  );
  assert.equal(fake.calls.length, 3, 'the 720p run was measured twice');
  assert.deepEqual(speeds, ['libx264 720 4', 'libx264 1080 4']);
  assert.equal(waits, 3, 'every run waited for quiet first');
});
