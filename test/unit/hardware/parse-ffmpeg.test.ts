// ffmpeg-5.1-*.txt are this machine's real outputs of Debian 12's FFmpeg 5.1 (-encoders, -hwaccels, -version).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEncoders, parseFfmpegVersion, parseHwaccels } from '../../../src/hardware/parse-ffmpeg.js';
import { fixture } from './fixture.js';

test('encoders: the H.264/HEVC/AV1 video encoders of Debian 12, codec from "(codec x)"', () => {
  assert.deepEqual(parseEncoders(fixture('ffmpeg-5.1-encoders.txt')), [
    { name: 'libaom-av1', codec: 'av1' },
    { name: 'librav1e', codec: 'av1' },
    { name: 'libsvtav1', codec: 'av1' },
    { name: 'libx264', codec: 'h264' },
    { name: 'libx264rgb', codec: 'h264' },
    { name: 'h264_nvenc', codec: 'h264' },
    { name: 'h264_omx', codec: 'h264' },
    { name: 'h264_qsv', codec: 'h264' },
    { name: 'h264_v4l2m2m', codec: 'h264' },
    { name: 'h264_vaapi', codec: 'h264' },
    { name: 'libx265', codec: 'hevc' },
    { name: 'hevc_nvenc', codec: 'hevc' },
    { name: 'hevc_qsv', codec: 'hevc' },
    { name: 'hevc_v4l2m2m', codec: 'hevc' },
    { name: 'hevc_vaapi', codec: 'hevc' },
  ]);
});

test('encoders: the legend is not a row; names and descriptions decide without "(codec x)"', () => {
  const text = [
    'Encoders:',
    ' V..... = Video',
    ' ------',
    ' V....D h264_videotoolbox    VideoToolbox H.264 Encoder (codec h264)',
    ' V....D av1_nvenc            NVIDIA NVENC av1 encoder (codec av1)',
    ' V..... hevc_amf             AMD AMF HEVC encoder',
    ' V..... h264_mf              H264 via MediaFoundation (codec h264)',
    ' A....D aac                  AAC (Advanced Audio Coding)',
    ' V....D mpeg4                MPEG-4 part 2',
  ].join('\n');
  assert.deepEqual(parseEncoders(text), [
    { name: 'h264_videotoolbox', codec: 'h264' },
    { name: 'av1_nvenc', codec: 'av1' },
    { name: 'hevc_amf', codec: 'hevc' },
    { name: 'h264_mf', codec: 'h264' },
  ]);
});

test('hwaccels', () => {
  assert.deepEqual(parseHwaccels(fixture('ffmpeg-5.1-hwaccels.txt')), [
    'vdpau',
    'cuda',
    'vaapi',
    'qsv',
    'drm',
    'opencl',
    'vulkan',
  ]);
  assert.deepEqual(parseHwaccels(''), []);
});

test('version from the first line', () => {
  assert.equal(parseFfmpegVersion(fixture('ffmpeg-5.1-version.txt')), '5.1.9-0+deb12u1');
  assert.equal(parseFfmpegVersion('ffmpeg version n7.1 Copyright (c) 2000-2024\n'), 'n7.1');
  assert.equal(parseFfmpegVersion('ffprobe version 5.1\n'), null);
});
