// The pool with real workers on loopback: a plain one and one with the fake GPU (in this process), and one run as
// its own process (so it can be killed with SIGKILL). They beat into a real pool; the pool lists them, places jobs,
// forwards one that then plays from the worker, and forgets the killed and the stopped ones.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/log.js';
import { buildPoolConfig } from '../../src/pool/config.js';
import { startPool, type Pool } from '../../src/pool/root.js';
import { runCli, writeConfig, type CliProcess } from '../helpers/cli.js';
import { TOKEN, waitFor, waitForJobEnd, type TestDaemon } from '../helpers/daemon.js';
import { makeMedia, makeMountDir, run } from '../helpers/media.js';
import { startWorker } from './pool-workers.js';

const WORKER_TOKEN = 'pool-worker-token-0123456789';
const CLIENT_TOKEN = 'pool-client-token-0123456789';
const INTERVAL_S = 0.5;

interface ListedWorker {
  workerId: string;
  name: string;
  url: string;
  status: string;
  probing: boolean;
  silenceSeconds: number;
}

describe('pool with real workers', () => {
  let pool: Pool;
  let mount: string;
  let plain: TestDaemon;
  let gpu: TestDaemon;
  let doomed: CliProcess | null = null;

  const call = async (method: string, route: string, body?: unknown): Promise<Response> =>
    fetch(`${pool.localUrl}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${CLIENT_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const listed = async (): Promise<ListedWorker[]> =>
    ((await (await call('GET', '/workers')).json()) as { workers: ListedWorker[] }).workers;

  before(async () => {
    mount = makeMountDir();
    copyFileSync(await makeMedia({ seconds: 6 }), path.join(mount, 'film.mp4'));
    pool = await startPool(
      buildPoolConfig(
        {
          listen: { host: '127.0.0.1', port: 0 },
          worker_token: WORKER_TOKEN,
          client_token: CLIENT_TOKEN,
          workers: { auth_token: TOKEN },
        },
        '/',
        { env: {}, hostname: 'h', cwd: '/' },
        'test',
      ),
      { log: createLogger('silent') },
    );
    const orchestrator = { url: pool.localUrl, token: WORKER_TOKEN, intervalSeconds: INTERVAL_S };
    [plain, gpu] = await Promise.all([
      startWorker({ orchestrator, name: 'plain', mount }),
      startWorker({ orchestrator, name: 'gpu', mount, gpu: true }),
    ]);
  });
  after(async () => {
    doomed?.child.kill('SIGKILL');
    await Promise.all([plain.stop(), gpu.stop()]);
    await pool.stop();
  });

  it('lists every live worker with what placement reads', async () => {
    await waitFor(async () => (await listed()).length === 2, 10_000, 'both workers listed');
    const byName = new Map((await listed()).map((w) => [w.name, w]));
    assert.equal(byName.get('gpu')?.url, gpu.advertiseUrl);
    assert.equal(byName.get('plain')?.status, 'ready');
    assert.equal(byName.get('plain')?.probing, false);
  });

  it('places 4K HEVC → 1080p on the GPU worker (no speeds measured: hardware first) and a copy anywhere', async () => {
    const res = await call('POST', '/placements', {
      source: { codec: 'hevc', width: 3840, height: 2160, frameRate: 24 },
      output: { codec: 'h264', height: 1080 },
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { name: string; encoders: string[]; reason: string };
    assert.equal(body.name, 'gpu', body.reason);
    assert.deepEqual(body.encoders, ['h264_vaapi']);
    const copy = (await (await call('POST', '/placements', { output: { codec: 'copy' } })).json()) as {
      name: string;
    };
    assert.ok(['gpu', 'plain'].includes(copy.name));
  });

  it('forwards a job to the chosen worker, whose playlistUrl serves the stream directly', async () => {
    const res = await call('POST', '/jobs', {
      input: 'film.mp4',
      video: { codec: 'h264', height: 240 },
      source: { codec: 'h264', width: 640, height: 360, frameRate: 30 },
    });
    const text = await res.text();
    assert.equal(res.status, 202, text);
    const job = JSON.parse(text) as { id: string; playlistUrl: string };
    const owner = [plain, gpu].find((d) => job.playlistUrl.startsWith(`${d.advertiseUrl}/`));
    assert.ok(owner !== undefined, job.playlistUrl);
    // FFmpeg plays it from the worker, the pool out of the path.
    const played = await run('ffmpeg', [
      '-hide_banner',
      '-v',
      'error',
      '-i',
      job.playlistUrl,
      '-f',
      'null',
      '-',
    ]);
    assert.equal(played.stderr, '');
    const view = await waitForJobEnd(owner, job.id);
    assert.equal(view.status, 'completed');
    const decisions = (await (await call('GET', '/placements')).json()) as {
      decisions: { jobId?: string; outcome: string }[];
    };
    assert.equal(decisions.decisions[0]?.jobId, job.id);
    assert.equal(decisions.decisions[0].outcome, 'forwarded');
  });

  it('forgets a worker killed with SIGKILL within its silence window, and lists it again once restarted', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-pool-cli-'));
    const file = writeConfig(dir, {
      name: 'doomed',
      listen: { host: '127.0.0.1', port: 0 },
      auth_token: TOKEN,
      nas_mount_path: mount,
      work_dir: dir,
      orchestrator: { url: pool.localUrl, token: WORKER_TOKEN, heartbeat_interval_seconds: INTERVAL_S },
    });
    doomed = runCli(['start', '--config', file]);
    const child = doomed;
    // Several beats, so the pool has learnt its interval.
    await waitFor(
      async () => (await listed()).some((w) => w.name === 'doomed'),
      20_000,
      'the process worker',
    );
    await new Promise((r) => setTimeout(r, 4 * INTERVAL_S * 1000));
    const entry = (await listed()).find((w) => w.name === 'doomed');
    const window = entry?.silenceSeconds ?? 0;
    // Its work_dir keeps its id: the restarted process is the same worker.
    const doomedId = entry?.workerId ?? '';
    assert.ok(window >= 3 * INTERVAL_S && window < 10, String(window));
    child.child.kill('SIGKILL');
    await child.exited;
    const killedAt = Date.now();
    await waitFor(
      async () => !(await listed()).some((w) => w.name === 'doomed'),
      15_000,
      'the killed worker gone',
    );
    const gone = (Date.now() - killedAt) / 1000;
    // Its last beat came up to one interval before the kill; checking takes a few polls.
    assert.ok(gone <= window + 0.5, `gone after ${gone} s, window ${window} s`);
    const id = (await listed()).find((w) => w.name === 'doomed')?.workerId;
    assert.equal(id, undefined);
    const before = doomedId;
    doomed = runCli(['start', '--config', file]);
    await waitFor(
      async () => (await listed()).some((w) => w.workerId === before),
      20_000,
      'the restarted worker',
    );
    doomed.child.kill('SIGTERM');
    await doomed.exited;
  });

  it('gives a draining worker nothing, and answers 503 with a reason when every worker is gone', async () => {
    await gpu.stop();
    const res = await call('POST', '/placements', { output: { codec: 'h264', height: 720 } });
    assert.equal(((await res.json()) as { name: string }).name, 'plain');
    await plain.stop();
    await waitFor(async () => (await listed()).length === 0, 10_000, 'every worker gone');
    const none = await call('POST', '/placements', { output: { codec: 'h264' } });
    assert.equal(none.status, 503);
    const body = (await none.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'NO_WORKER');
    assert.equal(body.error.message, 'no live worker');
  });
});
