// Test encodes. The ffmpeg-5.1-test-encode-stderr-*.txt fixtures are this machine's real stderr for the hardware
// candidates (no GPU here). The last test runs real FFmpeg: software encoders must pass, hardware ones must fail
// with FFmpeg's own reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EncoderCandidate } from '../../../src/hardware/encoder-catalog.js';
import { failureReason, testEncodeArgs, testEncoders } from '../../../src/hardware/test-encode.js';
import { runCommand } from '../../../src/process/run-command.js';
import { fakeRun, result } from './fake-run.js';
import { fixture } from './fixture.js';

const stderrOf = (name: string): string => fixture(`ffmpeg-5.1-test-encode-stderr-${name}.txt`);

test('reason: the specific lines, without addresses or the generic "Error initializing output stream"', () => {
  assert.equal(
    failureReason(result({ exitCode: 1, stderr: stderrOf('h264_nvenc') })),
    'h264_nvenc: Cannot load libcuda.so.1',
  );
  assert.equal(
    failureReason(result({ exitCode: 1, stderr: stderrOf('h264_vaapi') })),
    "AVHWDeviceContext: No VA display found for device /dev/dri/renderD128.; Device creation failed: -22.; Failed to set value '/dev/dri/renderD128' for option 'vaapi_device': Invalid argument",
  );
  assert.equal(
    failureReason(result({ exitCode: 1, stderr: stderrOf('h264_v4l2m2m') })),
    "h264_v4l2m2m: Could not find a valid device; h264_v4l2m2m: can't configure encoder",
  );
});

test('reason: at most ~300 characters, the last lines kept', () => {
  const stderr = Array.from({ length: 20 }, (_, i) => `line ${i} ${'x'.repeat(40)}`).join('\n');
  const reason = failureReason(result({ exitCode: 1, stderr }));
  assert.ok(reason.length <= 300, String(reason.length));
  assert.match(reason, /line 19 x+$/);
  assert.doesNotMatch(reason, /line 0 /);
  assert.equal(failureReason(result({ exitCode: 1, stderr: 'y'.repeat(500) })).length, 300);
});

test('reason when FFmpeg printed nothing: how it ended', () => {
  assert.equal(
    failureReason(result({ exitCode: null, timedOut: true, signal: 'SIGKILL' })),
    'test encode timed out',
  );
  assert.equal(
    failureReason(result({ exitCode: null, spawnError: 'spawn ffmpeg ENOENT' })),
    'ffmpeg could not start: spawn ffmpeg ENOENT',
  );
  assert.equal(failureReason(result({ exitCode: 1 })), 'ffmpeg exited with code 1 and printed nothing');
});

test('the test command: 0.2 s of testsrc2 through the family chain into the null muxer', () => {
  assert.deepEqual(testEncodeArgs({ name: 'libx264', codec: 'h264', accelerator: null, device: null }), [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-t',
    '0.2',
    '-i',
    'testsrc2=size=256x256:rate=30',
    '-vf',
    'scale=-2:192,format=yuv420p',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    'high',
    '-b:v',
    '1000k',
    '-maxrate',
    '1000k',
    '-bufsize',
    '2000k',
    '-force_key_frames',
    'expr:gte(t,n_forced*2)',
    '-sc_threshold',
    '0',
    '-g',
    '60',
    '-keyint_min',
    '60',
    '-an',
    '-f',
    'null',
    '-',
  ]);
});

test('usable = exit 0; the runner gets the timeout; results keep candidate order', async () => {
  const fake = fakeRun((_file, args) =>
    args.includes('h264_vaapi') ? result({ exitCode: 1, stderr: stderrOf('h264_vaapi') }) : result(),
  );
  const candidates: EncoderCandidate[] = [
    { name: 'h264_vaapi', codec: 'h264', accelerator: 'vaapi', device: '/dev/dri/renderD128' },
    { name: 'libx264', codec: 'h264', accelerator: null, device: null },
  ];
  const checks = await testEncoders(candidates, {
    ffmpegPath: '/usr/bin/ffmpeg',
    runCommand: fake.run,
    timeoutMs: 1234,
  });
  assert.deepEqual(
    checks.map((c) => [c.name, c.usable, c.device]),
    [
      ['h264_vaapi', false, '/dev/dri/renderD128'],
      ['libx264', true, null],
    ],
  );
  assert.match(checks[0]?.reason ?? '', /No VA display found/);
  assert.equal(checks[1]?.reason, undefined);
  assert.deepEqual(
    fake.calls.map((c) => [c.file, c.options.timeoutMs]),
    [
      ['/usr/bin/ffmpeg', 1234],
      ['/usr/bin/ffmpeg', 1234],
    ],
  );
});

