// Pure head decisions: which head brings a segment, when a seek starts one, when heads stop or pause.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  coveringHead,
  decideSeek,
  firstFrameSeconds,
  idleHeads,
  reachedOtherWork,
  throttleDecision,
  type HeadPolicy,
  type HeadState,
} from '../../../src/jobs/heads.js';

const policy: HeadPolicy = {
  aheadSegments: 5,
  maxHeads: 2,
  idleMs: 60_000,
  throttleAheadSeconds: 90,
  segmentSeconds: 4,
};

const head = (id: number, start: number, next: number, extra: Partial<HeadState> = {}): HeadState => ({
  id,
  start,
  next,
  throttled: false,
  startedAt: 0,
  ...extra,
});

describe('coveringHead and decideSeek', () => {
  const h0 = head(0, 0, 10);

  it('waits for a head at most ahead_segments behind the request', () => {
    assert.equal(coveringHead([h0], 10, 5)?.id, 0);
    assert.equal(coveringHead([h0], 15, 5)?.id, 0);
    assert.equal(coveringHead([h0], 16, 5), null);
    assert.deepEqual(
      decideSeek([h0], 14, policy, () => 0),
      { action: 'wait', head: 0 },
    );
  });

  it('starts a head for a request far ahead of, or behind, every head', () => {
    assert.deepEqual(
      decideSeek([h0], 400, policy, () => 0),
      { action: 'start', at: 400, replace: null },
    );
    const seek = head(1, 400, 403);
    // Behind every head (a viewer jumps back to a part nobody made).
    assert.deepEqual(
      decideSeek([seek], 3, policy, () => 0),
      { action: 'start', at: 3, replace: null },
    );
  });

  it('at the cap, replaces the head whose viewers were seen longest ago', () => {
    const seek = head(1, 400, 410);
    const seen = (h: HeadState): number => (h.id === 0 ? 1000 : 5000);
    assert.deepEqual(decideSeek([h0, seek], 900, policy, seen), { action: 'start', at: 900, replace: 0 });
  });
});

describe('reachedOtherWork', () => {
  it('stops a head whose next segment is made, or that another head started at or passed', () => {
    const made = new Set([20, 21]);
    assert.equal(
      reachedOtherWork(head(0, 0, 20), [], (i) => made.has(i)),
      true,
    );
    assert.equal(
      reachedOtherWork(head(0, 0, 19), [], (i) => made.has(i)),
      false,
    );
    // A seek head started at 20 and still writes its first segment: head 0 must not write 20 too.
    const h0 = head(0, 0, 20);
    const seek = head(1, 20, 20);
    assert.equal(
      reachedOtherWork(h0, [h0, seek], () => false),
      true,
    );
    // The seek head itself goes on: the head behind it started earlier.
    assert.equal(
      reachedOtherWork(seek, [h0, seek], () => false),
      false,
    );
  });
});

describe('throttleDecision', () => {
  it('pauses beyond ahead_seconds of the furthest viewer and resumes within half of it', () => {
    // 23 segments × 4 s = 92 s ahead of a viewer at segment 0.
    assert.equal(throttleDecision(head(0, 0, 23), 0, policy), 'pause');
    assert.equal(throttleDecision(head(0, 0, 22), 0, policy), null);
    const paused = head(0, 0, 23, { throttled: true });
    assert.equal(throttleDecision(paused, 10, policy), null, '52 s ahead: still paused');
    assert.equal(throttleDecision(paused, 12, policy), 'resume', '44 s ahead');
  });

  it('measures from the head start before anyone fetched, and never pauses when off', () => {
    assert.equal(throttleDecision(head(0, 100, 123), null, policy), 'pause');
    assert.equal(throttleDecision(head(0, 0, 500), 0, { ...policy, throttleAheadSeconds: 0 }), null);
    assert.equal(
      throttleDecision(head(0, 0, 500, { throttled: true }), 0, { ...policy, throttleAheadSeconds: 0 }),
      'resume',
    );
  });
});

describe('idleHeads', () => {
  it('stops heads nobody fetched near for idle_seconds, counting from their start', () => {
    const heads = [head(0, 0, 10, { startedAt: 0 }), head(1, 300, 305, { startedAt: 50_000 })];
    const near = (h: HeadState): number => (h.id === 0 ? 10_000 : 0);
    assert.deepEqual(idleHeads(heads, policy, 69_999, near), []);
    assert.deepEqual(idleHeads(heads, policy, 70_000, near), [0]);
    assert.deepEqual(idleHeads(heads, policy, 110_000, near), [0, 1]);
    assert.deepEqual(idleHeads(heads, { ...policy, idleMs: 0 }, 1e12, near), []);
  });
});

describe('firstFrameSeconds', () => {
  it('is the first frame at or after the cut (23.976 fps: segment 3 of 4 s starts at frame 288)', () => {
    assert.ok(Math.abs(firstFrameSeconds(3, 4, 24000 / 1001, 0) - (288 * 1001) / 24000) < 1e-9);
    assert.equal(firstFrameSeconds(5, 2, 25, 0), 10);
    assert.equal(firstFrameSeconds(0, 4, 25, 0.08), 0.08);
    // A video that starts late: frames sit on its own grid.
    assert.ok(Math.abs(firstFrameSeconds(1, 4, 25, 0.02) - 4.02) < 1e-9);
  });
});
