/// <reference lib="dom" />
// The status page in real headless Chromium (Debian's, installed by `npm test`'s setup): no console errors, a
// running job with its progress, and a click that plays the stream past 2 s (the hardware part:
// status-page-hardware.test.ts).
import assert from 'node:assert/strict';
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestDaemon, testConfig, TOKEN, type TestDaemon } from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';

const CHROMIUM = '/usr/bin/chromium';

describe('status page in Chromium', () => {
  let d: TestDaemon;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const jobRequests: string[] = [];

  before(async () => {
    // setup.sh --test installs it; a missing browser is a failure, not a skip.
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: run npm test (bash scripts/setup.sh --test)`);
    const mount = makeMountDir();
    copyFileSync(await makeMedia({ seconds: 60, width: 1280, height: 720 }), path.join(mount, 'film.mp4'));
    d = await startTestDaemon(testConfig(mount));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // --no-sandbox: tests run as root in a container; the autoplay flag lets the muted player start unclicked.
      args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
    });
    page = await browser.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
    page.on('request', (req) => {
      if (new URL(req.url()).pathname === '/jobs') jobRequests.push(req.headers().authorization ?? '');
    });
  });
  after(async () => {
    await browser.close();
    await d.stop();
  });

  it('loads with the node name, version and status, and lists no jobs before the token', async () => {
    await page.goto(`${d.localUrl}/`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    assert.equal(await page.textContent('#name'), 'test-host');
    assert.match((await page.textContent('#version')) ?? '', /^v\d+\.\d+\.\d+/);
    assert.deepEqual(jobRequests, [], 'no /jobs request without a token');
    assert.equal(await page.locator('#job-form').isHidden(), true);
  });

  it('shows a running job with a progress bar after the token is entered once', async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'page-job',
      input: 'film.mp4',
      video: { codec: 'h264', height: 480 },
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    await page.fill('#token', TOKEN);
    await page.click('#token-form button');
    const row = page.locator('#jobs tr[data-id="page-job"]');
    await row.waitFor({ timeout: 10_000 });
    await page.waitForFunction(
      () => {
        const tr = document.querySelector<HTMLElement>('#jobs tr[data-id="page-job"]');
        const bar = tr?.querySelector('progress');
        return tr?.dataset.status === 'running' && bar !== null && bar !== undefined && bar.value > 0;
      },
      undefined,
      { timeout: 15_000 },
    );
    assert.ok(jobRequests.length > 0 && jobRequests.every((h) => h === `Bearer ${TOKEN}`));
    assert.equal(await page.evaluate(() => localStorage.getItem('transcode-worker.token')), TOKEN);
  });

  it('plays the stream on click: the video passes 2 s', async () => {
    await page.click('#jobs tr[data-id="page-job"]');
    await page.waitForFunction(
      () => {
        const v = document.querySelector('video');
        return v !== null && !v.paused && v.currentTime > 2;
      },
      undefined,
      { timeout: 20_000 },
    );
    const state = await page.evaluate(() => {
      const v = document.querySelector('video');
      return { t: v?.currentTime ?? 0, w: v?.videoWidth ?? 0, h: v?.videoHeight ?? 0 };
    });
    assert.ok(state.t > 2, `currentTime ${state.t}`);
    assert.equal(state.h, 480, 'the decoded picture is the transcoded 480p stream');
    assert.equal(await page.textContent('#error'), '');
    await page.screenshot({ path: path.join(d.config.workDir, 'status-page.png'), fullPage: true });
  });

  it('logged no console errors', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
