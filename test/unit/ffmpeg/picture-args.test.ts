// The picture chain in a head's arguments: before the family's filter, before the image overlay, before the ABR
// split (so it runs once), and absent when empty (the arrays of hls-args.test.ts stay as they were).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildHlsArgs, type HlsJobPlan } from '../../../src/ffmpeg/hls-args.js';
import { variantStreams } from '../../../src/ffmpeg/variant-args.js';
import { videoEncoderArgs, type VideoEncodeSettings } from '../../../src/ffmpeg/video-encoder.js';

const settings = (height: number): VideoEncodeSettings => ({
  encoder: 'libx264',
  accelerator: null,
  device: null,
  codec: 'h264',
  height,
  bitrateKbps: 1000,
  gopFrames: 96,
  segmentSeconds: 4,
  threads: null,
  lowMemory: false,
});

const plan: HlsJobPlan = {
  inputPath: '/mnt/media/film.mkv',
  outputDir: '/var/lib/tw/streams/abc',
  videoStreamIndex: 0,
  video: settings(720),
  audio: null,
  segmentSeconds: 4,
  head: 0,
  startSegment: 0,
  firstFrameSeconds: 0,
};

const CHAIN = 'bwdif=mode=send_frame:parity=tff:deint=all';

function valueOf(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe('pictureFilter in the arguments', () => {
  it('an empty chain changes nothing', () => {
    assert.deepEqual(buildHlsArgs({ ...plan, pictureFilter: '' }), buildHlsArgs(plan));
  });
  it('one quality: the chain goes first in -vf', () => {
    const args = buildHlsArgs({ ...plan, pictureFilter: CHAIN });
    assert.equal(valueOf(args, '-vf'), `${CHAIN},scale=-2:720,format=yuv420p`);
  });
  it('image burn-in: the chain runs on the video before the overlay', () => {
    const args = buildHlsArgs({ ...plan, pictureFilter: CHAIN, burnStreamIndex: 3 });
    assert.equal(
      valueOf(args, '-filter_complex'),
      `[0:0]${CHAIN}[picture];[picture][0:3]overlay=x=(W-w)/2:y=H-h:eof_action=pass,scale=-2:720,format=yuv420p[v]`,
    );
    assert.equal(args.includes('-vf'), false);
  });
  it('ABR: the chain runs once before the split, the copy takes the source unfiltered', () => {
    const copy = videoEncoderArgs({ ...settings(0), encoder: 'copy', height: null, bitrateKbps: 0 });
    const s = variantStreams(
      [
        { copy: true, args: copy },
        { copy: false, args: videoEncoderArgs(settings(720)) },
        { copy: false, args: videoEncoderArgs(settings(360)) },
      ],
      0,
      null,
      undefined,
      CHAIN,
    );
    assert.equal(
      s.mapping[1],
      `[0:0]${CHAIN},split=2[s1][s2];[s1]scale=-2:720,format=yuv420p[v1];[s2]scale=-2:360,format=yuv420p[v2]`,
    );
    assert.deepEqual(s.mapping.slice(2, 4), ['-map', '0:0']);
    const burned = variantStreams(
      [{ copy: false, args: videoEncoderArgs(settings(360)) }],
      0,
      null,
      4,
      CHAIN,
    );
    assert.equal(
      burned.mapping[1],
      `[0:0]${CHAIN}[picture];[picture][0:4]overlay=x=(W-w)/2:y=H-h:eof_action=pass[burned];[burned]split=1[s0];[s0]scale=-2:360,format=yuv420p[v0]`,
    );
  });
});
