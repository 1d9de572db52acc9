// Heartbeats against a real loopback orchestrator that goes down, turns slow, or answers 500: beats time out and back
// off, the worker keeps serving, and beats resume when the orchestrator is back. A status change beats at once.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestDaemon, testConfig, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';

type Mode = 'ok' | 'fail' | 'slow';

/** An orchestrator that records every attempt (also the ones it fails or answers too late) and can be stopped. */
class FlakyOrchestrator {
  mode: Mode = 'ok';
  /** status: the mode the attempt met; worker: the status the beat reported. */
  readonly attempts: { at: number; status: Mode; worker: string }[] = [];
  port = 0;
  #server: Server | null = null;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Listens (again) on the same port. */
  async up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status?: string };
        this.attempts.push({ at: Date.now(), status: this.mode, worker: body.status ?? '' });
        if (this.mode === 'slow') {
          // Longer than the worker's timeout_seconds.
          setTimeout(() => res.writeHead(200).end('{}'), 1500).unref();
          return;
        }
        res.writeHead(this.mode === 'ok' ? 200 : 500).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening: the worker's connections are refused. */
  async down(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }

  okSince(t: number): number[] {
    return this.attempts.filter((a) => a.status === 'ok' && a.at >= t).map((a) => a.at);
  }

  /** True once a beat at or after t reported this worker status. */
  reportedSince(t: number, worker: string): boolean {
    return this.attempts.some((a) => a.status === 'ok' && a.at >= t && a.worker === worker);
  }
}

const INTERVAL_MS = 250;

describe('heartbeat faults', () => {
  let d: TestDaemon;
  const orch = new FlakyOrchestrator();
  before(async () => {
    await orch.up();
    d = await startTestDaemon(
      testConfig(makeMountDir(), {
        orchestrator: { url: orch.url, heartbeat_interval_seconds: INTERVAL_MS / 1000, timeout_seconds: 0.3 },
      }),
      // The end of the hardware probe sends a beat at once: let it happen before the gaps are measured.
      { measureSpeed: false },
    );
    await d.hardware.settled;
    await waitFor(() => orch.okSince(0).length >= 2, 3000, 'beats at start');
  });
  after(async () => {
    await d.stop();
    await orch.down();
  });

  const failedBeats = async (): Promise<number> => {
    const text = await (await d.api('GET', '/metrics')).text();
    return Number(/transcode_worker_heartbeats_total\{result="failed"\} (\d+)/.exec(text)?.[1] ?? NaN);
  };
  const healthy = async (): Promise<void> => {
    const res = await fetch(`${d.localUrl}/health`);
    assert.equal(res.status, 200);
  };

  it('orchestrator down (refused): backs off, keeps serving, and resumes within one interval of its return', async () => {
    const before = await failedBeats();
    await orch.down();
    await new Promise((r) => setTimeout(r, 3000));
    const failed = (await failedBeats()) - before;
    // At a fixed 250 ms interval 3 s would hold 12 beats; backing off 250, 500, 1000, 2000 ms allows at most 5.
    assert.ok(failed >= 2 && failed <= 6, `failed beats in 3 s: ${failed}`);
    await healthy();
    const back = Date.now();
    await orch.up();
    await waitFor(() => orch.okSince(back).length >= 1, 3000, 'a beat after the return');
    const resumedAfter = (orch.okSince(back)[0] ?? Infinity) - back;
    // One interval for the probe, plus the probe and the beat themselves on a busy 2-core machine.
    assert.ok(resumedAfter <= INTERVAL_MS + 250, `resumed ${resumedAfter} ms after the return`);
    // And back at the normal interval, not the backoff.
    await waitFor(() => orch.okSince(back).length >= 3, 2000, 'beats at the interval again');
  });

  for (const mode of ['slow', 'fail'] as const) {
    const what = mode === 'slow' ? 'slow (answers after the timeout)' : 'answering 500';
    it(`orchestrator ${what}: beats fail, gaps grow, and beats resume once it answers`, async () => {
      const before = await failedBeats();
      const start = Date.now();
      orch.mode = mode;
      await new Promise((r) => setTimeout(r, 3500));
      const tries = orch.attempts.filter((a) => a.at >= start && a.status === mode).map((a) => a.at);
      assert.ok(tries.length >= 3 && tries.length <= 7, `attempts in 3.5 s: ${tries.length}`);
      const gaps = tries.slice(1).map((t, i) => t - (tries[i] ?? t));
      // Each backoff is at least the previous one (jitter stays in the upper half of a doubling base).
      assert.ok((gaps.at(-1) ?? 0) > (gaps[0] ?? 0) + INTERVAL_MS / 2, `gaps ${gaps.join(', ')}`);
      assert.ok((await failedBeats()) - before >= tries.length - 1);
      await healthy();
      const back = Date.now();
      orch.mode = 'ok';
      // Nothing tells the worker an answering orchestrator is healthy again but a beat: at most the pending backoff.
      // A gap is drawn from the upper half of its base (base/2 to base) and the next base doubles, so the pending
      // delay is at most 2 × base ≤ 4 × the last gap seen (2 × was short: a last gap of 1043 ms, low in its jitter,
      // was followed by a longer wait than 3086 ms in CI).
      const lastGap = gaps.at(-1) ?? 0;
      await waitFor(() => orch.okSince(back).length >= 1, 4 * lastGap + 1000, 'a beat after recovery');
      await waitFor(() => orch.okSince(back).length >= 3, 3000, 'beats at the interval again');
      const ok = orch.okSince(back);
      const okGap = (ok[2] ?? 0) - (ok[1] ?? 0);
      assert.ok(okGap < INTERVAL_MS * 2, `interval after recovery: ${okGap} ms`);
    });
  }
});

describe('status changes beat at once', () => {
  let d: TestDaemon;
  const orch = new FlakyOrchestrator();
  before(async () => {
    const mount = makeMountDir();
    copyFileSync(await makeMedia({ seconds: 30, width: 1280, height: 720 }), path.join(mount, 'film.mp4'));
    await orch.up();
    // A long interval: any beat within a second of a change is the change's own beat.
    d = await startTestDaemon(
      testConfig(mount, {
        limits: { max_jobs: 1 },
        orchestrator: { url: orch.url, heartbeat_interval_seconds: 30 },
      }),
    );
    await waitFor(() => orch.okSince(0).length >= 1, 3000, 'the first beat');
  });
  after(async () => {
    await d.stop();
    await orch.down();
  });

  const beatWithin = async (ms: number, since: number, status: string): Promise<void> => {
    await waitFor(() => orch.reportedSince(since, status), ms, `a "${status}" beat within ${ms} ms`);
  };

  it('ready → busy → ready → draining, each within a second', async () => {
    let t = Date.now();
    const res = await d.api('POST', '/jobs', { id: 'busy-job', input: 'film.mp4', video: { codec: 'h264' } });
    assert.equal(res.status, 202);
    await beatWithin(1000, t, 'busy');
    t = Date.now();
    assert.equal((await d.api('DELETE', '/jobs/busy-job')).status, 200);
    await beatWithin(1000, t, 'ready');
    t = Date.now();
    await d.stop();
    await beatWithin(1000, t, 'draining');
  });
});
