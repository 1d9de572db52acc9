// The pool's routes through fastify's inject: tokens, malformed and oversized bodies, the live list, placements and
// forwarded jobs (forwarding itself faked here; forward.test.ts covers it against real sockets).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/log.js';
import { DecisionLog } from '../../../src/pool/decision-log.js';
import type { ForwardResult } from '../../../src/pool/forward.js';
import type { Candidate } from '../../../src/pool/placement.js';
import { WorkerRegistry } from '../../../src/pool/registry.js';
import { createPoolServer, type PoolApp } from '../../../src/pool/server.js';
import { encoder, workerState } from './worker-state.js';

const W = 'worker-token-0123456789';
const C = 'client-token-0123456789';

interface Harness {
  app: PoolApp;
  registry: WorkerRegistry;
  forwarded: { candidates: readonly Candidate[]; body: string }[];
  advance(ms: number): void;
}

async function harness(answer?: (c: readonly Candidate[]) => ForwardResult): Promise<Harness> {
  let t = 1_700_000_000_000;
  const now = (): number => t;
  const registry = new WorkerRegistry({ now });
  const forwarded: Harness['forwarded'] = [];
  const app = await createPoolServer({
    log: createLogger('silent'),
    workerToken: W,
    clientToken: C,
    registry,
    decisions: new DecisionLog(10),
    now,
    forward: (candidates, body) => {
      forwarded.push({ candidates, body });
      const first = candidates[0] as Candidate;
      return Promise.resolve(
        answer?.(candidates) ?? {
          kind: 'answered',
          candidate: first,
          status: 202,
          body: JSON.stringify({
            id: 'x',
            status: 'queued',
            playlistUrl: `${first.url}/streams/x/stream.m3u8`,
          }),
          contentType: 'application/json; charset=utf-8',
          attempts: [
            { workerId: first.workerId, name: first.name, outcome: 'accepted', status: 202, detail: '' },
          ],
        },
      );
    },
  });
  return {
    app,
    registry,
    forwarded,
    advance: (ms) => {
      t += ms;
    },
  };
}

