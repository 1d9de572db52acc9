// Where FFmpeg's HLS muxer cuts a stream copy, from the source's keyframes (checked against real FFmpeg in
// test/integration/stream-copy.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { copyCuts, copyDurations } from '../../../src/media/keyframe-index.js';

describe('copyCuts', () => {
  it('cuts at the first keyframe at or after the next multiple of the segment length', () => {
    assert.deepEqual(copyCuts([0, 1.3, 4.1, 5, 9.7], 2), [0, 4.1, 5, 9.7]);
    // Regular 2 s keyframes with 4 s segments: every other one.
    assert.deepEqual(copyCuts([0, 2, 4, 6, 8, 10], 4), [0, 4, 8]);
    // Times are counted from the first keyframe (a source starting at 1.4 s, as MPEG-TS does).
    assert.deepEqual(copyCuts([1.4, 3.4, 5.4, 7.4], 4), [0, 4]);
    assert.deepEqual(copyCuts([], 4), []);
  });

  it('gives durations between cuts, the last to the end', () => {
    assert.deepEqual(
      copyDurations([0, 1.3, 4.1, 5, 9.7], 2, 12).map((d) => Math.round(d * 1000) / 1000),
      [4.1, 0.9, 4.7, 2.3],
    );
  });
});
