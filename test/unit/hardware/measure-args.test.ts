// The test encode's and the speed run's command lines, pinned to the exact arrays each built before both went through
// measureArgs (computed from the code of the commit before it): one builder, and nothing about either line changed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EncoderCandidate } from '../../../src/hardware/encoder-catalog.js';
import { measureArgs } from '../../../src/hardware/measure-args.js';
import { speedArgs } from '../../../src/hardware/speed.js';
import { testEncodeArgs, testEncodeSettings } from '../../../src/hardware/test-encode.js';

const CANDIDATES: Record<string, EncoderCandidate> = {
  libx264: { name: 'libx264', codec: 'h264', accelerator: null, device: null },
  libsvtav1: { name: 'libsvtav1', codec: 'av1', accelerator: null, device: null },
  hevc_vaapi: { name: 'hevc_vaapi', codec: 'hevc', accelerator: 'vaapi', device: '/dev/dri/renderD128' },
  h264_nvenc: { name: 'h264_nvenc', codec: 'h264', accelerator: 'nvenc', device: '/dev/nvidia0' },
  h264_qsv: { name: 'h264_qsv', codec: 'h264', accelerator: 'qsv', device: '/dev/dri/renderD128' },
  h264_videotoolbox: { name: 'h264_videotoolbox', codec: 'h264', accelerator: 'videotoolbox', device: null },
};

// One argument per space: no argument of these lines contains one.
const TEST_ENCODE: Record<string, string> = {
  libx264:
    '-hide_banner -nostdin -loglevel error -f lavfi -t 0.2 -i testsrc2=size=256x256:rate=30 -vf scale=-2:192,format=yuv420p -c:v libx264 -preset veryfast -profile:v high -b:v 1000k -maxrate 1000k -bufsize 2000k -force_key_frames expr:gte(t,n_forced*2) -sc_threshold 0 -g 60 -keyint_min 60 -an -f null -',
  libsvtav1:
    '-hide_banner -nostdin -loglevel error -f lavfi -t 0.2 -i testsrc2=size=256x256:rate=30 -vf scale=-2:192,format=yuv420p -c:v libsvtav1 -preset 10 -b:v 1000k -bufsize 2000k -force_key_frames expr:gte(t,n_forced*2) -g 60 -an -f null -',
  hevc_vaapi:
    '-hide_banner -nostdin -loglevel error -vaapi_device /dev/dri/renderD128 -f lavfi -t 0.2 -i testsrc2=size=256x256:rate=30 -vf format=nv12,hwupload,scale_vaapi=w=-2:h=192 -c:v hevc_vaapi -profile:v main -rc_mode VBR -b:v 1000k -maxrate 1000k -bufsize 2000k -force_key_frames expr:gte(t,n_forced*2) -g 60 -tag:v hvc1 -an -f null -',
  h264_nvenc:
    '-hide_banner -nostdin -loglevel error -f lavfi -t 0.2 -i testsrc2=size=256x256:rate=30 -vf scale=-2:192,format=yuv420p -c:v h264_nvenc -preset p4 -profile:v high -rc vbr -b:v 1000k -maxrate 1000k -bufsize 2000k -force_key_frames expr:gte(t,n_forced*2) -forced-idr 1 -no-scenecut 1 -g 60 -an -f null -',
  h264_qsv:
    '-hide_banner -nostdin -loglevel error -init_hw_device qsv=hw:hw,child_device=/dev/dri/renderD128 -filter_hw_device hw -f lavfi -t 0.2 -i testsrc2=size=256x256:rate=30 -vf scale=-2:192,format=nv12,hwupload=extra_hw_frames=64 -c:v h264_qsv -preset veryfast -profile:v high -b:v 1000k -maxrate 1000k -bufsize 2000k -force_key_frames expr:gte(t,n_forced*2) -forced_idr 1 -g 60 -an -f null -',
  h264_videotoolbox:
    '-hide_banner -nostdin -loglevel error -f lavfi -t 0.2 -i testsrc2=size=256x256:rate=30 -vf scale=-2:192,format=yuv420p -c:v h264_videotoolbox -profile:v high -allow_sw 0 -b:v 1000k -maxrate 1000k -bufsize 2000k -force_key_frames expr:gte(t,n_forced*2) -g 60 -an -f null -',
};

