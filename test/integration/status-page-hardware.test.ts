/// <reference lib="dom" />
// The status page's hardware part in real headless Chromium: every candidate encoder, the ones this machine cannot
// use (no GPU here) with FFmpeg's own reason, and each speed with when it was measured. The figures come from a
// profile cache written by a first start and dated as a measurement would date them, so they do not depend on how
// busy the machine is while the suite runs (a figure measured under load is never published).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CACHE_FILE } from '../../src/hardware/profile-cache.js';
import type { EncoderCheck } from '../../src/hardware/types.js';
import { startTestDaemon, testConfig, type TestDaemon } from '../helpers/daemon.js';
import { makeMountDir } from '../helpers/media.js';

const CHROMIUM = '/usr/bin/chromium';
const MEASURED_720 = '2026-12-01T21:04:05.000Z';
const MEASURED_1080 = '2026-12-01T21:04:09.000Z';

describe('status page: hardware', () => {
  let d: TestDaemon;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: run npm test (bash scripts/setup.sh --test)`);
    const mount = makeMountDir();
    // First start: the real test encodes of this machine, kept in the cache.
    const first = await startTestDaemon(testConfig(mount), { measureSpeed: false });
    await first.hardware.settled;
    await first.stop();
    const file = path.join(first.config.workDir, CACHE_FILE);
    const cache = JSON.parse(readFileSync(file, 'utf8')) as {
      encoders: EncoderCheck[];
      speedMeasured: boolean;
    };
    cache.encoders = cache.encoders.map((e) =>
      e.name === 'libx264'
        ? {
            ...e,
            speed: { '720p': 3.21, '1080p': 1.54 },
            measuredAt: { '720p': MEASURED_720, '1080p': MEASURED_1080 },
          }
        : e,
    );
    cache.speedMeasured = true;
    writeFileSync(file, JSON.stringify(cache));
    // Second start on the same work_dir: the profile comes from the cache.
    d = await startTestDaemon(testConfig(mount, { work_dir: first.config.workDir }), { measureSpeed: false });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ timezoneId: 'UTC', locale: 'en-GB' });
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
  });
  after(async () => {
    await browser.close();
    await d.stop();
  });

  it('lists every candidate: the unusable ones with the reason FFmpeg gave', async () => {
    await d.hardware.settled;
    await page.goto(`${d.localUrl}/`);
    await page.waitForFunction(() => document.querySelectorAll('#encoders tr').length > 0);
    const profile = d.hardware.encoders();
    const rows = await page.$$eval('#encoders tr', (trs) =>
      trs.map((tr) => ({
        encoder: (tr as HTMLElement).dataset.encoder ?? '',
        usable: (tr as HTMLElement).dataset.usable ?? '',
        state: tr.children[3]?.textContent ?? '',
      })),
    );
    assert.deepEqual(
      rows.map((r) => [r.encoder, r.usable]),
      profile.map((e) => [e.name, String(e.usable)]),
    );
    const unusable = profile.filter((e) => !e.usable);
    // No GPU here: FFmpeg lists hardware encoders that fail their test encode.
    assert.ok(unusable.length > 0, 'this machine has candidates it cannot use');
    for (const e of unusable) {
      const row = rows.find((r) => r.encoder === e.name);
      assert.ok(e.reason !== undefined && e.reason !== '', `${e.name} has a reason`);
      assert.equal(row?.state, `not usable${e.reason}`, e.name);
    }
    const vaapi = rows.find((r) => r.encoder === 'h264_vaapi');
    assert.match(vaapi?.state ?? '', /^not usable.*(VA display|Device creation failed|vaapi)/);
  });

  it('shows each speed with when it was measured; an unmeasured one shows none', async () => {
    const x264 = page.locator('#encoders tr[data-encoder="libx264"]');
    assert.equal(await x264.locator('td').nth(3).textContent(), 'usable');
    assert.equal(await x264.locator('td').nth(4).textContent(), '3.21×measured 01/12/2026, 21:04:05');
    assert.equal(await x264.locator('td').nth(5).textContent(), '1.54×measured 01/12/2026, 21:04:09');
    assert.equal(await x264.locator('td').nth(4).locator('.measured').getAttribute('title'), MEASURED_720);
    const x265 = page.locator('#encoders tr[data-encoder="libx265"]');
    assert.equal(await x265.locator('td').nth(4).textContent(), '—');
    assert.equal(await x265.locator('.measured').count(), 0);
  });

  it('the heartbeat payload has the same facts: reason and measuredAt per figure', async () => {
    const health = (await (await fetch(`${d.localUrl}/health`)).json()) as {
      hardware: { encoders: EncoderCheck[] };
    };
    const x264 = health.hardware.encoders.find((e) => e.name === 'libx264');
    assert.deepEqual(x264?.measuredAt, { '720p': MEASURED_720, '1080p': MEASURED_1080 });
    assert.ok(health.hardware.encoders.some((e) => !e.usable && (e.reason ?? '') !== ''));
  });

  it('logged no console errors', async () => {
    await page.screenshot({ path: path.join(d.config.workDir, 'status-page-hardware.png'), fullPage: true });
    assert.deepEqual(consoleErrors, []);
  });
});
