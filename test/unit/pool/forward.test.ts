// Forwarding a job against real loopback servers standing in for workers: refusals and dead workers are skipped
// once each, a job error is relayed, and a timeout stops (the job may have started there).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { forwardJob } from '../../../src/pool/forward.js';
import type { Candidate } from '../../../src/pool/placement.js';

type Behaviour = { status: number; body?: string; retryAfter?: string } | 'hang';

const servers: Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

/** A fake worker that answers POST /jobs one way and records the requests. */
async function fakeWorker(b: Behaviour, seen: { auth?: string; body: string }[] = []): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({
        ...(req.headers.authorization === undefined ? {} : { auth: req.headers.authorization }),
        body,
      });
      if (b === 'hang') return;
      res.writeHead(b.status, {
        'content-type': 'application/json; charset=utf-8',
        ...(b.retryAfter === undefined ? {} : { 'retry-after': b.retryAfter }),
      });
      res.end(b.body ?? '{}');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A URL where nothing listens. */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  await new Promise<void>((r) => s.close(() => r()));
  return url;
}

const candidate = (name: string, url: string): Candidate => ({
  workerId: name,
  name,
  url,
  encoders: ['libx264'],
  hardware: false,
  predictedSpeed: 2,
  freeSlots: 1,
  freeShare: 1,
  effectiveSpeed: 2,
  keepsRealTime: true,
});

const deps = { fetch, timeoutMs: 500, tokenFor: (c: Candidate) => `token-of-${c.name}` };

describe('forwardJob', () => {
  it('skips a refusal, a dead worker and a refused token, once each, and relays the first acceptance', async () => {
    const seen: { auth?: string; body: string }[] = [];
    const accepted = JSON.stringify({
      id: 'j1',
      status: 'queued',
      playlistUrl: 'http://d/streams/j1/stream.m3u8',
    });
    const list = [
      candidate(
        'busy',
        await fakeWorker({
          status: 503,
          body: '{"error":{"code":"AT_CAPACITY","message":"m"}}',
          retryAfter: '3',
        }),
      ),
      candidate('dead', await deadUrl()),
      candidate('wrong-token', await fakeWorker({ status: 403 })),
      candidate('good', await fakeWorker({ status: 202, body: accepted }, seen)),
      candidate('never', await fakeWorker({ status: 202 })),
    ];
    const r = await forwardJob(deps, list, '{"id":"j1"}');
    assert.equal(r.kind, 'answered');
    assert.equal(r.candidate.name, 'good');
    assert.equal(r.status, 202);
    assert.equal(r.body, accepted);
    assert.deepEqual(
      r.attempts.map((a) => [a.name, a.outcome]),
      [
        ['busy', 'refused'],
        ['dead', 'unreachable'],
        ['wrong-token', 'unauthorized'],
        ['good', 'accepted'],
      ],
    );
    assert.equal(r.attempts[0]?.detail, 'AT_CAPACITY');
    assert.deepEqual(seen, [{ auth: 'Bearer token-of-good', body: '{"id":"j1"}' }]);
  });

  it("relays the job's own error (not found on the NAS) without trying another worker", async () => {
    const r = await forwardJob(
      deps,
      [
        candidate(
          'a',
          await fakeWorker({ status: 404, body: '{"error":{"code":"INPUT_NOT_FOUND","message":"m"}}' }),
        ),
        candidate('b', await fakeWorker({ status: 202 })),
      ],
      '{}',
    );
    assert.equal(r.kind, 'answered');
    assert.equal(r.status, 404);
    assert.equal(r.attempts.length, 1);
  });

  it('says refused, with the shortest Retry-After, when every worker is full', async () => {
    const r = await forwardJob(
      deps,
      [
        candidate('a', await fakeWorker({ status: 503, retryAfter: '7' })),
        candidate('b', await fakeWorker({ status: 507, retryAfter: '4' })),
      ],
      '{}',
    );
    assert.equal(r.kind, 'refused');
    assert.equal(r.retryAfter, 4);
  });

  it('stops at a timeout: the job may have started on that worker', async () => {
    const after: { body: string }[] = [];
    const r = await forwardJob(
      { ...deps, timeoutMs: 200 },
      [candidate('slow', await fakeWorker('hang')), candidate('b', await fakeWorker({ status: 202 }, after))],
      '{}',
    );
    assert.equal(r.kind, 'failed');
    assert.equal(r.attempts[0]?.outcome, 'timeout');
    assert.equal(after.length, 0);
  });

  it('fails when nobody could be reached', async () => {
    const r = await forwardJob(deps, [candidate('dead', await deadUrl())], '{}');
    assert.equal(r.kind, 'failed');
  });
});
