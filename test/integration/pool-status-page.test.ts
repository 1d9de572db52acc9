/// <reference lib="dom" />
// The pool's status page in real headless Chromium: open without data, nothing read before the client token, then a
// real worker with its verified encoders and the last placements with their reasons; a wrong token is forgotten.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createLogger } from '../../src/log.js';
import { buildPoolConfig } from '../../src/pool/config.js';
import { startPool, type Pool } from '../../src/pool/root.js';
import { TOKEN, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { startWorker } from './pool-workers.js';

const CHROMIUM = '/usr/bin/chromium';
const WORKER_TOKEN = 'pool-page-worker-token-0123456789';
const CLIENT_TOKEN = 'pool-page-client-token-0123456789';

describe('pool status page in Chromium', () => {
  let pool: Pool;
  let worker: TestDaemon;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const dataRequests: string[] = [];

  const place = (output: unknown): Promise<Response> =>
    fetch(`${pool.localUrl}/placements`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ output }),
    });

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: run npm test (bash scripts/setup.sh --test)`);
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
    // Before any worker beats: a decision with no worker, and its reason.
    assert.equal((await place({ codec: 'h264', height: 480 })).status, 503);
    worker = await startWorker({
      name: 'den-pc',
      orchestrator: { url: pool.localUrl, token: WORKER_TOKEN, intervalSeconds: 0.5 },
    });
    await waitFor(() => pool.registry.states().some((s) => !s.hardware.probing), 10_000, 'the worker listed');
    assert.equal((await place({ codec: 'h264', height: 480 })).status, 200);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
    page.on('request', (req) => {
      const p = new URL(req.url()).pathname;
      if (p === '/workers' || p === '/placements') dataRequests.push(req.headers().authorization ?? '');
    });
  });
  after(async () => {
    await browser.close();
    await worker.stop();
    await pool.stop();
  });

  it('loads without the token, reads nothing and names no secret', async () => {
    const res = await fetch(`${pool.localUrl}/`);
    assert.equal(res.status, 200);
    const html = await res.text();
    for (const secret of [WORKER_TOKEN, CLIENT_TOKEN, TOKEN]) assert.ok(!html.includes(secret));
    await page.goto(`${pool.localUrl}/`);
    await page.waitForFunction(() => document.getElementById('live')?.textContent === 'token needed');
    assert.deepEqual(dataRequests, [], 'no data request without a token');
    assert.equal(await page.locator('#workers tr').count(), 0);
    assert.equal(await page.textContent('#local-runs'), '0');
  });

  it('shows the worker, its verified encoder with speeds, and the placements with their reasons', async () => {
    await page.fill('#token', CLIENT_TOKEN);
    await page.click('#token-form button');
    const row = page.locator('#workers tr[data-name="den-pc"]');
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await row.getAttribute('data-status'), 'ready');
    assert.match((await row.textContent()) ?? '', /0 of \d+/);
    assert.match((await row.locator('[data-encoder="libx264"]').textContent()) ?? '', /^libx264: /);
    assert.match((await row.textContent()) ?? '', /s ago/);
    const placed = page.locator('#placements tr[data-outcome="placed"]');
    await placed.waitFor({ timeout: 10_000 });
    assert.equal(await placed.getAttribute('data-worker'), 'den-pc');
    assert.ok(((await placed.textContent()) ?? '').length > 40, 'the reason is shown');
    const none = page.locator('#placements tr[data-outcome="none"]');
    assert.match((await none.textContent()) ?? '', /no live worker|no worker/i);
    assert.ok(dataRequests.length > 0 && dataRequests.every((h) => h === `Bearer ${CLIENT_TOKEN}`));
  });

  it('forgets a token the pool refuses', async () => {
    await page.evaluate(() => localStorage.setItem('transcode-worker.pool-token', 'wrong-token-0123456789'));
    await page.reload();
    await page.waitForFunction(
      () => document.getElementById('error')?.textContent === 'the pool refused this token',
    );
    assert.equal(await page.evaluate(() => localStorage.getItem('transcode-worker.pool-token')), null);
    assert.equal(await page.locator('#workers tr').count(), 0);
    // The refused requests are the only console errors allowed (Chromium logs every 403).
    const unexpected = consoleErrors.filter((e) => !/status of 403/.test(e));
    assert.deepEqual(unexpected, []);
  });
});
