// Deferred seeks: the segments asked for that could not start a head, and the one timer that asks again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DeferredSeeks } from '../../../src/stream/deferred-seeks.js';

describe('DeferredSeeks', () => {
  it('keeps the latest request per segment and hands them back newest first, dropping expired ones', () => {
    const d = new DeferredSeeks(() => undefined);
    assert.equal(d.add(50, 1000), true);
    assert.equal(d.add(90, 3000), true);
    assert.equal(d.add(50, 2000), false, 'already deferred: only its time moves');
    assert.deepEqual(d.take(4000, 30_000), [
      { index: 90, askedAt: 3000 },
      { index: 50, askedAt: 2000 },
    ]);
    assert.equal(d.size, 0, 'taken');
    d.add(7, 1000);
    assert.deepEqual(d.take(40_000, 30_000), [], 'older than the segment wait');
  });

  it('retries once, at the earliest time asked for; never after close', async () => {
    let retries = 0;
    const d = new DeferredSeeks(() => {
      retries++;
    });
    d.retryAt(Date.now() + 200);
    d.retryAt(Date.now() + 20);
    d.retryAt(Date.now() + 100);
    await delay(300);
    assert.equal(retries, 1);
    d.retryAt(Date.now() + 20);
    d.close();
    await delay(60);
    assert.equal(retries, 1);
  });
});