const SPEED: Record<string, string> = {
  'libx264 720 2':
    '-hide_banner -nostdin -loglevel info -nostats -benchmark -f lavfi -t 2 -i testsrc2=size=1920x1080:rate=30 -vf scale=-2:720,format=yuv420p -c:v libx264 -preset veryfast -profile:v high -b:v 3000k -maxrate 3000k -bufsize 6000k -force_key_frames expr:gte(t,n_forced*4) -sc_threshold 0 -g 120 -keyint_min 120 -an -f null -',
  'libx264 1080 0.5':
    '-hide_banner -nostdin -loglevel info -nostats -benchmark -f lavfi -t 0.5 -i testsrc2=size=1920x1080:rate=30 -vf scale=-2:1080,format=yuv420p -c:v libx264 -preset veryfast -profile:v high -b:v 6000k -maxrate 6000k -bufsize 12000k -force_key_frames expr:gte(t,n_forced*4) -sc_threshold 0 -g 120 -keyint_min 120 -an -f null -',
  'libsvtav1 720 2':
    '-hide_banner -nostdin -loglevel info -nostats -benchmark -f lavfi -t 2 -i testsrc2=size=1920x1080:rate=30 -vf scale=-2:720,format=yuv420p -c:v libsvtav1 -preset 10 -b:v 3000k -bufsize 6000k -force_key_frames expr:gte(t,n_forced*4) -g 120 -an -f null -',
  'libsvtav1 1080 0.5':
    '-hide_banner -nostdin -loglevel info -nostats -benchmark -f lavfi -t 0.5 -i testsrc2=size=1920x1080:rate=30 -vf scale=-2:1080,format=yuv420p -c:v libsvtav1 -preset 10 -b:v 6000k -bufsize 12000k -force_key_frames expr:gte(t,n_forced*4) -g 120 -an -f null -',
  'hevc_vaapi 720 2':
    '-hide_banner -nostdin -loglevel info -nostats -benchmark -vaapi_device /dev/dri/renderD128 -f lavfi -t 2 -i testsrc2=size=1920x1080:rate=30 -vf format=nv12,hwupload,scale_vaapi=w=-2:h=720 -c:v hevc_vaapi -profile:v main -rc_mode VBR -b:v 3000k -maxrate 3000k -bufsize 6000k -force_key_frames expr:gte(t,n_forced*4) -g 120 -tag:v hvc1 -an -f null -',
  'hevc_vaapi 1080 0.5':
    '-hide_banner -nostdin -loglevel info -nostats -benchmark -vaapi_device /dev/dri/renderD128 -f lavfi -t 0.5 -i testsrc2=size=1920x1080:rate=30 -vf format=nv12,hwupload,scale_vaapi=w=-2:h=1080 -c:v hevc_vaapi -profile:v main -rc_mode VBR -b:v 6000k -maxrate 6000k -bufsize 12000k -force_key_frames expr:gte(t,n_forced*4) -g 120 -tag:v hvc1 -an -f null -',
  'h264_nvenc 720 2':
    '-hide_banner -nostdin -loglevel info -nostats -benchmark -f lavfi -t 2 -i testsrc2=size=1920x1080:rate=30 -vf scale=-2:720,format=yuv420p -c:v h264_nvenc -preset p4 -profile:v high -rc vbr -b:v 3000k -maxrate 3000k -bufsize 6000k -force_key_frames expr:gte(t,n_forced*4) -forced-idr 1 -no-scenecut 1 -g 120 -an -f null -',
  'h264_nvenc 1080 0.5':
    '-hide_banner -nostdin -loglevel info -nostats -benchmark -f lavfi -t 0.5 -i testsrc2=size=1920x1080:rate=30 -vf scale=-2:1080,format=yuv420p -c:v h264_nvenc -preset p4 -profile:v high -rc vbr -b:v 6000k -maxrate 6000k -bufsize 12000k -force_key_frames expr:gte(t,n_forced*4) -forced-idr 1 -no-scenecut 1 -g 120 -an -f null -',
  'h264_qsv 720 2':
    '-hide_banner -nostdin -loglevel info -nostats -benchmark -init_hw_device qsv=hw:hw,child_device=/dev/dri/renderD128 -filter_hw_device hw -f lavfi -t 2 -i testsrc2=size=1920x1080:rate=30 -vf scale=-2:720,format=nv12,hwupload=extra_hw_frames=64 -c:v h264_qsv -preset veryfast -profile:v high -b:v 3000k -maxrate 3000k -bufsize 6000k -force_key_frames expr:gte(t,n_forced*4) -forced_idr 1 -g 120 -an -f null -',
  'h264_qsv 1080 0.5':
    '-hide_banner -nostdin -loglevel info -nostats -benchmark -init_hw_device qsv=hw:hw,child_device=/dev/dri/renderD128 -filter_hw_device hw -f lavfi -t 0.5 -i testsrc2=size=1920x1080:rate=30 -vf scale=-2:1080,format=nv12,hwupload=extra_hw_frames=64 -c:v h264_qsv -preset veryfast -profile:v high -b:v 6000k -maxrate 6000k -bufsize 12000k -force_key_frames expr:gte(t,n_forced*4) -forced_idr 1 -g 120 -an -f null -',
  'h264_videotoolbox 720 2':
    '-hide_banner -nostdin -loglevel info -nostats -benchmark -f lavfi -t 2 -i testsrc2=size=1920x1080:rate=30 -vf scale=-2:720,format=yuv420p -c:v h264_videotoolbox -profile:v high -allow_sw 0 -b:v 3000k -maxrate 3000k -bufsize 6000k -force_key_frames expr:gte(t,n_forced*4) -g 120 -an -f null -',
  'h264_videotoolbox 1080 0.5':
    '-hide_banner -nostdin -loglevel info -nostats -benchmark -f lavfi -t 0.5 -i testsrc2=size=1920x1080:rate=30 -vf scale=-2:1080,format=yuv420p -c:v h264_videotoolbox -profile:v high -allow_sw 0 -b:v 6000k -maxrate 6000k -bufsize 12000k -force_key_frames expr:gte(t,n_forced*4) -g 120 -an -f null -',
};

