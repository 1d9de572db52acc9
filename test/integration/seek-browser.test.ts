/// <reference lib="dom" />
// A viewer in real headless Chromium with hls.js, on a page from another origin: opens a VOD stream, sees the
// film's whole length at once, jumps to the middle (nothing encoded there yet) and plays on for 2 s.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobView } from '../../src/contract/job-view.js';
import { startHlsSite, type HlsSite } from '../helpers/browser.js';
import { startTestDaemon, testConfig, type TestDaemon } from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';

const FILM_SECONDS = 120;

describe('seeking in Chromium with hls.js', () => {
  let d: TestDaemon;
  let site: HlsSite;
  let siteUrl = '';

  before(async () => {
    const mount = makeMountDir();
    copyFileSync(
      await makeMedia({ seconds: FILM_SECONDS, width: 640, height: 360 }),
      path.join(mount, 'film.mp4'),
    );
    // Throttling keeps the head at 0 near the viewer: nothing is made near the middle before the seek.
    d = await startTestDaemon(testConfig(mount, { throttle: { ahead_seconds: 10 } }));
    const res = await d.api('POST', '/jobs', {
      id: 'seek-me',
      input: 'film.mp4',
      video: { codec: 'h264', height: 360 },
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    // The page comes from another origin than the worker: CORS is part of what is tested. /?id=… picks the stream.
    site = await startHlsSite(d.localUrl);
    siteUrl = `${site.url}?id=seek-me`;
  });
  after(async () => {
    await site.close();
    await d.stop();
  });

  it('knows the whole length at once, seeks to the middle and plays on for 2 s', async () => {
    const tab = await site.browser.newPage();
    await tab.goto(siteUrl);
    await tab.waitForFunction(() => Number.isFinite(document.querySelector('video')?.duration), undefined, {
      timeout: 15_000,
    });
    const duration = await tab.evaluate(() => document.querySelector('video')?.duration ?? 0);
    assert.ok(Math.abs(duration - FILM_SECONDS) < 1, `the player shows the film's length (${duration} s)`);
    const before = (await (await d.api('GET', '/jobs/seek-me')).json()) as JobView;
    const middle = FILM_SECONDS / 2;
    assert.ok(before.segmentsReady < middle / 2, 'nothing was encoded near the middle yet');

    await tab.evaluate(async (at) => {
      const video = document.querySelector('video');
      if (video === null) throw new Error('no video');
      video.currentTime = at;
      await video.play();
    }, middle);
    await tab.waitForFunction((at) => (document.querySelector('video')?.currentTime ?? 0) >= at + 2, middle, {
      timeout: 30_000,
    });
    const errors = await tab.evaluate(() => (window as unknown as { errors: string[] }).errors);
    assert.deepEqual(errors, []);
    const after = (await (await d.api('GET', '/jobs/seek-me')).json()) as JobView;
    assert.ok(
      after.heads.some((h) => h.start >= middle / 2 - 3 && h.start <= middle / 2 + 1),
      `a head started near the seek point (${JSON.stringify(after.heads)})`,
    );
    await tab.close();
  });

  it('plays H.264 in fMP4 (init segment + .m4s) from the start', async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'fmp4',
      input: 'film.mp4',
      video: { codec: 'h264', height: 360 },
      segmentSeconds: 2,
      container: 'fmp4',
    });
    assert.equal(res.status, 202);
    const tab = await site.browser.newPage();
    await tab.goto(`${site.url}?id=fmp4`);
    await tab.evaluate(async () => {
      const video = document.querySelector('video');
      if (video === null) throw new Error('no video');
      await video.play();
    });
    await tab.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) >= 2, undefined, {
      timeout: 30_000,
    });
    const errors = await tab.evaluate(() => (window as unknown as { errors: string[] }).errors);
    assert.deepEqual(errors, []);
    await tab.close();
  });
});