const beat = (h: Harness, body: unknown, token = W) =>
  h.app.inject({
    method: 'POST',
    url: '/workers/heartbeat',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
const asClient = (h: Harness, method: 'GET' | 'POST', url: string, body?: unknown, token = C) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
const code = (res: Awaited<ReturnType<PoolApp['inject']>>): string =>
  res.json<{ error: { code: string } }>().error.code;

const JOB = { input: 'movies/film.mkv', video: { codec: 'h264', height: 480 } };

describe('pool server', () => {
  it('takes a beat with the worker token and lists the worker to clients', async () => {
    const h = await harness();
    assert.equal((await beat(h, workerState({ id: 'a' }))).statusCode, 204);
    h.advance(1500);
    const res = await asClient(h, 'GET', '/workers');
    assert.equal(res.statusCode, 200);
    const [w] = res.json<{ workers: Record<string, unknown>[] }>().workers;
    assert.equal(w?.workerId, 'a');
    assert.equal(w.status, 'ready');
    assert.equal(w.secondsSinceBeat, 1.5);
    assert.deepEqual(w.jobs, { running: 0, load: 0, max: 2 });
    assert.deepEqual(w.encoders, [
      { name: 'libx264', codec: 'h264', hardware: false, speed: { '720p': 4, '1080p': 2 } },
    ]);
  });

  it('keeps the two tokens apart: a worker cannot list or place, a client cannot beat', async () => {
    const h = await harness();
    assert.equal(code(await beat(h, workerState(), C)), 'FORBIDDEN');
    assert.equal(code(await asClient(h, 'GET', '/workers', undefined, W)), 'FORBIDDEN');
    const bare = await h.app.inject({ method: 'POST', url: '/workers/heartbeat', payload: '{}' });
    assert.equal(bare.statusCode, 401);
    assert.equal(bare.headers['www-authenticate'], 'Bearer');
    assert.equal(h.registry.size, 0);
  });

  it('refuses malformed, invalid and oversized beats, and they never reach placement', async () => {
    const h = await harness();
    assert.equal(code(await beat(h, '{"workerId":')), 'INVALID_JSON');
    assert.equal(code(await beat(h, '')), 'INVALID_JSON');
    const bad = { ...workerState({ id: 'bad' }), status: 'idle' };
    const res = await beat(h, bad);
    assert.equal(code(res), 'INVALID_BODY');
    assert.match(res.json<{ error: { message: string } }>().error.message, /status/);
    const huge = await beat(h, { ...workerState({ id: 'big' }), padding: 'x'.repeat(1024 * 1024) });
    assert.equal(huge.statusCode, 413);
    assert.equal(code(huge), 'BODY_TOO_LARGE');
    assert.equal(h.registry.size, 0);
    assert.equal(code(await asClient(h, 'POST', '/placements', { output: { codec: 'h264' } })), 'NO_WORKER');
  });

  it('places a job and keeps the decision', async () => {
    const h = await harness();
    await beat(h, workerState({ id: 'a' }));
    const res = await asClient(h, 'POST', '/placements', {
      source: { codec: 'h264', width: 1280, height: 720, frameRate: 30 },
      output: { codec: 'h264', height: 480 },
    });
    assert.equal(res.statusCode, 200);
    const body = res.json<{ workerId: string; url: string; keepsRealTime: boolean; reason: string }>();
    assert.equal(body.workerId, 'a');
    assert.equal(body.url, 'http://a.lan:8081');
    assert.equal(body.keepsRealTime, true);
    const log = (await asClient(h, 'GET', '/placements')).json<{
      decisions: { workerId: string; reason: string }[];
    }>();
    assert.equal(log.decisions[0]?.workerId, 'a');
    assert.equal(log.decisions[0].reason, body.reason);
  });

  it('answers 503 NO_WORKER with the reasons and Retry-After when nobody can take it', async () => {
    const h = await harness();
    await beat(h, workerState({ id: 'a', status: 'draining' }));
    await beat(h, workerState({ id: 'b', encoders: [encoder('libx264', 'h264')] }));
    const res = await asClient(h, 'POST', '/placements', { output: { codec: 'hevc' } });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['retry-after'], '5');
    const message = res.json<{ error: { message: string } }>().error.message;
    assert.match(message, /a-name: draining/);
    assert.match(message, /b-name: no usable hevc encoder/);
  });

  it('drops a silent worker from placements', async () => {
    const h = await harness();
    await beat(h, workerState({ id: 'a' }));
    h.advance(15_001);
    assert.equal(code(await asClient(h, 'POST', '/placements', { output: { codec: 'copy' } })), 'NO_WORKER');
  });

  it('refuses placement bodies that do not match, naming the field', async () => {
    const h = await harness();
    const res = await asClient(h, 'POST', '/placements', { output: { codec: 'vp9' }, extra: 1 });
    assert.equal(code(res), 'INVALID_BODY');
    assert.match(res.json<{ error: { message: string } }>().error.message, /output\.codec/);
  });

  it('forwards a job with an id the pool gives it, without the source, and relays the answer', async () => {
    const h = await harness();
    await beat(h, workerState({ id: 'a' }));
    const res = await asClient(h, 'POST', '/jobs', { ...JOB, source: { width: 1280, height: 720 } });
    assert.equal(res.statusCode, 202);
    assert.equal(res.json<{ playlistUrl: string }>().playlistUrl, 'http://a.lan:8081/streams/x/stream.m3u8');
    const sent = JSON.parse(h.forwarded[0]?.body ?? '{}') as Record<string, unknown>;
    assert.match(String(sent.id), /^[A-Za-z0-9_-]{22}$/);
    assert.equal(sent.source, undefined);
    assert.deepEqual(sent.video, JOB.video);
  });

  it('spreads a burst of jobs between two beats: a forwarded job counts against its worker at once', async () => {
    const h = await harness();
    await beat(h, workerState({ id: 'a', max: 1 }));
    await beat(h, workerState({ id: 'b', max: 1 }));
    assert.equal((await asClient(h, 'POST', '/jobs', JOB)).statusCode, 202);
    assert.equal((await asClient(h, 'POST', '/jobs', JOB)).statusCode, 202);
    assert.deepEqual(
      h.forwarded.map((f) => f.candidates.map((c) => c.workerId)),
      [['a', 'b'], ['b']],
    );
  });

  it("checks a job with the worker's own rules before forwarding it", async () => {
    const h = await harness();
    await beat(h, workerState({ id: 'a' }));
    const res = await asClient(h, 'POST', '/jobs', { ...JOB, video: { codec: 'h264', height: 100 } });
    assert.equal(code(res), 'INVALID_BODY');
    assert.equal(h.forwarded.length, 0);
  });

  it('answers NO_WORKER when every worker refused, WORKER_FAILED when none answered', async () => {
    let kind: 'refused' | 'failed' = 'refused';
    const h = await harness((c) =>
      kind === 'refused'
        ? {
            kind,
            retryAfter: 2,
            attempts: [
              {
                workerId: c[0]?.workerId ?? '',
                name: 'a',
                outcome: 'refused',
                status: 503,
                detail: 'AT_CAPACITY',
              },
            ],
          }
        : {
            kind,
            attempts: [
              { workerId: c[0]?.workerId ?? '', name: 'a', outcome: 'timeout', detail: 'no answer' },
            ],
          },
    );
    await beat(h, workerState({ id: 'a' }));
    const refused = await asClient(h, 'POST', '/jobs', JOB);
    assert.equal(code(refused), 'NO_WORKER');
    assert.equal(refused.headers['retry-after'], '2');
    // The refusal counts until the worker's next beat: it is full meanwhile.
    const meanwhile = await asClient(h, 'POST', '/placements', { output: { codec: 'h264' } });
    assert.match(meanwhile.json<{ error: { message: string } }>().error.message, /a-name: busy: max_jobs/);
    await beat(h, workerState({ id: 'a' }));
    kind = 'failed';
    const failed = await asClient(h, 'POST', '/jobs', { ...JOB, id: 'film-1' });
    assert.equal(failed.statusCode, 502);
    assert.equal(code(failed), 'WORKER_FAILED');
    // A timeout may have started the job: the message names it, so the client can look for it.
    assert.match(failed.json<{ error: { message: string } }>().error.message, /^job film-1: .*a: timeout/);
  });

  it('answers unknown routes with the envelope', async () => {
    const h = await harness();
    const res = await h.app.inject({ method: 'GET', url: '/nope' });
    assert.equal(res.statusCode, 404);
    assert.equal(code(res), 'NOT_FOUND');
  });
});
