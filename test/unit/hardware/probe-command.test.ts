// `probe` waits for the whole profile and returns the final snapshot. FFmpeg is a fake runner here (the real
// pipeline is covered in profiler.test.ts); /proc, /sys and /dev are this machine's.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { probeCommand } from '../../../src/hardware/probe-command.js';
import { fakeRun, result } from './fake-run.js';
import { fixture } from './fixture.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-probe-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('returns the settled profile: probing false, software encoders tested and measured', async () => {
  const fake = fakeRun(async (file, args) => {
    // A speed run must take measurable wall time.
    if (file === 'nice') await sleep(2);
    if (args.includes('-version')) return result({ stdout: fixture('ffmpeg-5.1-version.txt') });
    if (args.includes('-encoders')) return result({ stdout: fixture('ffmpeg-5.1-encoders.txt') });
    if (args.includes('-hwaccels')) return result({ stdout: fixture('ffmpeg-5.1-hwaccels.txt') });
    // As on this machine: every hardware test encode fails with FFmpeg's own words.
    const hw = args.find((a) => /^h264_(vaapi|qsv|nvenc|v4l2m2m)$/.test(a) || /^hevc_/.test(a));
    if (hw !== undefined) {
      const family = hw.split('_')[1] ?? '';
      return result({ exitCode: 1, stderr: fixture(`ffmpeg-5.1-test-encode-stderr-h264_${family}.txt`) });
    }
    return result();
  });
  const profile = await probeCommand({
    ffmpegPath: '/usr/bin/ffmpeg',
    workDir: dir,
    refresh: true,
    runCommand: fake.run,
    platform: 'linux',
    log: { info: () => undefined, warn: () => undefined },
  });
  assert.equal(profile.probing, false);
  assert.equal(profile.ffmpeg.version, '5.1.9-0+deb12u1');
  assert.deepEqual(
    profile.encoders.map((e) => [e.name, e.usable, e.speed === undefined ? 'unmeasured' : 'measured']),
    [
      // No devices on a machine like this one: every listed hardware encoder is tried and reported unusable.
      ['h264_vaapi', false, 'unmeasured'],
      ['hevc_vaapi', false, 'unmeasured'],
      ['h264_qsv', false, 'unmeasured'],
      ['hevc_qsv', false, 'unmeasured'],
      ['h264_nvenc', false, 'unmeasured'],
      ['hevc_nvenc', false, 'unmeasured'],
      ['h264_v4l2m2m', false, 'unmeasured'],
      ['hevc_v4l2m2m', false, 'unmeasured'],
      ['libx264', true, 'measured'],
      ['libx265', true, 'measured'],
      ['libsvtav1', true, 'measured'],
    ],
  );
  // 11 test encodes and 6 speed runs, all at nice 19.
  const niced = fake.calls.filter((c) => c.file === 'nice');
  assert.equal(niced.length, 17);
  assert.equal(niced.filter((c) => c.args.includes('testsrc2=size=1920x1080:rate=30')).length, 6);
});
