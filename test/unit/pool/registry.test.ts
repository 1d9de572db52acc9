// The live list from beats alone, on a fake clock: silence windows from observed intervals, drop and return,
// status changes at once, a worker reborn with a new id at the same URL, and the bounded decision log.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecisionLog } from '../../../src/pool/decision-log.js';
import { WorkerRegistry } from '../../../src/pool/registry.js';
import { workerState } from './worker-state.js';

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

const ids = (r: WorkerRegistry): string[] => r.live().map((w) => w.state.workerId);

describe('worker registry', () => {
  it('lists a worker from its first beat and drops it after 3 × the default interval before a second beat', () => {
    const clock = fakeClock();
    const r = new WorkerRegistry({ now: clock.now });
    assert.equal(r.beat(workerState({ id: 'a' })), true);
    clock.advance(15_000);
    assert.deepEqual(ids(r), ['a']);
    clock.advance(1);
    assert.deepEqual(ids(r), []);
  });

  it('learns the interval from the gaps (the longest recent one, so a nudged beat does not shorten it)', () => {
    const clock = fakeClock();
    const r = new WorkerRegistry({ now: clock.now });
    r.beat(workerState({ id: 'a' }));
    clock.advance(1000);
    r.beat(workerState({ id: 'a' }));
    clock.advance(50); // a nudge: status changed
    assert.equal(r.beat(workerState({ id: 'a', status: 'busy' })), false);
    assert.equal(r.live()[0]?.intervalMs, 1000);
    assert.equal(r.live()[0]?.silenceMs, 3000);
    clock.advance(3000);
    assert.deepEqual(ids(r), ['a']);
    clock.advance(1);
    assert.deepEqual(
      r.sweep().map((w) => w.state.workerId),
      ['a'],
    );
    assert.deepEqual(ids(r), []);
  });

  it('forgets old gaps: a worker that now beats faster is dropped sooner', () => {
    const clock = fakeClock();
    const r = new WorkerRegistry({ now: clock.now });
    r.beat(workerState({ id: 'a' }));
    clock.advance(5000);
    for (let i = 0; i < 5; i++) {
      r.beat(workerState({ id: 'a' }));
      clock.advance(500);
    }
    r.beat(workerState({ id: 'a' }));
    assert.equal(r.live()[0]?.intervalMs, 500);
  });

  it('takes a fixed silence window when configured', () => {
    const clock = fakeClock();
    const r = new WorkerRegistry({ now: clock.now, silenceMs: 2000 });
    r.beat(workerState({ id: 'a' }));
    clock.advance(2001);
    const dropped = r.sweep();
    assert.deepEqual(
      dropped.map((w) => w.state.workerId),
      ['a'],
    );
    assert.equal(r.size, 0);
  });

  it('lists a dropped worker again from its next beat, as new', () => {
    const clock = fakeClock();
    const r = new WorkerRegistry({ now: clock.now, silenceIntervals: 3, defaultIntervalMs: 1000 });
    r.beat(workerState({ id: 'a' }));
    clock.advance(60_000);
    assert.equal(r.beat(workerState({ id: 'a' })), true);
    assert.equal(r.live()[0]?.firstSeenAt, clock.now());
    // The 60 s silence was an absence, not an interval.
    assert.equal(r.live()[0]?.intervalMs, 1000);
  });

  it('honours draining and busy from the very next beat', () => {
    const clock = fakeClock();
    const r = new WorkerRegistry({ now: clock.now });
    r.beat(workerState({ id: 'a' }));
    r.beat(workerState({ id: 'a', status: 'draining' }));
    assert.equal(r.states()[0]?.status, 'draining');
  });

  it('replaces a worker that comes back with a new id at the same URL', () => {
    const clock = fakeClock();
    const r = new WorkerRegistry({ now: clock.now });
    const old = workerState({ id: 'old' });
    r.beat(old);
    r.beat({ ...workerState({ id: 'new' }), url: old.url });
    assert.deepEqual(ids(r), ['new']);
    // And a worker that moves to another URL frees its old one.
    r.beat({ ...workerState({ id: 'new' }), url: 'http://moved.lan:8081' });
    r.beat({ ...workerState({ id: 'third' }), url: old.url });
    assert.deepEqual(ids(r).sort(), ['new', 'third']);
  });
});

describe('reservations', () => {
  it('counts a forwarded job until the next beat, busy at max', () => {
    const clock = fakeClock();
    const r = new WorkerRegistry({ now: clock.now });
    r.beat(workerState({ id: 'a', max: 2 }));
    r.reserve('a', 1);
    assert.equal(r.states()[0]?.jobs.load, 1);
    assert.equal(r.states()[0]?.status, 'ready');
    r.reserve('a', 1);
    assert.equal(r.states()[0]?.status, 'busy');
    assert.equal(r.states()[0]?.statusReason, 'max_jobs');
    // The worker's own figure wins at its next beat.
    r.beat(workerState({ id: 'a', max: 2, load: 1 }));
    assert.equal(r.states()[0]?.jobs.load, 1);
    assert.equal(r.states()[0]?.status, 'ready');
    r.reserve('gone', 1);
    assert.equal(r.size, 1);
    r.markFull('a');
    assert.equal(r.states()[0]?.jobs.load, 2);
    assert.equal(r.states()[0]?.status, 'busy');
  });
});

describe('decision log', () => {
  it('keeps the latest entries, newest first, within its bound', () => {
    const log = new DecisionLog(3);
    for (let i = 0; i < 5; i++)
      log.add({
        at: new Date(i).toISOString(),
        route: 'placement',
        workerId: `w${i}`,
        workerName: null,
        outcome: 'placed',
        reason: String(i),
      });
    assert.deepEqual(
      log.latest().map((d) => d.reason),
      ['4', '3', '2'],
    );
    assert.deepEqual(
      log.latest(1).map((d) => d.reason),
      ['4'],
    );
  });
});
