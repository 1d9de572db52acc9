// ffmpegInfo, the start-up check, against the real FFmpeg 5.1 and binaries that are missing, fail or are not FFmpeg.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ffmpegInfo } from '../../../src/hardware/profiler.js';
import { runCommand } from '../../../src/process/run-command.js';

test('ffmpegInfo: real FFmpeg, a missing binary, a failing one, one that is not FFmpeg', async () => {
  const real = await ffmpegInfo('/usr/bin/ffmpeg', runCommand);
  assert.ok(real.ok);
  assert.match(real.info.ffmpeg.version, /^\d+\.\d+/);
  assert.ok(real.info.ffmpeg.encoders.includes('libx264'));
  const missing = await ffmpegInfo('/nonexistent/ffmpeg', runCommand);
  assert.deepEqual(missing.ok ? null : [missing.code, /not found/.test(missing.message)], [
    'FFMPEG_NOT_FOUND',
    true,
  ]);
  const failing = await ffmpegInfo('/bin/false', runCommand);
  assert.deepEqual(failing.ok ? null : failing.code, 'FFMPEG_FAILED');
  const notFfmpeg = await ffmpegInfo('/bin/echo', runCommand);
  assert.deepEqual(notFfmpeg.ok ? null : [notFfmpeg.code, /no "ffmpeg version"/.test(notFfmpeg.message)], [
    'FFMPEG_FAILED',
    true,
  ]);
});
