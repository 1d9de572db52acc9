// Each encoder family's full argument list. The hardware families' flags were checked against
// `ffmpeg -hide_banner -h encoder=NAME` of Debian 12's FFmpeg 5.1 where it has them (vaapi, nvenc, qsv, v4l2m2m);
// videotoolbox, amf and mf are not in that build and follow FFmpeg's source for those wrappers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { videoEncoderArgs, type VideoEncodeSettings } from '../../../src/ffmpeg/video-encoder.js';

const base: VideoEncodeSettings = {
  encoder: 'libx264',
  accelerator: null,
  device: null,
  codec: 'h264',
  height: 720,
  bitrateKbps: 3000,
  gopFrames: 96,
  segmentSeconds: 4,
  threads: null,
  lowMemory: false,
};
const rate = ['-b:v', '3000k', '-maxrate', '3000k', '-bufsize', '6000k'];
const keys = ['-force_key_frames', 'expr:gte(t,n_forced*4)'];

test('libx264 (unchanged)', () => {
  assert.deepEqual(videoEncoderArgs({ ...base, threads: 2, lowMemory: true }), {
    beforeInput: [],
    filter: 'scale=-2:720,format=yuv420p',
    output: [
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-profile:v',
      'high',
      ...rate,
      ...keys,
      '-sc_threshold',
      '0',
      '-g',
      '96',
      '-keyint_min',
      '96',
      '-threads',
      '2',
      '-x264-params',
      'rc-lookahead=10:sync-lookahead=0',
    ],
  });
});

test('libx265 (unchanged)', () => {
  assert.deepEqual(videoEncoderArgs({ ...base, encoder: 'libx265', codec: 'hevc', height: null }), {
    beforeInput: [],
    filter: 'format=yuv420p',
    output: [
      '-c:v',
      'libx265',
      '-preset',
      'veryfast',
      ...rate,
      ...keys,
      '-forced-idr',
      '1',
      '-x265-params',
      'keyint=96:min-keyint=96:scenecut=0:open-gop=0:log-level=error',
      '-tag:v',
      'hvc1',
    ],
  });
});

test('libsvtav1: VBR without maxrate, GOP of one segment', () => {
  assert.deepEqual(videoEncoderArgs({ ...base, encoder: 'libsvtav1', codec: 'av1' }), {
    beforeInput: [],
    filter: 'scale=-2:720,format=yuv420p',
    output: ['-c:v', 'libsvtav1', '-preset', '10', '-b:v', '3000k', '-bufsize', '6000k', ...keys, '-g', '96'],
  });
});

test('vaapi: device before input, upload then scale_vaapi, VBR, forced IDR keyframes, GOP', () => {
  const s = { ...base, encoder: 'h264_vaapi', accelerator: 'vaapi', device: '/dev/dri/renderD128' } as const;
  assert.deepEqual(videoEncoderArgs(s), {
    beforeInput: ['-vaapi_device', '/dev/dri/renderD128'],
    filter: 'format=nv12,hwupload,scale_vaapi=w=-2:h=720',
    output: ['-c:v', 'h264_vaapi', '-profile:v', 'high', '-rc_mode', 'VBR', ...rate, ...keys, '-g', '96'],
  });
  assert.equal(videoEncoderArgs({ ...s, height: null }).filter, 'format=nv12,hwupload');
});

test('nvenc: CPU scale, p4, VBR, forced IDR, no scene cuts, GOP; hevc gets main and hvc1', () => {
  const s = {
    ...base,
    encoder: 'hevc_nvenc',
    accelerator: 'nvenc',
    device: '/dev/nvidia0',
    codec: 'hevc',
  } as const;
  assert.deepEqual(videoEncoderArgs(s), {
    beforeInput: [],
    filter: 'scale=-2:720,format=yuv420p',
    output: [
      '-c:v',
      'hevc_nvenc',
      '-preset',
      'p4',
      '-profile:v',
      'main',
      '-rc',
      'vbr',
      ...rate,
      ...keys,
      '-forced-idr',
      '1',
      '-no-scenecut',
      '1',
      '-g',
      '96',
      '-tag:v',
      'hvc1',
    ],
  });
});

