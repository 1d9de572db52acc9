// What the HLS layer sees of a job's stream (issue 16: split from the manager): a viewer's request reaches the heads,
// waits for them before the probe, and is dropped once the job stopped; what the stream holds once probed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newEntry, type JobEntry } from '../../../src/jobs/job-entry.js';
import type { JobOutput } from '../../../src/contract/job-view.js';
import { streamHandle } from '../../../src/jobs/stream-handle.js';

const encoder = { name: 'libx264', accelerator: null, device: null };
const entry = (): JobEntry =>
  newEntry('film', { input: 'a.mkv', video: { codec: 'h264' } }, '/w/film', encoder);

/** A stream that records the segments asked of it. */
function fakeStream(asked: number[]): JobEntry['stream'] {
  return { request: (k: number) => asked.push(k) } as unknown as JobEntry['stream'];
}

describe('streamHandle', () => {
  it('keeps a request made before the probe for the runner, then passes requests to the heads', () => {
    const e = entry();
    const handle = streamHandle(e);
    handle.request(7);
    assert.equal(e.earlyRequest, 7);
    const asked: number[] = [];
    e.stream = fakeStream(asked);
    handle.request(9);
    assert.deepEqual(asked, [9]);
    assert.equal(e.earlyRequest, 7, 'passed on once, by the runner');
  });

  it('drops requests once the job stopped, and says it no longer grows', () => {
    const e = entry();
    const handle = streamHandle(e);
    const asked: number[] = [];
    e.stream = fakeStream(asked);
    assert.equal(handle.live, true);
    e.status = 'completed';
    handle.request(3);
    assert.deepEqual(asked, []);
    assert.equal(handle.live, false, 'read at each look, not when the handle was made');
  });

  it('knows nothing of the output before the probe; then its segments, container and variants (0: one quality)', () => {
    const e = entry();
    assert.deepEqual(
      [streamHandle(e).segmentCount, streamHandle(e).container, streamHandle(e).variants],
      [null, null, null],
    );
    e.output = { segmentCount: 12, container: 'fmp4' } as JobOutput;
    assert.deepEqual(
      [streamHandle(e).segmentCount, streamHandle(e).container, streamHandle(e).variants],
      [12, 'fmp4', 0],
    );
    e.output = { segmentCount: 12, container: 'ts', variants: [{}, {}, {}] } as unknown as JobOutput;
    assert.equal(streamHandle(e).variants, 3);
    assert.equal(streamHandle(e).dir, '/w/film');
  });

  it('answers no subtitles for a job without a stream once it is planned', async () => {
    const e = entry();
    const handle = streamHandle(e);
    e.markPlanned();
    assert.equal(await handle.subtitlePlaylist(0), null);
    assert.equal(await handle.subtitleSegment(0, 0, new AbortController().signal), null);
  });
});
