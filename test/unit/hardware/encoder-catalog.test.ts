// Which encoders get a test encode: per accelerator found, and every listed hardware encoder no device accounts for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unscannedCandidates } from '../../../src/hardware/encoder-catalog.js';
import { parseEncoders } from '../../../src/hardware/parse-ffmpeg.js';
import { fixture } from './fixture.js';

const listed = parseEncoders(fixture('ffmpeg-5.1-encoders.txt'));

test('Linux without devices: every listed VAAPI, QSV, NVENC and V4L2 encoder is still tried', () => {
  assert.deepEqual(
    unscannedCandidates('linux', listed, new Set(), '/dev').map((c) => `${c.name}@${c.device ?? ''}`),
    [
      'h264_vaapi@/dev/dri/renderD128',
      'hevc_vaapi@/dev/dri/renderD128',
      'h264_qsv@',
      'hevc_qsv@',
      'h264_nvenc@',
      'hevc_nvenc@',
      'h264_v4l2m2m@',
      'hevc_v4l2m2m@',
    ],
  );
});

test('encoders a found device covers are not tried twice; other platforms have their own families', () => {
  const covered = new Set(['h264_vaapi', 'hevc_vaapi', 'h264_qsv', 'hevc_qsv']);
  assert.deepEqual(
    unscannedCandidates('linux', listed, covered, '/dev').map((c) => c.name),
    ['h264_nvenc', 'hevc_nvenc', 'h264_v4l2m2m', 'hevc_v4l2m2m'],
  );
  // Debian's FFmpeg lists no VideoToolbox encoder: nothing to try on macOS with this listing.
  assert.deepEqual(unscannedCandidates('darwin', listed, new Set(), '/dev'), []);
  assert.deepEqual(
    unscannedCandidates('win32', listed, new Set(), '/dev').map((c) => c.name),
    ['h264_nvenc', 'hevc_nvenc', 'h264_qsv', 'hevc_qsv'],
  );
});