test('a timeout, a kill or any non-zero exit is not usable; an abort says so', async () => {
  const endings = [
    result({ exitCode: null, signal: 'SIGKILL', timedOut: true }),
    result({ exitCode: 255 }),
    result({ exitCode: null, signal: 'SIGSEGV' }),
  ];
  const fake = fakeRun(() => endings.shift() ?? result());
  const c: EncoderCandidate = { name: 'h264_nvenc', codec: 'h264', accelerator: 'nvenc', device: null };
  const checks = await testEncoders([c, c, c], { ffmpegPath: 'ffmpeg', runCommand: fake.run });
  assert.deepEqual(
    checks.map((k) => [k.usable, k.reason]),
    [
      [false, 'test encode timed out'],
      [false, 'ffmpeg exited with code 255 and printed nothing'],
      [false, 'ffmpeg was killed by SIGSEGV'],
    ],
  );
  const controller = new AbortController();
  controller.abort();
  const aborted = await testEncoders([c], {
    ffmpegPath: 'ffmpeg',
    runCommand: fakeRun(() => result({ exitCode: null, signal: 'SIGKILL' })).run,
    signal: controller.signal,
  });
  assert.deepEqual(
    aborted.map((k) => [k.usable, k.reason]),
    [[false, 'aborted before the test encode finished']],
  );
});

test('one test encode at a time (a dozen at once held back a job posted meanwhile); none after an abort', async () => {
  let running = 0;
  let most = 0;
  const controller = new AbortController();
  const fake = fakeRun(async () => {
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running--;
    if (fake.calls.length === 3) controller.abort();
    return result();
  });
  const c: EncoderCandidate = { name: 'libx264', codec: 'h264', accelerator: null, device: null };
  const checks = await testEncoders([c, c, c, c, c], {
    ffmpegPath: 'ffmpeg',
    runCommand: fake.run,
    signal: controller.signal,
  });
  assert.equal(most, 1);
  assert.equal(fake.calls.length, 3, 'nothing started after the abort');
  assert.deepEqual(
    checks.map((k) => k.usable),
    [true, true, true, false, false],
  );
});

test("real FFmpeg, one at a time: software usable, hardware unusable with FFmpeg's reason", async () => {
  const candidates: EncoderCandidate[] = [
    { name: 'libx264', codec: 'h264', accelerator: null, device: null },
    { name: 'libx265', codec: 'hevc', accelerator: null, device: null },
    { name: 'libsvtav1', codec: 'av1', accelerator: null, device: null },
    { name: 'h264_vaapi', codec: 'h264', accelerator: 'vaapi', device: '/dev/dri/renderD128' },
    { name: 'h264_nvenc', codec: 'h264', accelerator: 'nvenc', device: '/dev/nvidia0' },
    { name: 'h264_qsv', codec: 'h264', accelerator: 'qsv', device: '/dev/dri/renderD128' },
  ];
  const started = performance.now();
  const checks = await testEncoders(candidates, { ffmpegPath: '/usr/bin/ffmpeg', runCommand });
  const elapsed = performance.now() - started;
  const byName = new Map(checks.map((c) => [c.name, c]));
  for (const name of ['libx264', 'libx265', 'libsvtav1']) {
    assert.equal(byName.get(name)?.usable, true, `${name}: ${byName.get(name)?.reason ?? ''}`);
  }
  assert.match(byName.get('h264_vaapi')?.reason ?? '', /No VA display found|Device creation failed/);
  assert.match(byName.get('h264_nvenc')?.reason ?? '', /libcuda/);
  assert.match(byName.get('h264_qsv')?.reason ?? '', /Device creation failed|No VA display|init_hw_device/);
  for (const name of ['h264_vaapi', 'h264_nvenc', 'h264_qsv'])
    assert.equal(byName.get(name)?.usable, false, name);
  assert.ok(elapsed < 8000, `took ${Math.round(elapsed)} ms`);
});