test('qsv: named device on the render node, CPU scale then upload, veryfast, forced IDR, GOP', () => {
  const s = { ...base, encoder: 'h264_qsv', accelerator: 'qsv', device: '/dev/dri/renderD128' } as const;
  assert.deepEqual(videoEncoderArgs(s), {
    beforeInput: ['-init_hw_device', 'qsv=hw:hw,child_device=/dev/dri/renderD128', '-filter_hw_device', 'hw'],
    filter: 'scale=-2:720,format=nv12,hwupload=extra_hw_frames=64',
    output: [
      '-c:v',
      'h264_qsv',
      '-preset',
      'veryfast',
      '-profile:v',
      'high',
      ...rate,
      ...keys,
      '-forced_idr',
      '1',
      '-g',
      '96',
    ],
  });
  // Windows: no render node, libmfx picks the adapter.
  assert.deepEqual(videoEncoderArgs({ ...s, device: null, height: null }).beforeInput, [
    '-init_hw_device',
    'qsv=hw:hw',
    '-filter_hw_device',
    'hw',
  ]);
});

test('v4l2m2m: yuv420p from the CPU, bitrate, forced keyframes, GOP', () => {
  const s = { ...base, encoder: 'h264_v4l2m2m', accelerator: 'v4l2m2m', device: '/dev/video11' } as const;
  assert.deepEqual(videoEncoderArgs(s), {
    beforeInput: [],
    filter: 'scale=-2:720,format=yuv420p',
    output: ['-c:v', 'h264_v4l2m2m', ...rate, ...keys, '-g', '96'],
  });
});

test('videotoolbox: hardware only (-allow_sw 0), forced keyframes, GOP', () => {
  const s = { ...base, encoder: 'h264_videotoolbox', accelerator: 'videotoolbox' } as const;
  assert.deepEqual(videoEncoderArgs(s), {
    beforeInput: [],
    filter: 'scale=-2:720,format=yuv420p',
    output: [
      '-c:v',
      'h264_videotoolbox',
      '-profile:v',
      'high',
      '-allow_sw',
      '0',
      ...rate,
      ...keys,
      '-g',
      '96',
    ],
  });
});

test('amf: transcoding/speed, peak VBR, IDR every GOP with headers (no forced keyframes)', () => {
  const h264 = { ...base, encoder: 'h264_amf', accelerator: 'amf' } as const;
  assert.deepEqual(videoEncoderArgs(h264), {
    beforeInput: [],
    filter: 'scale=-2:720,format=yuv420p',
    output: [
      '-c:v',
      'h264_amf',
      '-usage',
      'transcoding',
      '-quality',
      'speed',
      '-profile:v',
      'high',
      '-rc',
      'vbr_peak',
      ...rate,
      '-g',
      '96',
      '-header_spacing',
      '96',
    ],
  });
  assert.deepEqual(videoEncoderArgs({ ...h264, encoder: 'hevc_amf', codec: 'hevc' }).output, [
    '-c:v',
    'hevc_amf',
    '-usage',
    'transcoding',
    '-quality',
    'speed',
    '-profile:v',
    'main',
    '-rc',
    'vbr_peak',
    ...rate,
    '-g',
    '96',
    '-header_insertion_mode',
    'idr',
    '-gops_per_idr',
    '1',
    '-tag:v',
    'hvc1',
  ]);
});

test('mf: hardware MFT only, nv12, CBR, forced keyframes, GOP', () => {
  const s = { ...base, encoder: 'h264_mf', accelerator: 'mf' } as const;
  assert.deepEqual(videoEncoderArgs(s), {
    beforeInput: [],
    filter: 'scale=-2:720,format=nv12',
    output: ['-c:v', 'h264_mf', '-hw_encoding', '1', '-rate_control', 'cbr', ...rate, ...keys, '-g', '96'],
  });
});

test('programming errors throw: unknown encoder, wrong family, VAAPI without device, decode-only API', () => {
  assert.throws(() => videoEncoderArgs({ ...base, encoder: 'mpeg4' }), /no argument family/);
  assert.throws(
    () =>
      videoEncoderArgs({ ...base, encoder: 'h264_qsv', accelerator: 'vaapi', device: '/dev/dri/renderD128' }),
    /not a vaapi encoder/,
  );
  assert.throws(
    () => videoEncoderArgs({ ...base, encoder: 'h264_vaapi', accelerator: 'vaapi' }),
    /needs a device/,
  );
  assert.throws(
    () => videoEncoderArgs({ ...base, encoder: 'h264_dxva2', accelerator: 'dxva2' }),
    /only decodes/,
  );
});

test('libx264 on a ≤ 1 GiB machine caps its threads at 3 and shortens the lookahead', () => {
  const out = videoEncoderArgs({ ...base, threads: 8, lowMemory: true }).output;
  assert.deepEqual(out.slice(out.indexOf('-threads')), [
    '-threads',
    '3',
    '-x264-params',
    'rc-lookahead=10:sync-lookahead=0',
  ]);
  const roomy = videoEncoderArgs({ ...base, threads: 8, lowMemory: false }).output;
  assert.deepEqual(roomy.slice(roomy.indexOf('-threads')), ['-threads', '8']);
});
