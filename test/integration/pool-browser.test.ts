/// <reference lib="dom" />
// A job posted to the pool plays in Chromium with hls.js: the pool places it on one of two real workers, and the
// player loads the playlistUrl it got back, straight from that worker (the pool carries no video).
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/log.js';
import { buildPoolConfig } from '../../src/pool/config.js';
import { startPool, type Pool } from '../../src/pool/root.js';
import { startHlsSite, type HlsSite } from '../helpers/browser.js';
import { TOKEN, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';
import { startWorker } from './pool-workers.js';

const WORKER_TOKEN = 'pool-hls-worker-token-0123456789';
const CLIENT_TOKEN = 'pool-hls-client-token-0123456789';

describe('a job placed through the pool plays with hls.js in Chromium', () => {
  let pool: Pool;
  let workers: TestDaemon[] = [];
  let site: HlsSite | null = null;

  before(async () => {
    const mount = makeMountDir();
    copyFileSync(
      await makeMedia({ seconds: 30, width: 1280, height: 720, rate: 25 }),
      path.join(mount, 'film.mp4'),
    );
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
    const orchestrator = { url: pool.localUrl, token: WORKER_TOKEN, intervalSeconds: 0.5 };
    workers = await Promise.all([
      startWorker({ orchestrator, name: 'one', mount }),
      startWorker({ orchestrator, name: 'two', mount }),
    ]);
    await waitFor(
      () => pool.registry.states().filter((s) => !s.hardware.probing).length === 2,
      10_000,
      'both workers listed',
    );
  });
  after(async () => {
    await site?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await pool.stop();
  });

  it('plays the stream past 2 s at the height asked, with no fatal player error', async () => {
    const res = await fetch(`${pool.localUrl}/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'pool-hls',
        input: 'film.mp4',
        video: { codec: 'h264', height: 480 },
        segmentSeconds: 2,
        source: { codec: 'h264', width: 1280, height: 720, frameRate: 25 },
      }),
    });
    const text = await res.text();
    assert.equal(res.status, 202, text);
    const { playlistUrl } = JSON.parse(text) as { playlistUrl: string };
    const owner = workers.find((w) => playlistUrl.startsWith(`${w.advertiseUrl}/streams/pool-hls/`));
    assert.ok(owner !== undefined, `${playlistUrl} points at one of the workers`);
    assert.ok(!playlistUrl.startsWith(pool.localUrl), 'the stream is not served by the pool');

    site = await startHlsSite(new URL(playlistUrl).origin);
    const tab = await site.browser.newPage();
    await tab.goto(`${site.url}?id=pool-hls&file=${path.basename(playlistUrl)}`);
    // The page's player does not autoplay: start it once hls.js has the manifest.
    await tab.waitForFunction(
      () => (window as unknown as { levels: unknown[] }).levels.length > 0,
      undefined,
      {
        timeout: 20_000,
      },
    );
    await tab.evaluate(async () => {
      await document.querySelector('video')?.play();
    });
    await tab.waitForFunction(
      () => {
        const v = document.querySelector('video');
        const errors = (window as unknown as { errors: string[] }).errors;
        return errors.length > 0 || (v !== null && v.currentTime > 2);
      },
      undefined,
      { timeout: 30_000 },
    );
    const state = await tab.evaluate(() => {
      const v = document.querySelector('video');
      return {
        errors: (window as unknown as { errors: string[] }).errors,
        t: v?.currentTime ?? 0,
        h: v?.videoHeight ?? 0,
      };
    });
    assert.deepEqual(state.errors, []);
    assert.ok(state.t > 2, `currentTime ${state.t}`);
    assert.equal(state.h, 480, 'the decoded picture is the transcoded 480p stream');
  });
});
