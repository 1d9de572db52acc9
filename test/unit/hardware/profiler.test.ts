// The profiler end to end: a fake machine (temporary /proc, /sys, /dev with an Intel render node) and a fake
// runner answering with this machine's real FFmpeg 5.1 listings and test-encode stderr; then the real FFmpeg.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  createHardwareProfiler,
  fastestFirst,
  withoutStreamFolders,
  type HardwareProfilerDeps,
} from '../../../src/hardware/profiler.js';
import type { EncoderCheck } from '../../../src/hardware/types.js';
import { runCommand } from '../../../src/process/run-command.js';
import { fakeRun, result } from './fake-run.js';
import { fakeTree, type FakeTree } from './fake-tree.js';
import { fixture } from './fixture.js';

const cleanup: (() => void)[] = [];
after(() => {
  for (const f of cleanup) f();
});

function intelMachine(): FakeTree {
  const t = fakeTree();
  cleanup.push(() => {
    t.remove();
  });
  t.file('proc/cpuinfo', fixture('cpuinfo-x86-amd-epyc-2vcpu.txt'));
  t.file('proc/meminfo', fixture('meminfo-debian12.txt'));
  t.file('proc/self/cgroup', fixture('proc-self-cgroup-v2.txt'));
  t.file('dev/dri/renderD128');
  t.file('sys/class/drm/renderD128/device/vendor', '0x8086\n');
  return t;
}

function workDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-prof-'));
  cleanup.push(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

type Kind = 'info' | 'test' | 'speed';
const kindOf = (file: string, args: readonly string[]): Kind =>
  args.includes('testsrc2=size=256x256:rate=30')
    ? 'test'
    : args.includes('testsrc2=size=1920x1080:rate=30')
      ? 'speed'
      : 'info';

/** FFmpeg 5.1 as it answers on this machine: listings from fixtures, hardware encodes fail, software ones pass. */
function fakeFfmpeg(): ReturnType<typeof fakeRun> & { kinds: () => Kind[] } {
  const fake = fakeRun((file, args) => {
    if (args.includes('-version')) return result({ stdout: fixture('ffmpeg-5.1-version.txt') });
    if (args.includes('-encoders')) return result({ stdout: fixture('ffmpeg-5.1-encoders.txt') });
    if (args.includes('-hwaccels')) return result({ stdout: fixture('ffmpeg-5.1-hwaccels.txt') });
    const hw = args.find((a) => /_(vaapi|qsv|nvenc|v4l2m2m)$/.test(a));
    if (hw !== undefined)
      return result({
        exitCode: 1,
        stderr: fixture(`ffmpeg-5.1-test-encode-stderr-h264_${hw.split('_')[1] ?? ''}.txt`),
      });
    return result({ exitCode: 0 });
  });
  return { ...fake, kinds: () => fake.calls.map((c) => kindOf(c.file, c.args)) };
}

const quietLog = { info: () => undefined, warn: () => undefined };

function deps(
  t: FakeTree,
  dir: string,
  run: HardwareProfilerDeps['runCommand'],
  more: Partial<HardwareProfilerDeps> = {},
): HardwareProfilerDeps {
  let clock = 0;
  return {
    ffmpegPath: '/usr/bin/ffmpeg',
    workDir: dir,
    platform: 'linux',
    roots: t,
    runCommand: run,
    log: quietLog,
    signal: new AbortController().signal,
    measureSpeed: true,
    // Each speed run "takes" 500 ms: 2 s of video → 4x.
    now: () => (clock += 500),
    date: () => new Date(Date.UTC(2026, 11, 2, 5, 0, clock / 1000)),
    ...more,
  };
}

test('snapshot at once: CPU and memory present, probing, nothing tested yet', async () => {
  const t = intelMachine();
  const profiler = createHardwareProfiler(deps(t, workDir(), fakeFfmpeg().run));
  const first = profiler.snapshot();
  assert.equal(first.probing, true);
  assert.deepEqual([first.cpu.model, first.cpu.threads, first.cpu.frequencyMhz], ['AMD EPYC', 2, 2596]);
  assert.ok(first.memory.totalBytes > 0 && first.memory.availableBytes > 0);
  assert.deepEqual([first.accelerators, first.encoders], [[], []]);
  assert.deepEqual(profiler.memory(), first.memory);
  await profiler.settled;
  assert.equal(profiler.snapshot().probing, false);
});

test("full run: accelerators with FFmpeg's reasons, software usable and measured, cache written", async () => {
  const t = intelMachine();
  const dir = workDir();
  const ffmpeg = fakeFfmpeg();
  const profiler = createHardwareProfiler(deps(t, dir, ffmpeg.run));
  await profiler.settled;
  const snap = profiler.snapshot();
  const node = path.join(t.devRoot, 'dri', 'renderD128');
  assert.deepEqual(snap.ffmpeg, {
    version: '5.1.9-0+deb12u1',
    path: '/usr/bin/ffmpeg',
    encoders: [
      'libaom-av1',
      'librav1e',
      'libsvtav1',
      'libx264',
      'libx264rgb',
      'h264_nvenc',
      'h264_omx',
      'h264_qsv',
      'h264_v4l2m2m',
      'h264_vaapi',
      'libx265',
      'hevc_nvenc',
      'hevc_qsv',
      'hevc_v4l2m2m',
      'hevc_vaapi',
    ],
    hwaccels: ['vdpau', 'cuda', 'vaapi', 'qsv', 'drm', 'opencl', 'vulkan'],
  });
  assert.deepEqual(
    snap.accelerators.map((a) => [
      a.type,
      a.device,
      a.vendor,
      a.encoders,
      a.candidates.map((c) => `${c.name}:${String(c.usable)}`),
    ]),
    [
      ['vaapi', node, 'intel', [], ['h264_vaapi:false', 'hevc_vaapi:false']],
      ['qsv', node, 'intel', [], ['h264_qsv:false', 'hevc_qsv:false']],
    ],
  );
  assert.match(snap.accelerators[0]?.candidates[0]?.reason ?? '', /No VA display found/);
  assert.equal(
    snap.encoders.find((e) => e.name === 'h264_nvenc')?.reason,
    'h264_nvenc: Cannot load libcuda.so.1',
  );
  assert.equal(
    snap.encoders.find((e) => e.name === 'h264_v4l2m2m')?.reason,
    "h264_v4l2m2m: Could not find a valid device; h264_v4l2m2m: can't configure encoder",
  );
  assert.deepEqual(
    snap.encoders.map((e) => [e.name, e.usable, e.speed ?? null]),
    [
      ['h264_vaapi', false, null],
      ['hevc_vaapi', false, null],
      ['h264_qsv', false, null],
      ['hevc_qsv', false, null],
      // Listed by FFmpeg, no device found for them: tested anyway, so the profile says why not.
      ['h264_nvenc', false, null],
      ['hevc_nvenc', false, null],
      ['h264_v4l2m2m', false, null],
      ['hevc_v4l2m2m', false, null],
      ['libx264', true, { '720p': 4, '1080p': 4 }],
      ['libx265', true, { '720p': 4, '1080p': 4 }],
      ['libsvtav1', true, { '720p': 4, '1080p': 4 }],
    ],
  );
  assert.deepEqual(
    profiler.usableEncoders('h264').map((e) => e.name),
    ['libx264'],
  );
  assert.deepEqual(
    ffmpeg.kinds().filter((k) => k !== 'info'),
    [...Array<Kind>(11).fill('test'), ...Array<Kind>(6).fill('speed')],
  );
  // Each figure says when it was measured (the fake clock ends a run every second).
  assert.deepEqual(snap.encoders.find((e) => e.name === 'libx264')?.measuredAt, {
    '720p': '2026-12-02T05:00:01.000Z',
    '1080p': '2026-12-02T05:00:02.000Z',
  });
  assert.equal(snap.encoders.find((e) => e.name === 'h264_vaapi')?.measuredAt, undefined);
  // Test encodes and speed runs at nice 19, below every job.
  assert.ok(
    ffmpeg.calls
      .filter((c) => kindOf(c.file, c.args) !== 'info')
      .every((c) => c.file === 'nice' && c.args.slice(0, 3).join(' ') === '-n 19 /usr/bin/ffmpeg'),
  );
  assert.ok(existsSync(path.join(dir, 'hardware-profile.json')));
});

test('a matching cache: no test encodes, no speed runs; refresh or a new device ignores it', async () => {
  const t = intelMachine();
  const dir = workDir();
  await createHardwareProfiler(deps(t, dir, fakeFfmpeg().run)).settled;

  const again = fakeFfmpeg();
  const cached = createHardwareProfiler(deps(t, dir, again.run));
  await cached.settled;
  assert.deepEqual(again.kinds(), ['info', 'info', 'info']);
  assert.deepEqual(
    cached.usableEncoders('hevc').map((e) => [e.name, e.speed]),
    [['libx265', { '720p': 4, '1080p': 4 }]],
  );

  const refreshed = fakeFfmpeg();
  await createHardwareProfiler(deps(t, dir, refreshed.run, { refresh: true })).settled;
  assert.equal(refreshed.kinds().filter((k) => k === 'test').length, 11);

  t.file('dev/dri/renderD129');
  const newDevice = fakeFfmpeg();
  await createHardwareProfiler(deps(t, dir, newDevice.run)).settled;
  assert.equal(newDevice.kinds().filter((k) => k === 'test').length, 13);
});

test('measureSpeed off: tests only; a later start with it on measures without re-testing', async () => {
  const t = intelMachine();
  const dir = workDir();
  const first = fakeFfmpeg();
  const quick = createHardwareProfiler(deps(t, dir, first.run, { measureSpeed: false }));
  await quick.settled;
  assert.equal(first.kinds().filter((k) => k === 'speed').length, 0);
  assert.equal(quick.snapshot().encoders.find((e) => e.name === 'libx264')?.speed, undefined);

  const second = fakeFfmpeg();
  const full = createHardwareProfiler(deps(t, dir, second.run));
  await full.settled;
  assert.deepEqual(
    second.kinds().filter((k) => k !== 'info'),
    Array<Kind>(6).fill('speed'),
  );
  assert.deepEqual(full.usableEncoders('av1')[0]?.speed, { '720p': 4, '1080p': 4 });
});

test('a cache written before measuredAt: its figures are measured again, the test encodes are not', async () => {
  const t = intelMachine();
  const dir = workDir();
  await createHardwareProfiler(deps(t, dir, fakeFfmpeg().run)).settled;
  const file = path.join(dir, 'hardware-profile.json');
  const old = JSON.parse(readFileSync(file, 'utf8')) as { encoders: EncoderCheck[] };
  // As the previous version wrote it: speeds (maybe measured beside jobs), no times.
  old.encoders = old.encoders.map(({ measuredAt: _at, ...c }) => c);
  writeFileSync(file, JSON.stringify(old));

  const again = fakeFfmpeg();
  const profiler = createHardwareProfiler(deps(t, dir, again.run));
  await profiler.tested;
  assert.equal(profiler.encoders().find((e) => e.name === 'libx264')?.speed, undefined, 'not published');
  await profiler.settled;
  assert.deepEqual(
    again.kinds().filter((k) => k !== 'info'),
    Array<Kind>(6).fill('speed'),
  );
  const x264 = profiler.encoders().find((e) => e.name === 'libx264');
  assert.deepEqual(Object.keys(x264?.measuredAt ?? {}), ['720p', '1080p']);
});

test('markUnusable: gone from usableEncoders, reason shown, kept across restarts until a refresh', async () => {
  const t = intelMachine();
  const dir = workDir();
  const profiler = createHardwareProfiler(deps(t, dir, fakeFfmpeg().run));
  await profiler.settled;
  profiler.markUnusable('libx264', 'exit 1: Conversion failed');
  assert.deepEqual(profiler.usableEncoders('h264'), []);
  const check = profiler.snapshot().encoders.find((e) => e.name === 'libx264');
  assert.deepEqual([check?.usable, check?.reason], [false, 'failed in a job: exit 1: Conversion failed']);

  const restarted = createHardwareProfiler(deps(t, dir, fakeFfmpeg().run));
  await restarted.settled;
  assert.deepEqual(restarted.usableEncoders('h264'), []);

  const refreshed = createHardwareProfiler(deps(t, dir, fakeFfmpeg().run, { refresh: true }));
  await refreshed.settled;
  assert.deepEqual(
    refreshed.usableEncoders('h264').map((e) => e.name),
    ['libx264'],
  );
});

test('fastest first: measured 1080p, then 720p; unmeasured hardware before unmeasured software', () => {
  const c = (
    name: string,
    accelerator: EncoderCheck['accelerator'],
    speed?: EncoderCheck['speed'],
  ): EncoderCheck => ({
    name,
    codec: 'h264',
    accelerator,
    device: null,
    usable: true,
    ...(speed === undefined ? {} : { speed }),
  });
  const order = fastestFirst([
    c('sw-unmeasured', null),
    c('hw-unmeasured', 'vaapi'),
    c('slow', null, { '720p': 3, '1080p': 1.5 }),
    c('only-720', 'qsv', { '720p': 9 }),
    c('fast', 'nvenc', { '720p': 20, '1080p': 10 }),
  ]).map((e) => e.name);
  assert.deepEqual(order, ['fast', 'slow', 'only-720', 'hw-unmeasured', 'sw-unmeasured']);
});

test('FFmpeg missing: settles with no encoders and a warning naming the problem', async () => {
  const t = intelMachine();
  const warnings: string[] = [];
  const profiler = createHardwareProfiler({
    ...deps(t, workDir(), runCommand),
    ffmpegPath: '/nonexistent/ffmpeg',
    log: { info: () => undefined, warn: (obj) => warnings.push(JSON.stringify(obj)) },
  });
  await profiler.settled;
  assert.deepEqual(profiler.snapshot().encoders, []);
  assert.match(warnings.join('\n'), /FFMPEG_NOT_FOUND/);
});

test('real FFmpeg on this machine, aborted during the speed runs: settles at once, no FFmpeg left', async () => {
  const t = intelMachine();
  const controller = new AbortController();
  const profiler = createHardwareProfiler({
    ...deps(t, workDir(), runCommand),
    signal: controller.signal,
    now: () => performance.now(),
    log: {
      info: (_obj, msg) => {
        // Abort while the first speed run is under way.
        if (msg.startsWith('measuring encoder speed')) setTimeout(() => controller.abort(), 100);
      },
      warn: () => undefined,
    },
  });
  await profiler.settled;
  const snap = profiler.snapshot();
  assert.equal(snap.probing, false);
  assert.deepEqual(
    snap.encoders.filter((e) => e.usable).map((e) => e.name),
    ['libx264', 'libx265', 'libsvtav1'],
  );
  assert.equal(snap.encoders.find((e) => e.name === 'h264_vaapi')?.usable, false);
  // The abort came during the first runs: the last encoder was never measured.
  assert.equal(snap.encoders.find((e) => e.name === 'libsvtav1')?.speed, undefined);
  let children = '';
  try {
    // Our own FFmpeg children (tsx also has a child: esbuild).
    children = execFileSync('pgrep', ['-P', String(process.pid), '-x', 'ffmpeg|nice'], { encoding: 'utf8' });
  } catch {
    children = ''; // pgrep exits 1 when nothing matches
  }
  assert.equal(children.trim(), '', 'no FFmpeg child left');
});

test('a reason from a failed job names no stream folder (a job id is its stream key; /health is open)', () => {
  assert.equal(
    withoutStreamFolders(
      "/srv/w.1/streams/film-Abc_9/seg-3.ts: No space left; Error opening '/srv/w.1/streams/x/seg-4.ts'",
      '/srv/w.1',
    ),
    "<stream>/seg-3.ts: No space left; Error opening '<stream>/seg-4.ts'",
  );
  assert.equal(withoutStreamFolders('/srv/w/streamsX/y: z', '/srv/w'), '/srv/w/streamsX/y: z');
});
