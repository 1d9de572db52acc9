// Issue 15 item 6: a viewer who pauses keeps the film. A job nobody watches for jobs.idle_cancel_seconds is parked:
// its FFmpeg stops (or, for a stream that cannot start mid-film, pauses), the stream keeps its segments and its VOD
// playlist, a later request brings a head back, and only the retention limits (keep_minutes) end it.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobView } from '../../src/contract/job-view.js';
import {
  startOrchestrator,
  startTestDaemon,
  testConfig,
  waitFor,
  waitForJobEnd,
  type TestDaemon,
  type TestOrchestrator,
} from '../helpers/daemon.js';
import { videoPackets } from '../helpers/ffprobe.js';
import { parseMediaPlaylist } from '../helpers/hls.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';
import { ffmpegMentioning } from '../helpers/procs.js';
import { readProcStat } from '../../src/process/proc-stat.js';

const SEGMENT = 4;
const FPS = 24;
const IDLE_SECONDS = 3;
// keep_minutes 0.25 = 15 s after the parking (or the last request).
const KEEP_MS = 15_000;

describe('a job nobody watches is parked, not cancelled', () => {
  let d: TestDaemon;
  let orchestrator: TestOrchestrator;
  const out = mkdtempSync(path.join(tmpdir(), 'tw-park-'));

  before(async () => {
    // Made before the daemon starts: generating media blocks this process's event loop.
    const mount = makeMountDir();
    copyFileSync(
      await makeMedia({ seconds: 300, width: 320, height: 180, rate: FPS }),
      path.join(mount, 'film.mp4'),
    );
    orchestrator = await startOrchestrator();
    d = await startTestDaemon(
      testConfig(mount, {
        jobs: { idle_cancel_seconds: IDLE_SECONDS },
        streams: { keep_minutes: KEEP_MS / 60_000 },
        orchestrator: { url: orchestrator.url, token: 'o-token-0123456789', heartbeat_interval_seconds: 0.5 },
      }),
      { measureSpeed: false },
    );
  });
  after(async () => {
    await d.stop();
    await orchestrator.close();
  });

  const post = async (id: string, extra: Record<string, unknown> = {}): Promise<void> => {
    const res = await d.api('POST', '/jobs', {
      id,
      input: 'film.mp4',
      video: { codec: 'h264', height: 144 },
      segmentSeconds: SEGMENT,
      ...extra,
    });
    assert.equal(res.status, 202, await res.text());
  };
  const view = async (id: string): Promise<JobView> =>
    (await (await d.api('GET', `/jobs/${id}`)).json()) as JobView;
  const get = async (id: string, name: string): Promise<Response> => {
    const res = await fetch(`${d.localUrl}/streams/${id}/${name}`);
    return res;
  };
  const segment = async (id: string, k: number): Promise<Buffer> => {
    const res = await get(id, `seg-${k}.ts`);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, `seg-${k} of ${id}: ${res.status}`);
    return body;
  };
  /** Waits until the job is parked; a job that ends instead (cancelled as idle before issue 15) fails at once. */
  const parkedSoon = (id: string): Promise<void> =>
    waitFor(
      async () => {
        const v = await view(id);
        if (v.status !== 'running')
          throw new Error(`${id} ended: ${v.status} (${v.cancelReason ?? v.error ?? ''})`);
        return v.parked;
      },
      20_000,
      `${id} to be parked`,
    );
  const lastBeatJobs = (): Record<string, unknown> =>
    (orchestrator.beats.at(-1)?.body.jobs ?? {}) as Record<string, unknown>;

  it('pauses for longer than the idle limit, then plays on: parked with no FFmpeg, a far segment still comes', async () => {
    await post('pause');
    const playlistBefore = await (await get('pause', 'stream.m3u8')).text();
    await segment('pause', 1);
    const marker = path.join('streams', 'pause');
    await parkedSoon('pause');
    // Its heads were told to stop as it was parked: reaped within FFmpeg's own exit time.
    await waitFor(async () => (await view('pause')).heads.length === 0, 5000, 'its heads to end');
    const parked = await view('pause');
    assert.equal(parked.status, 'running', 'parked is not a status');
    assert.ok(parked.parkedAt !== null && Date.parse(parked.parkedAt) > 0);
    assert.equal(parked.cost, 0, 'a parked job weighs nothing on max_jobs');
    await waitFor(() => ffmpegMentioning(marker).length === 0, 5000, 'its FFmpeg to be gone');
    await waitFor(() => lastBeatJobs().parked === 1, 5000, 'the heartbeat to count it parked');
    // The VOD playlist stays the complete one while parked.
    const playlist = await (await get('pause', 'stream.m3u8')).text();
    assert.equal(playlist, playlistBefore);
    const listed = parseMediaPlaylist(playlist);
    assert.ok(listed.ended);
    assert.equal(listed.segments.length, 300 / SEGMENT);
    // The viewer comes back and jumps far: a head starts there as a seek does, the segment is whole.
    const body = await segment('pause', 25);
    const file = path.join(out, 'seg-25.ts');
    writeFileSync(file, body);
    assert.equal((await videoPackets(file)).length, SEGMENT * FPS, 'a whole segment');
    const back = await view('pause');
    assert.equal(back.parked, false);
    assert.equal(back.parkedAt, null);
    assert.ok(
      back.heads.some((h) => h.start === 25),
      `a head at 25 (${JSON.stringify(back.heads)})`,
    );
    assert.ok(ffmpegMentioning(marker).length > 0, 'an FFmpeg runs again');
    // Segments made before the pause are still served.
    await segment('pause', 0);
    const res = await d.api('DELETE', '/jobs/pause');
    assert.equal(res.status, 200);
  });

  it('ends a parked job keep_minutes after its parking: cancelled (idle), its stream removed', async () => {
    await post('gone');
    await segment('gone', 0);
    await parkedSoon('gone');
    const parkedAt = Date.parse((await view('gone')).parkedAt ?? '');
    // No status polls count as watching; the sweep ends it once keep_minutes have passed.
    const ended = await waitForJobEnd(d, 'gone', KEEP_MS + 15_000);
    assert.equal(ended.status, 'cancelled');
    assert.equal(ended.cancelReason, 'idle');
    assert.equal(ended.parked, false);
    assert.ok(Date.now() - parkedAt >= KEEP_MS - 100, `ended ${Date.now() - parkedAt} ms after parking`);
    await waitFor(
      () => !existsSync(path.join(d.config.workDir, 'streams', 'gone')),
      5000,
      'its folder to go',
    );
    assert.equal((await get('gone', 'seg-0.ts')).status, 404);
  });

  it('DELETE ends a parked job at once', async () => {
    await post('drop');
    await segment('drop', 0);
    await parkedSoon('drop');
    const res = await d.api('DELETE', '/jobs/drop');
    assert.equal(res.status, 200);
    const v = (await res.json()) as JobView;
    assert.equal(v.status, 'cancelled');
    assert.equal(v.cancelReason, 'cancelled by request');
  });

  it('an event playlist is parked with its head paused, and goes on at the next request', async () => {
    // Throttling is off for event streams: only the parking pauses it.
    await post('event', { playlist: 'event' });
    const first = await get('event', 'stream.m3u8');
    assert.equal(first.status, 200);
    const listedBefore = parseMediaPlaylist(await first.text()).segments.length;
    await parkedSoon('event');
    const pid = d.jobs.pids().event ?? -1;
    // SIGSTOP takes effect when the target next runs (a runnable FFmpeg waiting for a core still reads R): wait for it.
    await waitFor(
      () => (readProcStat(pid)?.state ?? 'gone') === 'T',
      2000,
      'its FFmpeg to be paused (SIGSTOP)',
    );
    const parked = await view('event');
    assert.equal(parked.status, 'running');
    assert.equal(parked.cost, 0);
    // The player polls its playlist again: the same FFmpeg goes on, and the playlist grows.
    const again = await get('event', 'stream.m3u8');
    assert.equal(again.status, 200);
    await again.arrayBuffer();
    assert.equal((await view('event')).parked, false);
    assert.notEqual(readProcStat(pid)?.state ?? 'gone', 'T');
    await waitFor(
      async () =>
        parseMediaPlaylist(await (await get('event', 'stream.m3u8')).text()).segments.length > listedBefore,
      20_000,
      'the event playlist to grow',
    );
    await d.api('DELETE', '/jobs/event');
    assert.equal(readProcStat(pid)?.state ?? 'gone', 'gone');
  });
});
