// VOD playlists, seeking with encoder heads, and throttling: real FFmpeg on a generated one-minute film.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobView } from '../../src/contract/job-view.js';
import { startTestDaemon, testConfig, waitFor, waitForJobEnd, type TestDaemon } from '../helpers/daemon.js';
import { firstVideoPts, videoPackets, videoStreamDuration } from '../helpers/ffprobe.js';
import { parseMediaPlaylist } from '../helpers/hls.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';
import { ffmpegMentioning } from '../helpers/procs.js';
import { readProcStat } from '../../src/process/proc-stat.js';

const SEGMENT = 2;
const FRAME = 1001 / 24000;

describe('VOD playlists, seek heads and throttling', () => {
  let d: TestDaemon;
  let mount: string;
  const out = mkdtempSync(path.join(tmpdir(), 'tw-seek-'));
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
  const segment = async (id: string, k: number): Promise<Buffer> => {
    const res = await fetch(`${d.localUrl}/streams/${id}/seg-${k}.ts`);
    assert.equal(res.status, 200, `seg-${k} of ${id}: ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };

  before(async () => {
    mount = makeMountDir();
    copyFileSync(
      await makeMedia({ seconds: 60, width: 320, height: 180, rate: '24000/1001' }),
      path.join(mount, 'film.mp4'),
    );
    d = await startTestDaemon(
      testConfig(mount, {
        seek: { ahead_segments: 5, max_heads: 2, idle_seconds: 60 },
        throttle: { ahead_seconds: 5 * SEGMENT },
      }),
    );
  });
  after(async () => {
    await d.stop();
  });

  it('serves the whole film as a VOD playlist at once, durations summing to the source', async () => {
    await post('vod');
    const started = performance.now();
    const res = await fetch(`${d.localUrl}/streams/vod/stream.m3u8`);
    const ms = performance.now() - started;
    assert.equal(res.status, 200);
    const playlist = parseMediaPlaylist(await res.text());
    assert.match(playlist.text, /#EXT-X-PLAYLIST-TYPE:VOD/);
    assert.ok(playlist.ended);
    assert.equal(playlist.segments.length, 30);
    const total = playlist.segments.reduce((a, s) => a + s.duration, 0);
    const source = await videoStreamDuration(path.join(mount, 'film.mp4'));
    assert.ok(Math.abs(total - source) <= FRAME, `total ${total} against ${source}`);
    // Not a timing test: only a sanity bound far above the 200 ms target (the bench measures it).
    assert.ok(ms < 5000, `playlist took ${ms} ms`);
    await d.api('DELETE', '/jobs/vod');
  });

  it('follows a viewer who plays, jumps to 70 %, then back to 10 %: every segment, at most two heads', async () => {
    await post('seq');
    let maxHeads = 0;
    const starts = new Set<number>();
    const watching = new AbortController();
    const watcher = (async () => {
      while (!watching.signal.aborted) {
        const v = await view('seq');
        maxHeads = Math.max(maxHeads, v.heads.length);
        for (const h of v.heads) starts.add(h.start);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      for (const k of [0, 1, 2, 3]) await segment('seq', k);
      // Asking for segment 0 at once (the source's probe is cached by now) must not start a second head at 0.
      assert.deepEqual(
        (await view('seq')).heads.map((h) => h.start),
        [0],
      );
      for (const k of [21, 22, 23]) {
        const body = await segment('seq', k);
        if (k === 21) writeFileSync(path.join(out, 'seek-21.ts'), body);
      }
      for (const k of [3, 4, 5]) await segment('seq', k);
    } finally {
      watching.abort();
      await watcher;
    }
    assert.ok(maxHeads <= 2, `${maxHeads} heads at once`);
    assert.ok(starts.has(21), `a head started at the seek point (starts seen: ${[...starts].join(',')})`);
    await d.api('DELETE', '/jobs/seq');
  });

  it('makes a seek head segment interchangeable with a head-at-0 one: same first PTS and duration', async () => {
    await post('ref', { prepare: true });
    const done = await waitForJobEnd(d, 'ref', 60_000);
    assert.equal(done.status, 'completed', done.error);
    const fromZero = path.join(out, 'zero-21.ts');
    writeFileSync(fromZero, await segment('ref', 21));
    const fromSeek = path.join(out, 'seek-21.ts');
    assert.ok(
      Math.abs((await firstVideoPts(fromSeek)) - (await firstVideoPts(fromZero))) < 1e-3,
      'same first PTS',
    );
    const frames = async (file: string): Promise<number> => (await videoPackets(file)).length;
    assert.equal(await frames(fromSeek), await frames(fromZero), 'same number of frames (same duration)');
    assert.ok((await videoPackets(fromSeek))[0]?.key, 'the seek head segment starts on a keyframe');
  });

  it('moves a seek head fMP4 segment to the film timeline: same decode times as a head at 0', async () => {
    const fetchFile = async (id: string, name: string): Promise<Buffer> => {
      const res = await fetch(`${d.localUrl}/streams/${id}/${name}`);
      assert.equal(res.status, 200, `${name} of ${id}: ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    };
    await post('fseek', { container: 'fmp4' });
    // Segment 21 at once: nothing near it, so a seek head makes it.
    const seekBody = await fetchFile('fseek', 'seg-21.m4s');
    const starts = (await view('fseek')).heads.map((h) => h.start);
    assert.ok(starts.includes(21), `a head at 21 (${starts.join(',')})`);
    const seekInit = await fetchFile('fseek', 'init.mp4');
    await d.api('DELETE', '/jobs/fseek');
    await post('fref', { container: 'fmp4', prepare: true });
    const done = await waitForJobEnd(d, 'fref', 60_000);
    assert.equal(done.status, 'completed', done.error);
    const zeroInit = await fetchFile('fref', 'init.mp4');
    const zeroBody = await fetchFile('fref', 'seg-21.m4s');
    // Each segment behind its stream's init, as a player reads it.
    const fromSeek = path.join(out, 'fseek-21.mp4');
    const fromZero = path.join(out, 'fzero-21.mp4');
    writeFileSync(fromSeek, Buffer.concat([seekInit, seekBody]));
    writeFileSync(fromZero, Buffer.concat([zeroInit, zeroBody]));
    assert.ok(
      (await firstVideoPts(fromZero)) > 40,
      `segment 21 is 42 s in (${await firstVideoPts(fromZero)})`,
    );
    assert.ok(
      Math.abs((await firstVideoPts(fromSeek)) - (await firstVideoPts(fromZero))) < 1e-3,
      `same first PTS: ${await firstVideoPts(fromSeek)} against ${await firstVideoPts(fromZero)}`,
    );
    assert.equal((await videoPackets(fromSeek)).length, (await videoPackets(fromZero)).length, 'same frames');
  });

  it('pauses a head far ahead of its viewer (state T), resumes it as the viewer nears, cancels it paused', async () => {
    await post('thr');
    await segment('thr', 0);
    await waitFor(async () => (await view('thr')).throttled, 30_000, 'the head to pause');
    const pid = d.jobs.pids().thr ?? -1;
    assert.equal(readProcStat(pid)?.state ?? 'gone', 'T', 'a paused head is stopped (SIGSTOP)');
    assert.equal(d.jobs.headCounts().throttled, 1);
    const paused = (await view('thr')).heads[0];
    assert.ok(paused !== undefined && paused.throttled);
    // The viewer comes within half the window: the head goes on.
    await segment('thr', paused.next - 2);
    await waitFor(async () => !(await view('thr')).throttled, 10_000, 'the head to resume');
    assert.notEqual(readProcStat(pid)?.state ?? 'gone', 'T');
    // And pauses again once it is far enough ahead; cancel must still end it.
    await waitFor(async () => (await view('thr')).throttled, 30_000, 'the head to pause again');
    assert.equal(readProcStat(pid)?.state ?? 'gone', 'T');
    const res = await d.api('DELETE', '/jobs/thr');
    assert.equal(res.status, 200);
    assert.equal(readProcStat(pid)?.state ?? 'gone', 'gone', 'the paused FFmpeg was reaped');
    assert.deepEqual(ffmpegMentioning(path.join('streams', 'thr')), []);
  });
});
