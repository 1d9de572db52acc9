// Issue 17's three machines as real workers beating into a real pool: a GPU box (the fake GPU, VAAPI verified at
// start), a plain PC, and a board (max_jobs 1, slow). Their speed figures are seeded into their own profile caches,
// so every beat carries them as measured. The pool must send 4K HEVC to the GPU, 720p → 480p to the board, a copy to
// a machine with free slots, and nothing to a draining worker.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/log.js';
import { buildPoolConfig } from '../../src/pool/config.js';
import { startPool, type Pool } from '../../src/pool/root.js';
import { waitFor, type TestDaemon } from '../helpers/daemon.js';
import { makeMountDir } from '../helpers/media.js';
import { machine, startWithSpeeds } from './pool-workers.js';

const WORKER_TOKEN = 'pool-worker-token-0123456789';
const CLIENT_TOKEN = 'pool-client-token-0123456789';

interface Answer {
  name: string;
  encoders: string[];
  keepsRealTime: boolean | null;
  reason: string;
  excluded: { name: string; reason: string }[];
}

describe('placement across three real workers', () => {
  let pool: Pool;
  let workers: TestDaemon[] = [];

  const place = async (body: unknown): Promise<Answer> => {
    const res = await fetch(`${pool.localUrl}/placements`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as Answer;
  };

  before(async () => {
    pool = await startPool(
      buildPoolConfig(
        { listen: { host: '127.0.0.1', port: 0 }, worker_token: WORKER_TOKEN, client_token: CLIENT_TOKEN },
        '/',
        { env: {}, hostname: 'h', cwd: '/' },
        'test',
      ),
      { log: createLogger('silent') },
    );
    const orchestrator = { url: pool.localUrl, token: WORKER_TOKEN, intervalSeconds: 0.5 };
    const mount = makeMountDir();
    workers = await Promise.all([
      startWithSpeeds(machine({ orchestrator, mount, name: 'gpu-box', gpu: true }), {
        libx264: { '720p': 4, '1080p': 2 },
        h264_vaapi: { '720p': 12, '1080p': 8 },
        hevc_vaapi: { '720p': 10, '1080p': 6 },
      }),
      startWithSpeeds(machine({ orchestrator, mount, name: 'plain-pc' }), {
        libx264: { '720p': 3, '1080p': 0.9 },
        libx265: { '720p': 0.8, '1080p': 0.35 },
      }),
      startWithSpeeds(
        machine({ orchestrator, mount, name: 'board', overrides: { limits: { max_jobs: 1 } } }),
        {
          libx264: { '720p': 1.6, '1080p': 0.7 },
        },
      ),
    ]);
    await waitFor(
      async () => {
        const res = await fetch(`${pool.localUrl}/workers`, {
          headers: { authorization: `Bearer ${CLIENT_TOKEN}` },
        });
        const list = ((await res.json()) as { workers: { encoders: { speed?: unknown }[] }[] }).workers;
        return list.length === 3 && list.every((w) => w.encoders.some((e) => e.speed !== undefined));
      },
      15_000,
      'three workers beating with their speeds',
    );
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await pool.stop();
  });

  it('sends 4K HEVC → 1080p to the GPU box, which keeps real time', async () => {
    const a = await place({
      source: { codec: 'hevc', width: 3840, height: 2160, frameRate: 24 },
      output: { codec: 'h264', height: 1080 },
    });
    assert.equal(a.name, 'gpu-box', a.reason);
    assert.deepEqual(a.encoders, ['h264_vaapi']);
    assert.equal(a.keepsRealTime, true);
  });

  it('sends 720p → 480p to the board, leaving the faster machines free', async () => {
    const a = await place({
      source: { codec: 'h264', width: 1280, height: 720, frameRate: 30 },
      output: { codec: 'h264', height: 480 },
    });
    assert.equal(a.name, 'board', a.reason);
    assert.match(a.reason, /the slowest of 3 workers keeping/);
  });

  it('sends a copy to a machine with the most free slots, not the one-slot board', async () => {
    const a = await place({
      source: { codec: 'h264', width: 1920, height: 1080 },
      output: { codec: 'copy' },
    });
    assert.ok(['gpu-box', 'plain-pc'].includes(a.name), a.reason);
    assert.deepEqual(a.encoders, ['copy']);
  });

  it('gives a draining worker nothing', async () => {
    const gpu = workers[0] as TestDaemon;
    const stopped = gpu.stop();
    // The draining beat goes out before the worker's loop ends: the pool honours it from that beat.
    await waitFor(
      async () => {
        const res = await fetch(`${pool.localUrl}/workers`, {
          headers: { authorization: `Bearer ${CLIENT_TOKEN}` },
        });
        const list = ((await res.json()) as { workers: { name: string; status: string }[] }).workers;
        return list.find((w) => w.name === 'gpu-box')?.status === 'draining';
      },
      5000,
      'the draining beat',
    );
    const a = await place({
      source: { codec: 'hevc', width: 3840, height: 2160, frameRate: 24 },
      output: { codec: 'h264', height: 1080 },
    });
    assert.notEqual(a.name, 'gpu-box');
    assert.equal(a.keepsRealTime, false);
    assert.match(a.reason, /will not keep up/);
    assert.deepEqual(
      a.excluded.filter((e) => e.name === 'gpu-box').map((e) => e.reason),
      ['draining'],
    );
    await stopped;
  });
});
