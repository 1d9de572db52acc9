// The pool's GET /metrics through fastify's inject: behind the client token, live workers by status, placements by
// worker and outcome, and each forwarding attempt (a refusal included) counted once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/log.js';
import { DecisionLog } from '../../../src/pool/decision-log.js';
import type { ForwardResult } from '../../../src/pool/forward.js';
import { createPoolMetrics } from '../../../src/pool/metrics.js';
import type { Candidate } from '../../../src/pool/placement.js';
import { WorkerRegistry } from '../../../src/pool/registry.js';
import { createPoolServer, type PoolApp } from '../../../src/pool/server.js';
import { workerState } from './worker-state.js';

const W = 'worker-token-0123456789';
const C = 'client-token-0123456789';

/** "name{labels}" → value, labels as prom-client writes them. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

async function pool(): Promise<PoolApp> {
  let t = 1_700_000_000_000;
  const now = (): number => (t += 10);
  const registry = new WorkerRegistry({ now });
  const metrics = createPoolMetrics({ registry, version: '9.9.9' });
  return createPoolServer({
    log: createLogger('silent'),
    workerToken: W,
    clientToken: C,
    registry,
    decisions: new DecisionLog(10),
    now,
    observe: { decision: metrics.onDecision, attempts: metrics.onAttempts },
    extraRoutes: (app, client) => {
      metrics.register(app, client);
    },
    // The first candidate refuses (at capacity), the second takes the job.
    forward: (candidates): Promise<ForwardResult> => {
      const [a, b] = candidates as [Candidate, Candidate];
      return Promise.resolve({
        kind: 'answered',
        candidate: b,
        status: 202,
        body: '{"id":"j","status":"queued"}',
        contentType: 'application/json',
        attempts: [
          { workerId: a.workerId, name: a.name, outcome: 'refused', status: 503, detail: 'AT_CAPACITY' },
          { workerId: b.workerId, name: b.name, outcome: 'accepted', status: 202, detail: 'HTTP 202' },
        ],
      });
    },
  });
}

const send = (app: PoolApp, method: 'GET' | 'POST', url: string, token: string, body?: unknown) =>
  app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });

describe('pool metrics', () => {
  it('needs the client token: not the worker token, not none', async () => {
    const app = await pool();
    assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
    assert.equal((await send(app, 'GET', '/metrics', W)).statusCode, 403);
    const res = await send(app, 'GET', '/metrics', C);
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/plain/);
    assert.equal(parse(res.body).get('transcode_pool_info{version="9.9.9"}'), 1);
  });

  it('counts live workers by status, placements by worker and outcome, and refusals', async () => {
    const app = await pool();
    for (const s of [
      workerState({ id: 'a' }),
      workerState({ id: 'b' }),
      workerState({ id: 'c', status: 'draining' }),
    ])
      assert.equal((await send(app, 'POST', '/workers/heartbeat', W, s)).statusCode, 204);
    const job = { input: 'film.mkv', video: { codec: 'h264', height: 480 } };
    assert.equal((await send(app, 'POST', '/placements', C, { output: { codec: 'h264' } })).statusCode, 200);
    assert.equal((await send(app, 'POST', '/jobs', C, job)).statusCode, 202);
    // Nothing can encode AV1: a placement with no worker.
    assert.equal((await send(app, 'POST', '/placements', C, { output: { codec: 'av1' } })).statusCode, 503);

    const m = parse((await send(app, 'GET', '/metrics', C)).body);
    // The worker that refused the job is taken as full (busy) until its next beat.
    assert.equal(m.get('transcode_pool_workers{status="ready"}'), 1);
    assert.equal(m.get('transcode_pool_workers{status="busy"}'), 1);
    assert.equal(m.get('transcode_pool_workers{status="draining"}'), 1);
    const placed = [...m].filter(([k]) => k.startsWith('transcode_pool_placements_total{'));
    assert.equal(placed.length, 3, placed.map(([k]) => k).join('\n'));
    assert.equal(
      placed.filter(([k]) => k.includes('route="placement"') && k.includes('outcome="placed"')).length,
      1,
    );
    assert.equal(m.get('transcode_pool_placements_total{route="placement",worker="none",outcome="none"}'), 1);
    const forwarded = placed.find(([k]) => k.includes('route="job"'));
    assert.match(forwarded?.[0] ?? '', /outcome="forwarded"/);
    const refused = [...m].filter(
      ([k]) => k.startsWith('transcode_pool_forward_attempts_total{') && k.includes('outcome="refused"'),
    );
    assert.equal(refused.length, 1);
    assert.equal(refused[0]?.[1], 1);
    assert.ok((m.get('process_resident_memory_bytes') ?? 0) > 0, 'process figures are exported');
  });
});
