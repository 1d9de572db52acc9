// Figure 3: clients wait on segments FFmpeg has not finished; from the segment's rename into place (seen by this
// process's own inotify watch on the stream folder) to each waiting client's first byte.
import { watch } from 'node:fs';
import path from 'node:path';
import { headSegment } from '../src/hls/stream-folder.js';
import { LeanConnection } from './lean-client.js';
import { median, percentile } from './measure.js';
import type { WorkerProcess } from './worker-process.js';

export interface JitResult {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly samplesPerRun: number;
  readonly errors: number;
}

const SEGMENTS = 10; // 20 s source, 2 s segments

async function oneRun(
  worker: WorkerProcess,
  id: string,
  clients: number,
): Promise<{ ms: number[]; errors: number }> {
  // Event playlist: every waiting client is on the one head from 0 (a VOD request far ahead would start a seek head).
  await worker.submit({
    id,
    input: 'film.mp4',
    video: { codec: 'h264', height: 720 },
    segmentSeconds: 2,
    playlist: 'event',
  });
  const renamedAt = new Map<string, number>();
  // The folder exists once POST answered 202; FFmpeg starts writing only after probing the source.
  const watcher = watch(path.join(worker.workDir, 'streams', id), (_event, name) => {
    // Completion is FFmpeg's rename of its own file (hN-K.ts), before the worker publishes it as seg-K.ts.
    const seg = name === null ? null : headSegment(name);
    const published = seg === null ? null : `seg-${seg.index}.ts`;
    if (published !== null && !renamedAt.has(published)) renamedAt.set(published, performance.now());
  });
  try {
    const requests = [];
    for (let i = 1; i < SEGMENTS; i++) {
      for (let c = 0; c < clients; c++) {
        const name = `seg-${i}.ts`;
        const conn = new LeanConnection(worker.url);
        requests.push(
          conn
            .get(`/streams/${id}/${name}`)
            .then((r) => ({ name, r }))
            .finally(() => {
              conn.close();
            }),
        );
      }
    }
    const answers = await Promise.all(requests);
    const ms: number[] = [];
    let errors = 0;
    for (const { name, r } of answers) {
      const at = renamedAt.get(name);
      if (r.status !== 200 || at === undefined) errors++;
      // Only clients that really waited: their request was out before the segment was complete.
      else if (r.sentAt < at) ms.push(r.firstByteAt - at);
    }
    return { ms, errors };
  } finally {
    watcher.close();
  }
}

export async function measureJit(worker: WorkerProcess, runs: number, clients = 10): Promise<JitResult> {
  const p50: number[] = [];
  const p99: number[] = [];
  const max: number[] = [];
  const counts: number[] = [];
  let errors = 0;
  for (let i = 0; i < runs; i++) {
    const run = await oneRun(worker, `jit-${i}`, clients);
    await worker.finished(`jit-${i}`);
    p50.push(percentile(run.ms, 50));
    p99.push(percentile(run.ms, 99));
    max.push(Math.max(...run.ms));
    counts.push(run.ms.length);
    errors += run.errors;
  }
  return {
    p50Ms: median(p50),
    p99Ms: median(p99),
    maxMs: Math.max(...max),
    samplesPerRun: median(counts),
    errors,
  };
}
