// Pure head decisions: which head brings a segment, when a seek starts one, when heads stop or pause.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  coveringHead,
  decideSeek,
  deferredToTry,
  fetchesFrom,
  firstFrameSeconds,
  nextSeekStart,
  idleHeads,
  reachedOtherWork,
  throttleDecision,
  type HeadPolicy,
  type HeadState,
  type HeadWatch,
} from '../../../src/stream/heads.js';

const policy: HeadPolicy = {
  aheadSegments: 5,
  maxHeads: 2,
  idleMs: 60_000,
  throttleAheadSeconds: 90,
  segmentSeconds: 4,
  seekBurst: 2,
  protectMs: 8000,
};

/** Every head last wanted at `at`. */
const seenAt = (at: number) => (): HeadWatch => ({ lastNear: at, lastFetched: at });

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
  const now = 100_000;

  it('waits for a head at most ahead_segments behind the request', () => {
    assert.equal(coveringHead([h0], 10, 5)?.id, 0);
    assert.equal(coveringHead([h0], 15, 5)?.id, 0);
    assert.equal(coveringHead([h0], 16, 5), null);
    assert.deepEqual(decideSeek([h0], 14, policy, now, [], seenAt(0)), { action: 'wait', head: 0 });
  });

  it('starts a head for a request far ahead of, or behind, every head', () => {
    assert.deepEqual(decideSeek([h0], 400, policy, now, [], seenAt(0)), {
      action: 'start',
      at: 400,
      replace: null,
    });
    const seek = head(1, 400, 403);
    // Behind every head (a viewer jumps back to a part nobody made).
    assert.deepEqual(decideSeek([seek], 3, policy, now, [], seenAt(0)), {
      action: 'start',
      at: 3,
      replace: null,
    });
  });

  it('starts the first seek at once, even right after the job started (the seek figure)', () => {
    const fresh = head(0, 0, 0, { startedAt: now - 300 });
    assert.deepEqual(decideSeek([fresh], 120, policy, now, [], seenAt(now - 300)), {
      action: 'start',
      at: 120,
      replace: null,
    });
  });

  it('at the cap, replaces the head whose viewers were seen longest ago', () => {
    const seek = head(1, 400, 410);
    const seen = (h: HeadState): HeadWatch =>
      h.id === 0 ? { lastNear: 1000, lastFetched: 1000 } : { lastNear: 5000, lastFetched: 5000 };
    assert.deepEqual(decideSeek([h0, seek], 900, policy, now, [], seen), {
      action: 'start',
      at: 900,
      replace: 0,
    });
  });

  it('never replaces a head a viewer fetched from (or that started) within protectMs: defers until one is free', () => {
    const seek = head(1, 400, 410, { startedAt: now - 1000 });
    // Head 0 was fetched from 3 s ago, the seek head started 1 s ago (its viewer waits for it).
    const watch = (h: HeadState): HeadWatch =>
      h.id === 0 ? { lastNear: now - 3000, lastFetched: now - 3000 } : { lastNear: 0, lastFetched: 0 };
    assert.deepEqual(decideSeek([h0, seek], 900, policy, now, [], watch), {
      action: 'defer',
      until: now - 3000 + 8000,
    });
    // Near (a viewer around it) is not fetching from it: a head only looked near is replaceable.
    const nearOnly = (h: HeadState): HeadWatch =>
      h.id === 0 ? { lastNear: now - 10, lastFetched: now - 9000 } : { lastNear: now, lastFetched: now };
    assert.deepEqual(decideSeek([h0, head(1, 400, 410)], 900, policy, now, [], nearOnly), {
      action: 'start',
      at: 900,
      replace: 0,
    });
  });

  it('rations starts: seekBurst at once, then one per segment of time, whatever the heads', () => {
    // Two seeks 1 s and 0.5 s ago: the next may start once the older leaves the 2 × 4 s window.
    const starts = [now - 1000, now - 500];
    assert.deepEqual(decideSeek([h0], 900, policy, now, starts, seenAt(0)), {
      action: 'defer',
      until: now - 1000 + 8000,
    });
    assert.equal(nextSeekStart(starts, now + 7000, policy), now + 7000);
    assert.equal(nextSeekStart([now - 9000, now - 500], now, policy), now, 'one start in the window');
    assert.equal(nextSeekStart([], now, policy), now);
    // Covered requests need no start, rationed or not.
    assert.deepEqual(decideSeek([h0], 12, policy, now, starts, seenAt(0)), { action: 'wait', head: 0 });
  });

  it('bounds a hostile loop: at most seekBurst + t / segmentSeconds starts in t seconds', () => {
    // A loop asking for a new far segment every 50 ms for 60 s, each start taken the moment it is allowed.
    const starts: number[] = [];
    for (let t = 0; t < 60_000; t += 50) {
      if (nextSeekStart(starts, t, policy) <= t) starts.push(t);
    }
    assert.ok(starts.length <= 2 + 60 / 4, `${starts.length} starts`);
    assert.ok(starts.length >= 60 / 4, 'a start per segment of time stays allowed');
  });

  it('counts a request as fetching from a head from its start to ahead_segments past where it writes', () => {
    assert.equal(fetchesFrom(head(0, 10, 20), 10, 5), true);
    assert.equal(fetchesFrom(head(0, 10, 20), 25, 5), true);
    assert.equal(fetchesFrom(head(0, 10, 20), 26, 5), false);
    assert.equal(fetchesFrom(head(0, 10, 20), 9, 5), false);
  });
});

describe('deferredToTry', () => {
  it('newest request first; requests older than the segment wait are dropped', () => {
    const deferred = [
      { index: 50, askedAt: 1000 },
      { index: 90, askedAt: 3000 },
      { index: 20, askedAt: 2000 },
    ];
    const order = (now: number): number[] => deferredToTry(deferred, now, 30_000).map((d) => d.index);
    assert.deepEqual(order(4000), [90, 20, 50]);
    assert.deepEqual(order(31_500), [90, 20]);
    assert.deepEqual(deferredToTry([], 0, 30_000), []);
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
