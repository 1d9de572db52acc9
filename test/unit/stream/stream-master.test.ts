import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobOutput } from '../../../src/contract/job-view.js';
import { oneQualityView } from '../../../src/stream/stream-master.js';
import type { SourceInfo } from '../../../src/media/source-info.js';

const source: SourceInfo = {
  durationSeconds: 60,
  formatName: 'matroska,webm',
  video: {
    index: 0,
    codec: 'h264',
    width: 1920,
    height: 1080,
    fps: 24000 / 1001,
    pixFmt: 'yuv420p',
    startSeconds: 0,
    durationSeconds: 60,
    profile: 'High',
    level: 41,
    bitRate: 8_000_000,
  },
  audioTracks: [{ index: 1, codec: 'aac', channels: 2, language: 'eng', isDefault: true }],
  subtitleTracks: [],
};

function output(over: Partial<JobOutput>): JobOutput {
  return {
    codec: 'h264',
    encoder: 'libx264',
    video: { copied: false, reason: 'h264 requested' },
    width: 1280,
    height: 720,
    bitrateKbps: 3000,
    segmentSeconds: 4,
    segmentCount: 15,
    audio: true,
    container: 'ts',
    audioTrack: { index: 0, language: 'eng', codec: 'aac', channels: 2, copied: false, reason: 'aac' },
    ...over,
  };
}

describe('oneQualityView (the master of a job without a ladder)', () => {
  it('lists an encode at its own rate, with the VBV peak above it and the frame rate to 3 decimals', () => {
    const view = oneQualityView(output({}), { source, copy: false, container: 'ts', segmentSeconds: 4 });
    assert.equal(view.playlist, 'stream.m3u8');
    assert.equal(view.bitrateKbps, 3000);
    assert.deepEqual([view.width, view.height, view.frameRate], [1280, 720, 23.976]);
    // maxrate 3000 kb/s with a 2 s buffer over 4 s segments: at most 3000·6/4 = 4500 kb/s of video in one.
    assert.ok(view.bandwidth >= 4_500_000 && view.bandwidth < 5_200_000, String(view.bandwidth));
    assert.ok(view.averageBandwidth >= 3_000_000 && view.averageBandwidth < view.bandwidth);
    assert.equal(view.codecs, null, 'read from the first segment later, never guessed here');
  });

  it('lists a copy at the source rate, not at the rate a transcode would have asked for', () => {
    const copy = oneQualityView(output({ encoder: 'copy', height: 1080, width: 1920, bitrateKbps: 3000 }), {
      source,
      copy: true,
      container: 'ts',
      segmentSeconds: 4,
    });
    assert.equal(copy.copied, true);
    assert.equal(copy.bitrateKbps, 8000);
    assert.ok(copy.bandwidth >= 16_000_000, `a copy's peaks are the source's: ${copy.bandwidth}`);
  });
});
