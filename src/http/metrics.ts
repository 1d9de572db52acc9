// GET /metrics in Prometheus text (prom-client). Job, cache and heartbeat figures are read at scrape time from the
// objects that own them; only what nothing else counts (stream answers, segment waits) is counted here.
import client from 'prom-client';
import type { JobStatus, JobView } from '../contract/job-view.js';
import type { SegmentCacheStats } from '../hls/segment-cache.js';
import type { App, BearerHook } from './server.js';

/** What the metrics read at scrape time; wired in daemon.ts. */
export interface MetricsSources {
  readonly jobs: () => readonly JobView[];
  readonly cache: () => SegmentCacheStats;
  /** null when no orchestrator is configured. */
  readonly heartbeat: () => { readonly sent: number; readonly failed: number } | null;
  readonly status: () => string;
  readonly info: { readonly version: string; readonly workerId: string; readonly name: string };
}

export interface Metrics {
  readonly registry: client.Registry;
  /** Hooks for the stream handler (src/http/hls.ts). */
  readonly onServed: (kind: 'playlist' | 'segment', bytes: number) => void;
  readonly onWait: (outcome: string, ms: number) => void;
  /** Registers GET /metrics behind the bearer hook. */
  readonly register: (app: App, auth: BearerHook) => void;
}

const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];
const WORKER_STATUSES = ['ready', 'busy', 'draining'] as const;

/** Sets a counter to a total kept elsewhere (prom-client counters have no set()). */
function setCounter(counter: client.Counter, value: number, labels?: Record<string, string>): void {
  if (labels === undefined) {
    counter.reset();
    counter.inc(value);
  } else {
    counter.remove(labels);
    counter.inc(labels, value);
  }
}

/** Builds the registry (one per daemon, so several daemons in one test process do not collide). */
export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const p = 'transcode_worker_';

  new client.Gauge({
    name: `${p}info`,
    help: 'Constant 1, labelled with the worker version, id and name.',
    labelNames: ['version', 'worker_id', 'name'],
    registers: [registry],
    collect() {
      const { version, workerId, name } = sources.info;
      this.set({ version, worker_id: workerId, name }, 1);
    },
  });
  new client.Gauge({
    name: `${p}status`,
    help: 'The worker status: 1 for the current one (ready, busy, draining), 0 for the others.',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      const now = sources.status();
      for (const s of WORKER_STATUSES) this.set({ status: s }, s === now ? 1 : 0);
    },
  });
  new client.Gauge({
    name: `${p}jobs`,
    help: 'Jobs this process knows, by status.',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      const counts = new Map<JobStatus, number>(JOB_STATUSES.map((s) => [s, 0]));
      for (const job of sources.jobs()) counts.set(job.status, (counts.get(job.status) ?? 0) + 1);
      for (const [status, n] of counts) this.set({ status }, n);
    },
  });
  new client.Gauge({
    name: `${p}job_speed`,
    help: 'FFmpeg encoding speed of each running job, as a multiple of real time.',
    labelNames: ['job'],
    registers: [registry],
    collect() {
      // Finished jobs drop out of the series instead of keeping their last speed.
      this.reset();
      for (const job of sources.jobs()) {
        if (job.status === 'running' && job.speed !== null) this.set({ job: job.id }, job.speed);
      }
    },
  });
  new client.Gauge({
    name: `${p}job_progress`,
    help: 'Progress of each running job, 0 to 1.',
    labelNames: ['job'],
    registers: [registry],
    collect() {
      this.reset();
      for (const job of sources.jobs()) if (job.status === 'running') this.set({ job: job.id }, job.progress);
    },
  });

  const served = new client.Counter({
    name: `${p}stream_files_served_total`,
    help: 'Playlist and segment requests answered from a finished file (HEAD and 304 included).',
    labelNames: ['kind'],
    registers: [registry],
  });
  const servedBytes = new client.Counter({
    name: `${p}stream_bytes_served_total`,
    help: 'Body bytes of playlists and segments sent (ranges count what was sent).',
    labelNames: ['kind'],
    registers: [registry],
  });
  const waits = new client.Counter({
    name: `${p}segment_waits_total`,
    help: 'Requests that waited for a file FFmpeg had not written yet, by outcome (ready, timeout, closed, aborted).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const waitSeconds = new client.Histogram({
    name: `${p}segment_wait_seconds`,
    help: 'How long requests waited for a file FFmpeg had not written yet.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 30],
    registers: [registry],
  });
  for (const kind of ['playlist', 'segment']) {
    served.inc({ kind }, 0);
    servedBytes.inc({ kind }, 0);
  }

  new client.Counter({
    name: `${p}segment_cache_hits_total`,
    help: 'Segment reads answered from memory.',
    registers: [registry],
    collect() {
      setCounter(this, sources.cache().hits);
    },
  });
  new client.Counter({
    name: `${p}segment_cache_misses_total`,
    help: 'Segment reads that went to disk.',
    registers: [registry],
    collect() {
      setCounter(this, sources.cache().misses);
    },
  });
  new client.Gauge({
    name: `${p}segment_cache_bytes`,
    help: 'Bytes held by the in-memory segment cache.',
    registers: [registry],
    collect() {
      this.set(sources.cache().bytes);
    },
  });
  new client.Counter({
    name: `${p}heartbeats_total`,
    help: 'Heartbeats sent to the orchestrator, by result (ok, failed). Absent without an orchestrator.',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      const stats = sources.heartbeat();
      if (stats === null) return;
      setCounter(this, stats.sent, { result: 'ok' });
      setCounter(this, stats.failed, { result: 'failed' });
    },
  });

  return {
    registry,
    onServed: (kind, bytes) => {
      served.inc({ kind });
      servedBytes.inc({ kind }, bytes);
    },
    onWait: (outcome, ms) => {
      waits.inc({ outcome });
      waitSeconds.observe(ms / 1000);
    },
    register: (app, auth) => {
      // Behind the bearer: the per-job series are labelled with job ids, which are stream capabilities.
      app.get('/metrics', { onRequest: auth }, async (_request, reply) => {
        const text = await registry.metrics();
        return reply.type(registry.contentType).header('cache-control', 'no-store').send(text);
      });
    },
  };
}
