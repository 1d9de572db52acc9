// What a client sends the pool becomes placement's needs: one output per encode, ladders, copies, auto.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePlacementRequest, parsePoolJob } from '../../../src/contract/placement.js';
import { WorkerError } from '../../../src/errors.js';

describe('placement requests', () => {
  it('one output, the source facts without the input path, tone mapping wanted for HDR', () => {
    assert.deepEqual(
      parsePlacementRequest({
        source: { codec: 'hevc', width: 3840, height: 2160, frameRate: 24, hdr: true, input: 'a.mkv' },
        output: { codec: 'h264', height: 1080 },
      }),
      {
        source: { codec: 'hevc', width: 3840, height: 2160, frameRate: 24, hdr: true },
        outputs: [{ codec: 'h264', height: 1080 }],
        sdrOutput: true,
      },
    );
  });

  it('a ladder is one output per variant, a variant without codec takes the job codec', () => {
    const needs = parsePlacementRequest({
      output: {
        codec: 'hevc',
        variants: [{ height: 1080 }, { codec: 'h264', height: 720 }, { codec: 'copy' }],
      },
    });
    assert.deepEqual(needs.outputs, [
      { codec: 'hevc', height: 1080 },
      { codec: 'h264', height: 720 },
      { codec: 'copy' },
    ]);
  });

  it('refuses unknown fields and absurd sizes', () => {
    for (const body of [
      { output: { codec: 'h264' }, extra: 1 },
      { output: { codec: 'h264', height: 100000 } },
      { source: { width: -1 }, output: { codec: 'h264' } },
      { source: { frameRate: 0 }, output: { codec: 'h264' } },
      {},
    ])
      assert.throws(
        () => parsePlacementRequest(body),
        (e) => e instanceof WorkerError && e.code === 'INVALID_BODY',
      );
  });
});

describe('pool jobs', () => {
  it('splits off the source and keeps the worker request as it is', () => {
    const job = parsePoolJob({ input: 'a.mkv', video: { codec: 'copy' }, source: { height: 720 } });
    assert.deepEqual(job.request, { input: 'a.mkv', video: { codec: 'copy' } });
    assert.deepEqual(job.needs, { source: { height: 720 }, outputs: [{ codec: 'copy' }] });
  });

  it('places auto as the transcode it may become', () => {
    const job = parsePoolJob({
      input: 'a.mkv',
      video: { codec: 'auto', codecs: ['hevc', 'h264'], height: 720 },
    });
    assert.deepEqual(job.needs.outputs, [{ codec: 'hevc', height: 720 }]);
  });

  it("refuses with the worker's own rules and a bad source", () => {
    const bad = [
      { input: 'a.mkv', video: { codec: 'h264' }, bogus: 1 },
      { input: 'a.mkv', video: { codec: 'h264' }, source: { width: 'wide' } },
      [],
    ];
    for (const body of bad)
      assert.throws(
        () => parsePoolJob(body),
        (e) => e instanceof WorkerError && e.code === 'INVALID_BODY',
      );
  });
});
