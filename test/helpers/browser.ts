/// <reference lib="dom" />
// Headless Chromium with hls.js on a page served from another origin than the worker (CORS is part of every test).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** A page that plays `streamUrl` with the worker's hls.js; it records fatal errors, the levels and level switches. */
function page(workerUrl: string, streamUrl: string): string {
  return `<!doctype html><html><body><video id="v" muted playsinline></video>
<script src="${workerUrl}/assets/hls.min.js"></script>
<script>
  window.errors = [];
  window.levels = [];
  window.switched = [];
  const video = document.getElementById('v');
  const hls = new Hls();
  window.hls = hls;
  hls.on(Hls.Events.ERROR, (_e, data) => { if (data.fatal) window.errors.push(data.type + ':' + data.details); });
  hls.on(Hls.Events.MANIFEST_PARSED, (_e, data) => {
    window.levels = data.levels.map((l) => ({ width: l.width, height: l.height, bitrate: l.bitrate,
      videoCodec: l.videoCodec ?? null, audioCodec: l.audioCodec ?? null, frameRate: l.frameRate ?? null }));
  });
  hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => window.switched.push(data.level));
  hls.loadSource(${JSON.stringify(streamUrl)});
  hls.attachMedia(video);
</script></body></html>`;
}

/** One level as hls.js parsed it from a master playlist. */
export interface SeenLevel {
  readonly width: number;
  readonly height: number;
  readonly bitrate: number;
  readonly videoCodec: string | null;
  readonly audioCodec: string | null;
  readonly frameRate: number | null;
}

export interface HlsSite {
  /** The page for a stream: `${url}?id=<job id>&file=<playlist name>`. */
  readonly url: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Serves the page (/?id=…&file=…, default file stream.m3u8) and launches Chromium. */
export async function startHlsSite(workerUrl: string): Promise<HlsSite> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: run npm test (bash scripts/setup.sh --test)`);
  const site = createServer((req, response) => {
    const params = new URL(req.url ?? '/', 'http://x').searchParams;
    const id = params.get('id') ?? '';
    const file = params.get('file') ?? 'stream.m3u8';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(page(workerUrl, `${workerUrl}/streams/${id}/${file}`));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
  });
  return {
    url: `http://127.0.0.1:${(site.address() as AddressInfo).port}/`,
    browser,
    close: async () => {
      await browser.close();
      await new Promise((resolve) => site.close(resolve));
    },
  };
}
