/// <reference lib="dom" />
// Subtitles in real headless Chromium with hls.js: the worker's master playlist with its WebVTT renditions, for
// MPEG-TS and fMP4, transcoded and copied, played from a page on another origin. The source draws a white
// square exactly while a cue is shown; each cue must start and end within a frame of the square, and "eng 5.000"
// must show at 5.0 s (± 0.1 s) of video.currentTime.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestDaemon, testConfig, type TestDaemon } from '../helpers/daemon.js';
import { CUE_MARKER, makeMountDir, makeSubtitledMedia } from '../helpers/media.js';

const CHROMIUM = '/usr/bin/chromium';
const SECONDS = 12;
const FRAME = 1 / 30;

interface Case {
  readonly id: string;
  readonly container: 'ts' | 'fmp4';
  readonly copy: boolean;
}
const CASES: readonly Case[] = [
  { id: 'ts', container: 'ts', copy: false },
  { id: 'fmp4', container: 'fmp4', copy: false },
  { id: 'copy-ts', container: 'ts', copy: true },
  { id: 'copy-fmp4', container: 'fmp4', copy: true },
];

function page(workerUrl: string, id: string): string {
  const { x, y, size } = CUE_MARKER;
  return `<!doctype html><html><body><video id="v" muted playsinline></video>
<script src="${workerUrl}/assets/hls.min.js"></script>
<script>
  window.errors = [];
  const video = document.getElementById('v');
  const hls = new Hls();
  window.hls = hls;
  hls.on(Hls.Events.ERROR, (_e, data) => { if (data.fatal) window.errors.push(data.type + ':' + data.details); });
  hls.loadSource('${workerUrl}/streams/${id}/master.m3u8');
  hls.attachMedia(video);
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  // Whether the frame shown at time t has the white square (seeks there paused and reads one pixel of it). 'seeked'
  // can come before the new frame is presented, when drawImage would still read the one before: the read waits for
  // the frame callback of the seek too (or 1 s, should the seek land on the frame already shown).
  window.whiteAt = async (t) => {
    const presented = new Promise((resolve) => { video.requestVideoFrameCallback(resolve); setTimeout(resolve, 1000); });
    await new Promise((resolve) => { video.addEventListener('seeked', resolve, { once: true }); video.currentTime = t; });
    await presented;
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    ctx.drawImage(video, 0, 0);
    return ctx.getImageData(${x + size / 2}, ${y + size / 2}, 1, 1).data[0] > 128;
  };
  // The times hls.js gave a cue, in whichever text track holds it; null while it has not loaded it.
  window.findCue = (text) => {
    for (let i = 0; i < video.textTracks.length; i++) {
      const cues = video.textTracks[i].cues;
      for (let j = 0; cues !== null && j < cues.length; j++)
        if (cues[j].text === text) return { start: cues[j].startTime, end: cues[j].endTime };
    }
    return null;
  };
</script></body></html>`;
}

async function cueTimes(tab: Page, text: string): Promise<{ start: number; end: number }> {
  await tab.evaluate(async () => window.whiteAt(5.2));
  await tab.waitForFunction((t) => window.findCue(t) !== null, text, { timeout: 15_000 });
  const cue = await tab.evaluate((t) => window.findCue(t), text);
  assert.ok(cue !== null);
  return cue;
}

declare global {
  interface Window {
    whiteAt(t: number): Promise<boolean>;
    findCue(text: string): { start: number; end: number } | null;
    errors: string[];
    hls: { subtitleTracks: { name: string; lang?: string; default: boolean; forced: boolean }[] };
  }
}

describe('subtitles in Chromium with hls.js', () => {
  let d: TestDaemon;
  let browser: Browser;
  let site: Server;
  let siteUrl = '';

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: run npm test (bash scripts/setup.sh --test)`);
    const mount = makeMountDir();
    copyFileSync(await makeSubtitledMedia({ seconds: SECONDS }), path.join(mount, 'film.mkv'));
    d = await startTestDaemon(testConfig(mount, { limits: { max_jobs: CASES.length } }));
    for (const c of CASES) {
      const res = await d.api('POST', '/jobs', {
        id: c.id,
        input: 'film.mkv',
        video: c.copy ? { codec: 'copy' } : { codec: 'h264', height: 360 },
        segmentSeconds: 2,
        container: c.container,
        prepare: true,
      });
      assert.equal(res.status, 202);
    }
    // The page comes from another origin than the worker; the master, subtitles and video are the worker's own.
    site = createServer((req, res) => {
      const [, id = ''] = /^\/([a-z0-9-]+)\/page/.exec(req.url ?? '') ?? [];
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(d.localUrl, id));
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser.close();
    await new Promise((resolve) => site.close(resolve));
    await d.stop();
  });

  for (const c of CASES) {
    it(`${c.id}: each cue starts and ends with the picture it belongs to`, async () => {
      const tab = await browser.newPage();
      await tab.goto(`${siteUrl}/${c.id}/page`);
      await tab.waitForFunction(() => window.hls.subtitleTracks.length > 0, undefined, { timeout: 15_000 });
      const tracks = await tab.evaluate(() =>
        window.hls.subtitleTracks.map((t) => [t.name, t.lang ?? null, t.default, t.forced]),
      );
      assert.deepEqual(tracks, [
        ['English', 'en', true, false],
        ['Français', 'fr', false, true],
      ]);
      for (const text of ['eng 3.000', 'eng 5.000']) {
        const cue = await cueTimes(tab, text);
        const edge = FRAME + 0.005;
        const at = async (t: number): Promise<boolean> => tab.evaluate(async (u) => window.whiteAt(u), t);
        assert.equal(
          await at(cue.start - edge),
          false,
          `${text}: no square a frame before the cue (${cue.start})`,
        );
        assert.equal(await at(cue.start + edge), true, `${text}: the square a frame after the cue starts`);
        assert.equal(
          await at(cue.end - edge),
          true,
          `${text}: the square a frame before the cue ends (${cue.end})`,
        );
        assert.equal(await at(cue.end + edge), false, `${text}: no square a frame after it`);
        if (text === 'eng 5.000') assert.ok(Math.abs(cue.start - 5) < 0.1, `${text} shows at ${cue.start} s`);
      }
      assert.deepEqual(await tab.evaluate(() => window.errors), []);
      await tab.close();
    });
  }
});
