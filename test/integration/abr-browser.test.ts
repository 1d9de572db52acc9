/// <reference lib="dom" />
// The ABR master in real headless Chromium with hls.js from another origin: the levels it sees (resolution,
// bitrate, codecs from the master), playback on the lowest level, then a switch to the original (a copy) mid-play.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHlsSite, type HlsSite, type SeenLevel } from '../helpers/browser.js';
import { startTestDaemon, testConfig, type TestDaemon } from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';

interface PageState {
  readonly errors: string[];
  readonly levels: SeenLevel[];
  readonly switched: number[];
}

describe('an ABR ladder in Chromium with hls.js', () => {
  let d: TestDaemon;
  let site: HlsSite;

  before(async () => {
    const mount = makeMountDir();
    copyFileSync(
      await makeMedia({ seconds: 30, width: 1280, height: 720, rate: 25 }),
      path.join(mount, 'film.mp4'),
    );
    d = await startTestDaemon(testConfig(mount));
    site = await startHlsSite(d.localUrl);
  });
  after(async () => {
    await site.close();
    await d.stop();
  });

  it('sees every variant as a level and plays across a switch to the original', async (t) => {
    const res = await d.api('POST', '/jobs', {
      id: 'abr',
      input: 'film.mp4',
      video: { codec: 'h264' },
      variants: [{ codec: 'copy' }, { height: 480, bitrateKbps: 1200 }, { height: 240, bitrateKbps: 400 }],
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    const { playlistUrl } = (await res.json()) as { playlistUrl: string };
    const tab = await site.browser.newPage();
    await tab.goto(`${site.url}?id=abr&file=${path.basename(playlistUrl)}`);
    await tab.waitForFunction(() => (window as unknown as PageState).levels.length > 0, undefined, {
      timeout: 20_000,
    });
    const levels = await tab.evaluate(() => (window as unknown as PageState).levels);
    t.diagnostic(`hls.js levels: ${JSON.stringify(levels)}`);
    // hls.js lists levels by bitrate; the copy of the 720p source is the top one.
    const byHeight = [...levels].sort((a, b) => b.height - a.height);
    assert.deepEqual(
      byHeight.map((l) => [l.width, l.height]),
      [
        [1280, 720],
        [854, 480],
        [426, 240],
      ],
    );
    for (const l of levels) {
      assert.match(l.videoCodec ?? '', /^avc1\.[0-9a-f]{6}$/, JSON.stringify(l));
      assert.equal(l.audioCodec, 'mp4a.40.2');
      assert.ok(l.bitrate > 0);
    }
    const top = levels.findIndex((l) => l.height === 720);
    const bottom = levels.findIndex((l) => l.height === 240);
    // Start on the lowest level, play 2 s, then ask for the original and play on past the switch.
    await tab.evaluate(async (level) => {
      const w = window as unknown as { hls: { currentLevel: number } };
      w.hls.currentLevel = level;
      await document.querySelector('video')?.play();
    }, bottom);
    await tab.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) >= 2, undefined, {
      timeout: 30_000,
    });
    await tab.evaluate((level) => {
      (window as unknown as { hls: { nextLevel: number } }).hls.nextLevel = level;
    }, top);
    await tab.waitForFunction((level) => (window as unknown as PageState).switched.includes(level), top, {
      timeout: 30_000,
    });
    const switchedAt = await tab.evaluate(() => document.querySelector('video')?.currentTime ?? 0);
    await tab.waitForFunction(
      (at) => (document.querySelector('video')?.currentTime ?? 0) >= at + 2,
      switchedAt,
      { timeout: 30_000 },
    );
    const state = await tab.evaluate(() => {
      const w = window as unknown as PageState;
      return { errors: w.errors, switched: w.switched };
    });
    assert.deepEqual(state.errors, []);
    assert.ok(
      state.switched.includes(bottom) && state.switched.includes(top),
      JSON.stringify(state.switched),
    );
    await tab.close();
  });
});
