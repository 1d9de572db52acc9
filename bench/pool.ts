// The pool under load: `node dist/cli.js pool` in its own process (so its CPU and memory are its own, not tsx's or
// the clients'), 50 simulated workers beating every second, POST /placements paced through it. Figures: the p99 of a
// placement as the client sees it, and the pool's CPU share and resident memory while only the beats arrive.
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { encoder, workerState } from '../test/unit/pool/worker-state.js';
import { cpuSecondsOf, median, memoryOf, percentile } from './measure.js';
import { ROOT } from './worker-process.js';

const CLI = path.join(ROOT, 'dist', 'cli.js');
export const WORKER_TOKEN = 'bench-pool-worker-token-0123456789';
export const CLIENT_TOKEN = 'bench-pool-client-token-0123456789';
const WORKERS = 50;
const BEAT_MS = 1000;
/** Placements per second during the latency window: steady, so the figure is latency, not a queue. */
const PLACEMENT_RATE = 100;

export interface PoolResult {
  readonly workers: number;
  readonly placements: number;
  readonly placementP50Ms: number;
  readonly placementP99Ms: number;
  /** The pool's CPU seconds per wall second while only the beats arrive (1 = one core). */
  readonly beatCpuShare: number;
  readonly placementCpuShare: number;
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  readonly beatsSent: number;
  readonly beatsFailed: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Mixed machines: some with a hardware HEVC encoder, some CPU-only boards, loads spread. */
function simulated(i: number): Record<string, unknown> {
  const gpu = i % 5 === 0;
  const state = workerState({
    id: `bench-${String(i).padStart(2, '0')}`,
    max: gpu ? 4 : 2,
    load: i % 3 === 0 ? 1 : 0,
    encoders: [
      encoder('libx264', 'h264', { '720p': 1 + (i % 4), '1080p': 0.5 + (i % 4) / 2 }),
      ...(gpu ? [encoder('hevc_vaapi', 'hevc', { '720p': 12, '1080p': 6 })] : []),
    ],
  });
  return { ...state, url: `http://10.0.${Math.floor(i / 200)}.${(i % 200) + 10}:8081` };
}

/** Medians of `runs` runs, each with its own pool process. */
export async function measurePool(runs: number, seconds = 10): Promise<PoolResult> {
  const all: PoolResult[] = [];
  for (let i = 0; i < runs; i++) all.push(await measureOnce(seconds));
  const m = (key: keyof PoolResult): number => median(all.map((r) => r[key]));
  return {
    workers: WORKERS,
    placements: m('placements'),
    placementP50Ms: m('placementP50Ms'),
    placementP99Ms: m('placementP99Ms'),
    beatCpuShare: m('beatCpuShare'),
    placementCpuShare: m('placementCpuShare'),
    rssBytes: m('rssBytes'),
    peakRssBytes: Math.max(...all.map((r) => r.peakRssBytes)),
    beatsSent: all.reduce((n, r) => n + r.beatsSent, 0),
    beatsFailed: all.reduce((n, r) => n + r.beatsFailed, 0),
  };
}

export interface PoolProcess {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, wait for the exit, remove its folder. */
  stop(): Promise<void>;
}

/** `node dist/cli.js pool` on a free loopback port, with these pool.yml keys beside the tokens; resolves once it answers. */
export async function startPoolProcess(extra: Record<string, unknown> = {}): Promise<PoolProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-bench-pool-'));
  const port = await freePort();
  const config = path.join(dir, 'pool.yml');
  writeFileSync(
    config,
    stringify({
      listen: { host: '127.0.0.1', port },
      worker_token: WORKER_TOKEN,
      client_token: CLIENT_TOKEN,
      log_level: 'warn',
      ...extra,
    }),
  );
  const child = spawn(process.execPath, [CLI, 'pool', '--config', config], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  for (const t = Date.now(); ;) {
    const up = await fetch(`${url}/`).then(
      async (r) => {
        await r.arrayBuffer();
        return r.ok;
      },
      () => false,
    );
    if (up) break;
    if (Date.now() - t > 10_000) {
      await stop();
      throw new Error('the pool did not start within 10 s');
    }
    await sleep(50);
  }
  return { url, pid: child.pid as number, stop };
}

/** One run; the pool process is started and stopped here. */
async function measureOnce(seconds: number): Promise<PoolResult> {
  const pool = await startPoolProcess();
  const { url, pid } = pool;
  const stop = new AbortController();
  // Every simulated worker's sleep listens on it.
  setMaxListeners(WORKERS + 10, stop.signal);
  let beatsSent = 0;
  let beatsFailed = 0;
  try {
    const bodies = Array.from({ length: WORKERS }, (_, i) => JSON.stringify(simulated(i)));
    // Each simulated worker beats every second, their phases spread over the second as real workers' would be.
    const beaters = bodies.map(async (body, i) => {
      await sleep((i * BEAT_MS) / WORKERS, undefined, { signal: stop.signal }).catch(() => undefined);
      while (!stop.signal.aborted) {
        const res = await fetch(`${url}/workers/heartbeat`, {
          method: 'POST',
          headers: { authorization: `Bearer ${WORKER_TOKEN}`, 'content-type': 'application/json' },
          body,
        }).catch(() => null);
        if (res?.status === 204) beatsSent++;
        else beatsFailed++;
        await sleep(BEAT_MS, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    });
    // Two beats of every worker before measuring, so every one is live.
    await sleep(2 * BEAT_MS);

    const window = async (work: () => Promise<void>): Promise<number> => {
      const cpu0 = cpuSecondsOf(pid);
      const t0 = performance.now();
      await work();
      return (cpuSecondsOf(pid) - cpu0) / ((performance.now() - t0) / 1000);
    };
    const beatCpuShare = await window(() => sleep(seconds * 1000));
    const mem = memoryOf(pid);

    const latencies: number[] = [];
    const request = JSON.stringify({
      source: { codec: 'hevc', width: 3840, height: 2160, frameRate: 23.976 },
      output: { codec: 'h264', height: 1080 },
    });
    const placementCpuShare = await window(async () => {
      const start = performance.now();
      for (let n = 0; n < seconds * PLACEMENT_RATE; n++) {
        const due = start + (n * 1000) / PLACEMENT_RATE;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const t = performance.now();
        const res = await fetch(`${url}/placements`, {
          method: 'POST',
          headers: { authorization: `Bearer ${CLIENT_TOKEN}`, 'content-type': 'application/json' },
          body: request,
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`POST /placements answered ${res.status}`);
        latencies.push(performance.now() - t);
      }
    });
    stop.abort();
    await Promise.all(beaters);
    return {
      workers: WORKERS,
      placements: latencies.length,
      placementP50Ms: percentile(latencies, 50),
      placementP99Ms: percentile(latencies, 99),
      beatCpuShare,
      placementCpuShare,
      rssBytes: mem.rss,
      peakRssBytes: memoryOf(pid).peak,
      beatsSent,
      beatsFailed,
    };
  } finally {
    stop.abort();
    await pool.stop();
  }
}
