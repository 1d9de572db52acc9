// A head's picture chain from the stream plan: deinterlace, tone map, text burn (source time after a seek), and the
// view's toneMapped/deinterlaced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobRequest } from '../../../src/contract/job-request.js';
import { planHead } from '../../../src/stream/head-plan.js';
import { planStream, type StreamPlan } from '../../../src/stream/plan.js';
import type { SourceInfo } from '../../../src/media/source-info.js';
import type { VideoPicture } from '../../../src/media/video-picture.js';

const PICTURE: VideoPicture = {
  transfer: 'smpte2084',
  primaries: 'bt2020',
  space: 'bt2020nc',
  range: 'tv',
  bitDepth: 10,
  hdr: 'pq',
  hdr10: null,
  fieldOrder: 'tff',
};

const source: SourceInfo = {
  durationSeconds: 40,
  formatName: 'matroska,webm',
  video: {
    index: 0,
    codec: 'hevc',
    width: 1920,
    height: 1080,
    fps: 25,
    pixFmt: 'yuv420p10le',
    startSeconds: 0,
    durationSeconds: 40,
    profile: 'Main 10',
    level: 120,
    bitRate: 0,
    picture: PICTURE,
  },
  audioTracks: [],
  subtitleTracks: [
    { index: 1, codec: 'subrip', language: 'eng', title: null, default: true, forced: false, text: true },
  ],
};

function stream(request: JobRequest): StreamPlan {
  const plan = planStream(request, source);
  if ('error' in plan) throw new Error(plan.error);
  return plan;
}

const ctx = (startSegment: number) => ({
  inputPath: '/m/a.mkv',
  outputDir: '/w/s/id',
  encoder: { name: 'libx264', accelerator: null, device: null },
  encoderFor: () => ({ name: 'libx264', accelerator: null, device: null }),
  threads: 2,
  lowMemory: false,
  head: startSegment,
  startSegment,
});

describe('planHead with picture steps', () => {
  it('chains bwdif, the tone map and the text burn, in that order, and says so in the view', () => {
    const plan = stream({
      input: 'a.mkv',
      video: { codec: 'h264', height: 720 },
      burnSubtitles: { track: 0 },
    });
    const head = planHead(plan, ctx(0));
    const chain = head.plan.pictureFilter ?? '';
    const bwdif = chain.indexOf('bwdif=mode=send_frame:parity=tff');
    const tonemap = chain.indexOf('tonemap=tonemap=hable');
    const burn = chain.indexOf('subtitles=filename=/w/s/id/burn-text.ass');
    assert.ok(bwdif === 0 && tonemap > bwdif && burn > tonemap, chain);
    assert.equal(chain.includes('setpts'), false);
    // One quality: the tone mapper scales to the output (1280x720), so its float stages work on fewer pixels.
    assert.match(chain, /^bwdif[^,]*,zscale=w=1280:h=720:transferin=smpte2084:/);
    // A text track is drawn by libass, not overlaid.
    assert.equal(head.plan.burnStreamIndex, undefined);
    assert.equal(head.output.video.toneMapped?.applied, true);
    assert.equal(head.output.video.deinterlaced?.applied, true);
    assert.equal(head.output.burnedSubtitles?.text, true);
  });
  it('a ladder tone-maps at the source size, once, before its split', () => {
    const plan = stream({
      input: 'a.mkv',
      video: { codec: 'h264' },
      variants: [{ height: 720 }, { height: 360 }],
    });
    const chain = planHead(plan, ctx(0)).plan.pictureFilter ?? '';
    assert.match(chain, /,zscale=transferin=smpte2084:/);
  });
  it('a seek head moves the cues to the source time of its first frame', () => {
    const plan = stream({ input: 'a.mkv', video: { codec: 'h264' }, burnSubtitles: { track: 0 } });
    const head = planHead(plan, ctx(5));
    assert.equal(head.plan.firstFrameSeconds, 20);
    assert.match(head.plan.pictureFilter ?? '', /setpts=PTS\+20\/TB,subtitles=.*,setpts=PTS-20\/TB$/);
  });
  it('off and off: no chain; a copy: none either, and the view says why', () => {
    const off = stream({ input: 'a.mkv', video: { codec: 'h264', toneMap: 'off', deinterlace: 'off' } });
    const head = planHead(off, ctx(0));
    assert.equal(head.plan.pictureFilter, undefined);
    assert.equal(head.output.video.toneMapped?.applied, false);
    const copy = planHead(stream({ input: 'a.mkv', video: { codec: 'copy' } }), ctx(0));
    assert.equal(copy.plan.pictureFilter, undefined);
    assert.match(copy.output.video.toneMapped?.reason ?? '', /copy/);
  });
});
