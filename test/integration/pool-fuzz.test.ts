// Property-based, against a real pool over HTTP: mutated and random heartbeats and placement bodies. Every answer is
// a success or a 4xx JSON error with a registered code (503 NO_WORKER for a placement), never another 5xx; a refused
// beat changes nothing, so placement only ever answers with a worker from an accepted beat.
// FUZZ_RUNS=n sets the cases per property (default 300).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseWorkerState } from '../../src/contract/heartbeat.js';
import { ERROR_CODES } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { buildPoolConfig } from '../../src/pool/config.js';
import { startPool, type Pool } from '../../src/pool/root.js';
import { encoder, workerState } from '../unit/pool/worker-state.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = 20_170;
const W = 'fuzz-worker-token-0123456789';
const C = 'fuzz-client-token-0123456789';

const PATHS = [
  'workerId',
  'name',
  'url',
  'status',
  'statusReason',
  'jobs',
  'jobs.load',
  'jobs.max',
  'jobs.running',
  'jobs.ids',
  'hardware',
  'hardware.probing',
  'hardware.encoders',
  'hardware.encoders.0',
  'hardware.encoders.0.usable',
  'hardware.encoders.0.codec',
  'hardware.encoders.0.speed',
  'hardware.encoders.0.speed.720p',
  'hardware.encoders.0.speed.1080p',
  'hardware.cpu.load',
  'hardware.memory.totalBytes',
] as const;

const odd = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    -1,
    0,
    1e308,
    -1e308,
    2 ** 53,
    0.5,
    '',
    'ready',
    'busy',
    'x'.repeat(10_000),
    [],
    {},
    null,
    true,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A valid beat's wire form with the value at one dotted path replaced (undefined deletes it). */
function mutate(path: string, value: unknown): unknown {
  const s = JSON.parse(
    JSON.stringify(
      workerState({
        id: 'fuzz',
        encoders: [encoder('libx264', 'h264', { '720p': 3, '1080p': 1.5 }), encoder('h264_vaapi', 'h264')],
      }),
    ),
  ) as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let node: unknown = s;
  for (const k of keys) node = (node as Record<string, unknown>)[k];
  if (value === undefined) Reflect.deleteProperty(node as object, last);
  else (node as Record<string, unknown>)[last] = value;
  return s;
}

describe('fuzzed pool requests', () => {
  let pool: Pool;
  const accepted = new Set<string>();
  const counts = new Map<number, number>();

  const post = async (
    route: string,
    token: string,
    body: string,
  ): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${pool.localUrl}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
    const text = await res.text();
    counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
    return { status: res.status, text };
  };
  const assertEnvelope = (text: string): void => {
    const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '';
    assert.ok(code in ERROR_CODES, text.slice(0, 300));
  };
  /** Placement answers 200 with a URL from an accepted beat, or 503 NO_WORKER. */
  const placementStillSound = async (): Promise<void> => {
    const r = await post('/placements', C, JSON.stringify({ output: { codec: 'h264' } }));
    if (r.status === 200) {
      const url = (JSON.parse(r.text) as { url: string }).url;
      assert.ok(accepted.has(url), `placed on ${url}, which no accepted beat announced`);
    } else {
      assert.equal(r.status, 503, r.text);
      assertEnvelope(r.text);
    }
  };

  before(async () => {
    pool = await startPool(
      buildPoolConfig(
        { listen: { host: '127.0.0.1', port: 0 }, worker_token: W, client_token: C },
        '/',
        { env: {}, hostname: 'h', cwd: '/' },
        'test',
      ),
      { log: createLogger('silent') },
    );
  });
  after(async () => {
    await pool.stop();
    console.log(`pool fuzz answers by status: ${JSON.stringify([...counts].sort())}`);
  });

  it('mutated heartbeats: accepted only when the contract holds, and never poison a placement', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), fc.option(odd, { nil: undefined }), async (path, value) => {
        const body = mutate(path, value);
        const r = await post('/workers/heartbeat', W, JSON.stringify(body));
        let valid = true;
        try {
          parseWorkerState(body);
        } catch {
          valid = false;
        }
        if (r.status === 204) {
          assert.ok(valid, `accepted an invalid beat at ${path}`);
          accepted.add((body as { url: string }).url);
        } else {
          assert.ok(!valid, `refused a valid beat at ${path}: ${r.text}`);
          assert.ok(r.status === 400 || r.status === 413, `${r.status} ${r.text}`);
          assertEnvelope(r.text);
        }
        await placementStillSound();
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('arbitrary bodies on the heartbeat and placement routes: 4xx envelopes or answers, never a 5xx', async () => {
    const bodies = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc
        .record({
          source: fc.option(
            fc.dictionary(fc.constantFrom('codec', 'width', 'height', 'frameRate', 'hdr'), odd),
          ),
          output: fc.option(fc.dictionary(fc.constantFrom('codec', 'height', 'variants'), odd)),
        })
        .map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/workers/heartbeat', '/placements', '/jobs'),
        bodies,
        async (route, body) => {
          const r = await post(route, route === '/workers/heartbeat' ? W : C, body);
          if (r.status >= 500) {
            assert.ok(r.status === 503 || r.status === 502, `${route} ${r.status} ${r.text}`);
          }
          if (r.status >= 400) assertEnvelope(r.text);
          await placementStillSound();
        },
      ),
      { numRuns: RUNS, seed: SEED + 1 },
    );
  });
});
