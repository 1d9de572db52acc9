import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextDelayMs, startHeartbeat, type BeatResult } from '../../src/heartbeat.js';

const quiet = { warn: () => undefined, info: () => undefined };

describe('heartbeat backoff', () => {
  it('beats at the interval while healthy and backs off exponentially up to the cap', () => {
    assert.equal(nextDelayMs(0, 5000, 30000, 0.5), 5000);
    assert.equal(nextDelayMs(1, 5000, 30000, 1), 5000);
    assert.equal(nextDelayMs(1, 5000, 30000, 0), 2500);
    assert.equal(nextDelayMs(2, 5000, 30000, 1), 10000);
    assert.equal(nextDelayMs(3, 5000, 30000, 1), 20000);
    assert.equal(nextDelayMs(4, 5000, 30000, 1), 30000);
    assert.equal(nextDelayMs(50, 5000, 30000, 1), 30000);
    for (let f = 1; f < 10; f++) assert.ok(nextDelayMs(f, 5000, 30000, Math.random()) <= 30000);
  });
});

describe('heartbeat loop', () => {
  it('times out a hanging beat, keeps going, and a nudge beats at once', async () => {
    const calls: number[] = [];
    let mode: 'hang' | 'ok' = 'hang';
    const controller = new AbortController();
    const send = (_p: unknown, signal: AbortSignal): Promise<BeatResult> => {
      calls.push(Date.now());
      if (mode === 'ok') return Promise.resolve({ ok: true, status: 200 });
      return new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    };
    const results: BeatResult[] = [];
    const hb = startHeartbeat({
      send,
      payload: () => ({}),
      intervalMs: 50,
      timeoutMs: 40,
      maxBackoffMs: 100,
      signal: controller.signal,
      log: quiet,
      random: () => 1,
      onResult: (r) => results.push(r),
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(results.length >= 2, `beats attempted: ${results.length}`);
    assert.ok(results.every((r) => !r.ok && /timed out/.test(r.error ?? '')));
    mode = 'ok';
    const before = calls.length;
    hb.nudge();
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(calls.length > before, 'nudge sent a beat immediately');
    assert.ok(results.at(-1)?.ok);
    controller.abort();
    await hb.done;
    assert.ok(hb.stats.sent >= 1 && hb.stats.failed >= 2);
  });
});
