// One decode split into the variants' encodes, every flag on its own output stream.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onStream, variantStreams } from '../../../src/ffmpeg/variant-args.js';
import { videoEncoderArgs } from '../../../src/ffmpeg/video-encoder.js';

const x264 = (height: number) =>
  videoEncoderArgs({
    encoder: 'libx264',
    accelerator: null,
    device: null,
    codec: 'h264',
    height,
    bitrateKbps: 1000,
    gopFrames: 50,
    segmentSeconds: 2,
    threads: null,
    lowMemory: false,
  });

describe('variantStreams', () => {
  it('splits the decoded picture once, scales each branch, maps audio once per variant', () => {
    const copy = videoEncoderArgs({
      ...{ encoder: 'copy', accelerator: null, device: null },
      codec: 'hevc',
      height: null,
      bitrateKbps: 0,
      gopFrames: 50,
      segmentSeconds: 2,
      threads: null,
      lowMemory: false,
    });
    const s = variantStreams(
      [
        { copy: true, args: copy },
        { copy: false, args: x264(720) },
        { copy: false, args: x264(360) },
      ],
      0,
      2,
    );
    assert.deepEqual(s.mapping, [
      '-filter_complex',
      '[0:0]split=2[s1][s2];[s1]scale=-2:720,format=yuv420p[v1];[s2]scale=-2:360,format=yuv420p[v2]',
      '-map',
      '0:0',
      '-map',
      '[v1]',
      '-map',
      '[v2]',
      '-map',
      '0:2',
      '-map',
      '0:2',
      '-map',
      '0:2',
    ]);
    assert.equal(s.streamMap, 'v:0,a:0 v:1,a:1 v:2,a:2');
    // The copy keeps hvc1 on its own stream; each encode's flags name their stream.
    assert.deepEqual(s.codecs.slice(0, 4), ['-c:v:0', 'copy', '-tag:v:0', 'hvc1']);
    assert.ok(s.codecs.includes('-c:v:1') && s.codecs.includes('-b:v:2'));
    assert.equal(s.codecs.filter((a) => a === '-preset:v:1' || a === '-preset:v:2').length, 2);
  });

  it('without audio, maps video only', () => {
    const s = variantStreams([{ copy: false, args: x264(240) }], 0, null);
    assert.equal(s.streamMap, 'v:0');
    assert.ok(!s.mapping.includes('0:null'));
  });
});

describe('every encoder family', () => {
  it('writes flag/value pairs, so each can sit in a ladder', () => {
    const families: [string, string | null, string | null][] = [
      ['libx264', null, null],
      ['libx265', null, null],
      ['libsvtav1', null, null],
      ['h264_vaapi', 'vaapi', '/dev/dri/renderD128'],
      ['hevc_nvenc', 'nvenc', null],
      ['h264_qsv', 'qsv', '/dev/dri/renderD128'],
      ['h264_v4l2m2m', 'v4l2m2m', '/dev/video11'],
      ['hevc_videotoolbox', 'videotoolbox', null],
      ['h264_amf', 'amf', null],
      ['h264_mf', 'mf', null],
    ];
    for (const lowMemory of [false, true])
      for (const [encoder, accelerator, device] of families) {
        const args = videoEncoderArgs({
          encoder,
          accelerator: accelerator as never,
          device,
          codec:
            encoder.includes('265') || encoder.startsWith('hevc')
              ? 'hevc'
              : encoder.includes('av1')
                ? 'av1'
                : 'h264',
          height: 480,
          bitrateKbps: 1000,
          gopFrames: 50,
          segmentSeconds: 2,
          threads: 2,
          lowMemory,
          cutBase: 'source',
        });
        assert.doesNotThrow(() => onStream(args.output, 1), encoder);
      }
  });
});

describe('onStream', () => {
  it('puts a stream specifier on every flag and refuses anything not in pairs', () => {
    assert.deepEqual(onStream(['-c:v', 'libx264', '-preset', 'veryfast'], 3), [
      '-c:v:3',
      'libx264',
      '-preset:v:3',
      'veryfast',
    ]);
    assert.throws(() => onStream(['-c:v'], 0), /pairs/);
    assert.throws(() => onStream(['libx264', '-c:v'], 0), /pairs/);
  });
});
