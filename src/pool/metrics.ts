// The pool's GET /metrics in Prometheus text (prom-client): live workers are read from the registry at scrape time;
// placements and forwarding attempts are counted as they happen (the decision log is bounded, a counter is not).
import client from 'prom-client';
import type { Attempt } from './forward.js';
import type { Decision } from './decision-log.js';
import type { WorkerRegistry } from './registry.js';
import type { BearerHook, PoolApp } from './server.js';

const STATUSES = ['ready', 'busy', 'draining'] as const;

export interface PoolMetrics {
  readonly registry: client.Registry;
  /** Every decision the pool records (placement or forwarded job). */
  readonly onDecision: (d: Decision) => void;
  /** The attempts of one forwarded job, in order. */
  readonly onAttempts: (attempts: readonly Attempt[]) => void;
  /** Registers GET /metrics behind the client bearer. */
  readonly register: (app: PoolApp, auth: BearerHook) => void;
}

/** Builds the pool's metrics registry (one per pool, so several pools in one test process do not collide). */
export function createPoolMetrics(sources: {
  readonly registry: WorkerRegistry;
  readonly version: string;
}): PoolMetrics {
  const registry = new client.Registry();
  // Process CPU and memory: what the bench reads of the pool under 50 beating workers, and what an operator watches.
  client.collectDefaultMetrics({ register: registry });
  const p = 'transcode_pool_';

  new client.Gauge({
    name: `${p}info`,
    help: 'Constant 1, labelled with the pool version.',
    labelNames: ['version'],
    registers: [registry],
    collect() {
      this.set({ version: sources.version }, 1);
    },
  });
  new client.Gauge({
    name: `${p}workers`,
    help: 'Live workers (beating within their silence window), by the status of their latest beat.',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(STATUSES.map((s) => [s, 0]));
      for (const s of sources.registry.states()) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
      for (const [status, n] of counts) this.set({ status }, n);
    },
  });
  new client.Gauge({
    name: `${p}worker_load`,
    help: 'Slots in use on each live worker, as the pool counts them (its beat plus jobs forwarded since).',
    labelNames: ['worker'],
    registers: [registry],
    collect() {
      // A worker gone silent drops out of the series instead of keeping its last load.
      this.reset();
      for (const s of sources.registry.states()) this.set({ worker: s.name }, s.jobs.load);
    },
  });
  const decisions = new client.Counter({
    name: `${p}placements_total`,
    help:
      'Placement decisions by route (placement, job), worker name ("none" when no worker could take it) and ' +
      'outcome (placed, forwarded, refused, failed, none).',
    labelNames: ['route', 'worker', 'outcome'],
    registers: [registry],
  });
  const attempts = new client.Counter({
    name: `${p}forward_attempts_total`,
    help:
      'POST /jobs forwarded to a worker, by worker name and outcome (accepted, answered, refused, unreachable, ' +
      'unauthorized, timeout).',
    labelNames: ['worker', 'outcome'],
    registers: [registry],
  });

  return {
    registry,
    onDecision: (d) => decisions.inc({ route: d.route, worker: d.workerName ?? 'none', outcome: d.outcome }),
    onAttempts: (list) => {
      for (const a of list) attempts.inc({ worker: a.name, outcome: a.outcome });
    },
    register: (app, auth) => {
      // Behind the client bearer, as the worker's /metrics is behind its auth_token: worker names and URLs are the
      // map of the house's machines.
      app.get('/metrics', { onRequest: auth }, async (_request, reply) => {
        const text = await registry.metrics();
        return reply.type(registry.contentType).header('cache-control', 'no-store').send(text);
      });
    },
  };
}
