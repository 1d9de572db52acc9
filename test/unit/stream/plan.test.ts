import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outputHeight, outputWidth, segmentCount } from '../../../src/stream/plan.js';
import { planJob } from '../../../src/stream/head-plan.js';
import type { SourceInfo } from '../../../src/media/source-info.js';

const source: SourceInfo = {
  durationSeconds: 20.02,
  formatName: 'mov,mp4',
  video: {
    index: 0,
    codec: 'h264',
    width: 1920,
    height: 1080,
    fps: 24000 / 1001,
    pixFmt: 'yuv420p',
    startSeconds: 0,
    durationSeconds: 0,
    profile: 'High',
    level: 41,
    bitRate: 0,
  },
  audioTracks: [{ index: 1, codec: 'aac', channels: 6, language: 'eng', isDefault: true }],
  subtitleTracks: [],
};

describe('planJob', () => {
  it('fills defaults from the source and the request', () => {
    const { plan, output } = planJob({ input: 'a.mkv', video: { codec: 'h264', height: 720 } }, source, {
      inputPath: '/m/a.mkv',
      outputDir: '/w/s/id',
      encoder: { name: 'libx264', accelerator: null, device: null },
      threads: 2,
      lowMemory: false,
      head: 0,
      video: { copy: false, codec: 'h264', reason: 'h264 requested' },
      startSegment: 0,
    });
    assert.equal(plan.segmentSeconds, 4);
    assert.equal(plan.video.gopFrames, 96);
    assert.equal(plan.video.height, 720);
    assert.equal(plan.video.bitrateKbps, 3000);
    assert.deepEqual(plan.audio, { streamIndex: 1, copy: false, bitrateKbps: 128, channels: 2 });
    assert.deepEqual(output, {
      codec: 'h264',
      encoder: 'libx264',
      video: { copied: false, reason: 'h264 requested' },
      width: 1280,
      height: 720,
      bitrateKbps: 3000,
      segmentSeconds: 4,
      // 20.02 s at 23.976 fps is 480 frames; the last starts at 19.978 s, before the cut at 20 s.
      segmentCount: 5,
      audio: true,
      container: 'ts',
      audioTrack: {
        index: 0,
        language: 'eng',
        codec: 'aac',
        channels: 2,
        copied: false,
        reason: 'aac requested',
      },
      burnedSubtitles: null,
    });
  });
  it('keeps requested audio settings and handles silent sources', () => {
    const { plan } = planJob(
      {
        input: 'a',
        video: { codec: 'hevc', bitrateKbps: 900 },
        audio: { codec: 'aac', bitrateKbps: 96, channels: 1 },
        segmentSeconds: 2,
      },
      source,
      {
        inputPath: '/m/a',
        outputDir: '/o',
        encoder: { name: 'libx265', accelerator: null, device: null },
        threads: null,
        lowMemory: true,
        head: 0,
        video: { copy: false, codec: 'hevc', reason: 'hevc requested' },
        startSegment: 0,
      },
    );
    assert.equal(plan.video.height, 1080);
    assert.equal(plan.video.bitrateKbps, 900);
    assert.deepEqual(plan.audio, { streamIndex: 1, copy: false, bitrateKbps: 96, channels: 1 });
    const silent = planJob(
      { input: 'a', video: { codec: 'h264' } },
      { ...source, audioTracks: [] },
      {
        inputPath: '/m/a',
        outputDir: '/o',
        encoder: { name: 'libx264', accelerator: null, device: null },
        threads: null,
        lowMemory: false,
        head: 0,
        video: { copy: false, codec: 'h264', reason: 'h264 requested' },
        startSegment: 0,
      },
    );
    assert.equal(silent.plan.audio, null);
    assert.equal(silent.output.audio, false);
  });
  it('computes even sizes and segment counts', () => {
    assert.equal(outputHeight(721, 1080), 720);
    assert.equal(outputHeight(undefined, 1081), 1080);
    assert.equal(outputWidth(480, { width: 1920, height: 1080 }), 854);
    assert.equal(outputWidth(480, { width: 0, height: 0 }), null);
    assert.equal(segmentCount(20, 4), 5);
    assert.equal(segmentCount(20.0004, 4), 5);
    assert.equal(segmentCount(20.02, 4), 6);
    assert.equal(segmentCount(0.5, 4), 1);
    // With the frame rate: a segment exists when some frame starts at or after its cut.
    assert.equal(segmentCount(20.02, 4, 24000 / 1001), 5);
    assert.equal(segmentCount(20.0625, 4, 24000 / 1001), 6);
    assert.equal(segmentCount(30, 2, 30), 15);
  });
});
