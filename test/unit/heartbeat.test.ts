import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  httpBeatSender,
  nextDelayMs,
  startHeartbeat,
  tcpProbe,
  type BeatResult,
} from '../../src/heartbeat.js';

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

  it('stays within [backoff/2, backoff] and never above the cap, for any interval and failure count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 100, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (failures, intervalMs, random) => {
          const base = Math.min(30_000, intervalMs * 2 ** Math.min(failures - 1, 16));
          const d = nextDelayMs(failures, intervalMs, 30_000, random);
          return d <= 30_000 && d >= Math.floor(base / 2) && d <= base;
        },
      ),
      { seed: 6, numRuns: 2000 },
    );
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

describe('heartbeat against an unreachable orchestrator', () => {
  it('backs off, probes every interval, and beats at once when the probe connects', async () => {
    const controller = new AbortController();
    const beats: number[] = [];
    const probes: number[] = [];
    const state = { back: false };
    const hb = startHeartbeat({
      send: () => {
        beats.push(Date.now());
        return Promise.resolve(
          state.back ? { ok: true, status: 200 } : { ok: false, unreachable: true, error: 'ECONNREFUSED' },
        );
      },
      probe: () => {
        probes.push(Date.now());
        return Promise.resolve(state.back);
      },
      payload: () => ({}),
      intervalMs: 40,
      timeoutMs: 40,
      maxBackoffMs: 5_000,
      signal: controller.signal,
      log: quiet,
      random: () => 1,
    });
    // Failures 1..4 back off 40, 80, 160, 320 ms: about 5 beats in 700 ms, the rest are probes.
    await new Promise((r) => setTimeout(r, 700));
    const failedBeats = beats.length;
    assert.ok(failedBeats >= 4 && failedBeats <= 6, `beats while down: ${failedBeats}`);
    assert.ok(probes.length >= 5, `probes while backing off: ${probes.length}`);
    state.back = true;
    const backAt = Date.now();
    await new Promise((r) => setTimeout(r, 120));
    assert.ok(beats.length > failedBeats, 'a beat followed the first successful probe');
    const resumedAfter = (beats[failedBeats] ?? Infinity) - backAt;
    assert.ok(resumedAfter <= 40 + 60, `resumed ${resumedAfter} ms after the return (interval 40 ms)`);
    controller.abort();
    await hb.done;
    assert.ok(hb.stats.sent >= 1);
  });

  it('does not probe after an HTTP failure: a 500 is backed off in full', async () => {
    const controller = new AbortController();
    let probes = 0;
    const hb = startHeartbeat({
      send: () => Promise.resolve({ ok: false, status: 500, error: 'HTTP 500' }),
      probe: () => {
        probes++;
        return Promise.resolve(true);
      },
      payload: () => ({}),
      intervalMs: 30,
      timeoutMs: 30,
      signal: controller.signal,
      log: quiet,
      random: () => 1,
    });
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    await hb.done;
    assert.equal(probes, 0);
    // 30, 60, 120 ms backoff: 4 or 5 beats in 300 ms, not the 10 a fixed interval would send.
    assert.ok(hb.stats.failed >= 3 && hb.stats.failed <= 5, `beats: ${hb.stats.failed}`);
  });
});

describe('the real sender and probe on loopback', () => {
  const listen = async (status: number): Promise<{ server: Server; url: string }> => {
    const server = createServer((_req, res) => res.writeHead(status).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };

  it('tells refused (unreachable) from an HTTP error, and the probe from a closed port', async () => {
    const { server, url } = await listen(500);
    const failing = await httpBeatSender(`${url}/workers/heartbeat`, 't')({}, AbortSignal.timeout(2000));
    assert.deepEqual(failing, { ok: false, status: 500, error: 'HTTP 500' });
    assert.equal(await tcpProbe(url)(AbortSignal.timeout(2000)), true);
    await new Promise((r) => server.close(r));
    const refused = await httpBeatSender(`${url}/workers/heartbeat`, 't')({}, AbortSignal.timeout(2000));
    assert.deepEqual(refused, { ok: false, unreachable: true, error: 'ECONNREFUSED' });
    assert.equal(await tcpProbe(url)(AbortSignal.timeout(2000)), false);
  });
});