const candidate = (name: string): EncoderCandidate => {
  const c = CANDIDATES[name];
  assert.ok(c, name);
  return c;
};

describe('measurement command lines', () => {
  it('test encodes: the same arrays as before', () => {
    for (const [name, line] of Object.entries(TEST_ENCODE))
      assert.deepEqual(testEncodeArgs(candidate(name)), line.split(' '), name);
  });

  it('speed runs: the same arrays as before', () => {
    for (const [key, line] of Object.entries(SPEED)) {
      const [name = '', height, seconds] = key.split(' ');
      assert.ok(height === '720' || height === '1080', key);
      assert.deepEqual(
        speedArgs(candidate(name), Number(height) as 720 | 1080, Number(seconds)),
        line.split(' '),
        key,
      );
    }
  });

  it('the report decides the log flags; everything else comes from the settings and the source', () => {
    const settings = testEncodeSettings(candidate('libx264'));
    const errors = measureArgs({ settings, sourceSize: '640x360', seconds: 1, report: 'errors' });
    const bench = measureArgs({ settings, sourceSize: '640x360', seconds: 1, report: 'benchmark' });
    assert.deepEqual(errors.slice(0, 4), ['-hide_banner', '-nostdin', '-loglevel', 'error']);
    assert.deepEqual(bench.slice(0, 6), [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'info',
      '-nostats',
      '-benchmark',
    ]);
    assert.deepEqual(errors.slice(4), bench.slice(6));
    assert.ok(errors.includes('testsrc2=size=640x360:rate=30'));
  });
});
