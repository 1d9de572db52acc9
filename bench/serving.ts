// Figure 4: requests/s and server CPU per GB for one finished segment, worker beside nginx (sendfile), hot (in the
// worker's memory cache) and cold (a worker with serving.cache_mb: 0 reads it from disk for every request).
import { statSync } from 'node:fs';
import path from 'node:path';
import { cpuSecondsOf, median } from './measure.js';
import { startNginx, wrk } from './nginx.js';
import type { WorkerProcess } from './worker-process.js';

const CONNECTIONS = 32;
const SECONDS = 5;

export interface ServerFigures {
  readonly rps: number;
  readonly cpuSecondsPerGB: number;
  readonly errors: number;
}
export interface ServingCase {
  readonly worker: ServerFigures;
  readonly nginx: ServerFigures;
  readonly ratio: number;
}
export interface ServingResult {
  readonly segmentBytes: number;
  readonly hot: ServingCase;
  readonly cold: ServingCase;
}

async function load(url: string, pid: number, bytesPerRequest: number): Promise<ServerFigures> {
  await (await fetch(url)).arrayBuffer(); // warm: the hot case measures the cache, not its first read
  const before = cpuSecondsOf(pid);
  const r = await wrk(url, CONNECTIONS, SECONDS);
  const cpu = cpuSecondsOf(pid) - before;
  return { rps: r.rps, cpuSecondsPerGB: cpu / ((r.requests * bytesPerRequest) / 1e9), errors: r.errors };
}

function summarize(samples: ServerFigures[]): ServerFigures {
  return {
    rps: median(samples.map((s) => s.rps)),
    cpuSecondsPerGB: median(samples.map((s) => s.cpuSecondsPerGB)),
    errors: samples.reduce((a, s) => a + s.errors, 0),
  };
}

/** `hot` and `cold` each serve a finished stream `id`; nginx serves the very same file from the worker's folder. */
export async function measureServing(
  hot: { worker: WorkerProcess; id: string },
  cold: { worker: WorkerProcess; id: string },
  runs: number,
  segment = 'seg-1.ts',
): Promise<ServingResult> {
  const cases: Record<'hot' | 'cold', { worker: ServerFigures[]; nginx: ServerFigures[] }> = {
    hot: { worker: [], nginx: [] },
    cold: { worker: [], nginx: [] },
  };
  const sizes: number[] = [];
  for (const [name, side] of [
    ['hot', hot],
    ['cold', cold],
  ] as const) {
    const streams = path.join(side.worker.workDir, 'streams');
    const bytes = statSync(path.join(streams, side.id, segment)).size;
    sizes.push(bytes);
    const nginx = await startNginx(streams);
    try {
      for (let i = 0; i < runs; i++) {
        cases[name].worker.push(
          await load(`${side.worker.url}/streams/${side.id}/${segment}`, side.worker.pid, bytes),
        );
        cases[name].nginx.push(await load(`${nginx.url}/${side.id}/${segment}`, nginx.pid, bytes));
      }
    } finally {
      await nginx.stop();
    }
  }
  const result = (name: 'hot' | 'cold'): ServingCase => {
    const worker = summarize(cases[name].worker);
    const nginx = summarize(cases[name].nginx);
    return { worker, nginx, ratio: worker.rps / nginx.rps };
  };
  return { segmentBytes: sizes[0] ?? NaN, hot: result('hot'), cold: result('cold') };
}
