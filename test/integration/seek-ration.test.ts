// Issue 15 item 4: a viewer cannot make FFmpeg restart without end. Seek heads are rationed per job (seekBurst at
// once, then one per segment of time) and a head a viewer fetched from in the last few seconds is never replaced; a
// seek that cannot start now is deferred and still gets its segment. Real FFmpeg, real HTTP, the worker's own log.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon } from '../../src/daemon.js';
import { seekRationing } from '../../src/stream/heads.js';
import { createLogger } from '../../src/log.js';
import { TOKEN, testConfig, type TestDaemon } from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';

const SEGMENT = 2;
const AHEAD = 5;
// What the issue asks: a head a viewer fetched from in the last few seconds is never replaced.
const PROTECT_MS = 5000;
const { seekBurst } = seekRationing(SEGMENT);

interface LogLine {
  readonly time: number;
  readonly msg: string;
  readonly jobId?: string;
  readonly head?: number;
  readonly startSegment?: number;
  readonly next?: number;
  readonly stopped?: string | null;
  readonly replaces?: number | null;
}

describe('seek heads are rationed and watched heads are kept', () => {
  let d: TestDaemon;
  const lines: LogLine[] = [];
  const of = (jobId: string, msg: string): LogLine[] =>
    lines.filter((l) => l.jobId === jobId && l.msg === msg);

  before(async () => {
    // Made before the daemon starts: generating media blocks this process's event loop.
    const mount = makeMountDir();
    copyFileSync(
      await makeMedia({ seconds: 300, width: 320, height: 180, rate: 24 }),
      path.join(mount, 'film.mp4'),
    );
    const config = testConfig(mount, {
      log_level: 'info',
      seek: { ahead_segments: AHEAD, max_heads: 2, idle_seconds: 60 },
      // Heads pause 5 segments ahead of their viewers: the loop, not the encodes, decides what runs.
      throttle: { ahead_seconds: AHEAD * SEGMENT },
      streams: { segment_wait_seconds: 20 },
    });
    const log = createLogger(config.logLevel, {
      write(chunk: string): void {
        for (const line of chunk.split('\n')) if (line !== '') lines.push(JSON.parse(line) as LogLine);
      },
    });
    const daemon = await startDaemon(config, {
      log,
      platform: process.platform,
      envPath: process.env.PATH,
      hardware: { measureSpeed: false },
    });
    const api = (method: string, route: string, body?: unknown): Promise<Response> =>
      fetch(`${daemon.localUrl}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    d = { ...daemon, config, api };
  });
  after(async () => {
    await d.stop();
  });

  const post = async (id: string): Promise<void> => {
    const res = await d.api('POST', '/jobs', {
      id,
      input: 'film.mp4',
      video: { codec: 'h264', height: 144 },
      segmentSeconds: SEGMENT,
    });
    assert.equal(res.status, 202, await res.text());
  };

  it('a hostile loop over three far places starts a bounded number of FFmpeg and never kills a watched head', async (t) => {
    await post('loop');
    const playlist = await fetch(`${d.localUrl}/streams/loop/stream.m3u8`);
    assert.equal(playlist.status, 200);
    await playlist.arrayBuffer();
    // Three far places, each asked for every 300 ms (one request every 100 ms, not waiting for answers), stepping on
    // so each asks for a segment not made yet: more places than max_heads, so every head is always wanted.
    const places = [30, 70, 110];
    const sent: { k: number; at: number }[] = [];
    const stop = new AbortController();
    const pending: Promise<unknown>[] = [];
    const loopMs = 12_000;
    const started = Date.now();
    for (let i = 0; Date.now() - started < loopMs; i++) {
      const k = (places[i % places.length] ?? 0) + Math.floor(i / places.length / 3);
      sent.push({ k, at: Date.now() });
      pending.push(
        fetch(`${d.localUrl}/streams/loop/seg-${k}.ts`, { signal: stop.signal }).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        ),
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    const elapsedS = (Date.now() - started) / 1000;
    const spawned = of('loop', 'ffmpeg started');
    const replaced = of('loop', 'ffmpeg ended').filter((l) => l.stopped === 'replaced by a seek');
    stop.abort();
    await Promise.all(pending);
    await d.api('DELETE', '/jobs/loop');
    // The head at 0 and the rationed seeks: seekBurst at once, then one per segment of time.
    const bound = 1 + seekBurst + Math.ceil(elapsedS / SEGMENT);
    t.diagnostic(`${spawned.length} FFmpeg started in ${elapsedS.toFixed(1)} s, ${replaced.length} replaced`);
    assert.ok(
      spawned.length <= bound,
      `${spawned.length} FFmpeg started in ${elapsedS.toFixed(1)} s (at most ${bound}); ${replaced.length} replaced`,
    );
    // A replaced head: no request for a segment it made or would reach soon in the 5 s before the seek that
    // replaced it (a request sent in the last second may not have reached a loaded worker yet). A stopping head
    // writes nothing more: its `next` when it ended is its `next` then.
    const seeks = of('loop', 'seek: starting a head');
    for (const r of replaced) {
      const start = r.startSegment ?? -1;
      const reach = (r.next ?? start) + AHEAD;
      const at = seeks.find((s) => s.replaces === r.head)?.time ?? r.time;
      const watched = sent.filter(
        (s) => s.k >= start && s.k <= reach && s.at > at - PROTECT_MS && s.at < at - 1000,
      );
      assert.deepEqual(
        watched.map((s) => `seg-${s.k} ${at - s.at} ms before`),
        [],
        `head ${r.head} (from ${start} at ${r.next}) was replaced while a viewer fetched from it`,
      );
    }
  });

  it('a seek that may not start at once (every head watched) waits and still gets its segment', async () => {
    await post('wait');
    const seg = async (k: number): Promise<number> => {
      const res = await fetch(`${d.localUrl}/streams/wait/seg-${k}.ts`);
      const body = await res.arrayBuffer();
      assert.equal(res.status, 200, `seg-${k}: ${res.status}`);
      return body.byteLength;
    };
    await seg(0);
    // A second place: a seek head there (max_heads 2 reached), its viewer fetching from it.
    await seg(60);
    // A third place at once: both heads were fetched from just now, so neither may go yet; the request waits.
    const started = Date.now();
    assert.ok((await seg(120)) > 0);
    const waited = Date.now() - started;
    assert.equal(of('wait', 'seek deferred: head starts are rationed').length, 1, 'the seek was deferred');
    const replaced = of('wait', 'ffmpeg ended').filter((l) => l.stopped === 'replaced by a seek');
    assert.equal(replaced.length, 1, 'one head made room');
    assert.ok(waited < d.config.streams.segmentWaitMs, `${waited} ms`);
    await d.api('DELETE', '/jobs/wait');
  });
});
