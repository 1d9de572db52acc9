// Each kind of stream the worker makes plays to the end in GStreamer, through both of its HLS demuxers (hlsdemux
// under playbin, hlsdemux2 under playbin3): every frame decoded, at the size asked, with its audio.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestDaemon, testConfig, waitFor, waitForJobEnd, type TestDaemon } from '../helpers/daemon.js';
import { videoFacts, videoPackets } from '../helpers/ffprobe.js';
import {
  describePlayback,
  GST_PLAYERS,
  playToEnd,
  startPlayback,
  type GstPlayer,
  type Playback,
  type PlaybackReport,
} from '../helpers/gstreamer.js';
import { fetchBytes, parseMediaPlaylist } from '../helpers/hls.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';

const SOURCE = 'film.mp4';
const DEMUXER: Readonly<Record<GstPlayer, string>> = { playbin: 'hlsdemux', playbin3: 'hlsdemux2' };

/** SIGCONT to a process group that may have ended meanwhile. */
function resume(pid: number): void {
  try {
    process.kill(-pid, 'SIGCONT');
  } catch {
    // gone: nothing to continue
  }
}

interface Expected {
  readonly codec: 'h264' | 'hevc';
  /** Decoded picture sizes the player may show ("640x360"); an ABR master lists each variant's. */
  readonly sizes: readonly string[];
}

describe('GStreamer plays every kind of stream to the end', () => {
  let d: TestDaemon;
  let frames = 0;
  let durationMs = 0;
  before(async () => {
    const mount = makeMountDir();
    // 10 s of 640x360 at 30 fps with a tone: 300 frames.
    const source = await makeMedia({ seconds: 10, width: 640, height: 360, rate: 30 });
    copyFileSync(source, path.join(mount, SOURCE));
    frames = (await videoPackets(source)).length;
    durationMs = (await videoFacts(source)).duration * 1000;
    d = await startTestDaemon(testConfig(mount));
  });
  after(async () => {
    await d.stop();
  });

  /** POSTs a job on the test source; the playlist URL it answers (the master playlist for variants). */
  async function post(id: string, body: Record<string, unknown>): Promise<string> {
    const res = await d.api('POST', '/jobs', { id, input: SOURCE, ...body });
    const text = await res.text();
    assert.equal(res.status, 202, text);
    return (JSON.parse(text) as { playlistUrl: string }).playlistUrl;
  }

  /**
   * An event job (1 s segments, 180p) whose FFmpeg is held (SIGSTOP to its group) the moment its own playlist lists
   * `segments` segments: its playlist URL and FFmpeg's pid, for `resume`. Held on FFmpeg's playlist, not on the
   * segment file: FFmpeg renames the segment first and writes the playlist after, and the worker takes an event
   * segment's duration from that playlist, so a hold between the two would keep the segment unlisted.
   */
  async function heldEvent(
    id: string,
    segments: number,
  ): Promise<{ url: string; pid: number; held: Promise<number> }> {
    const url = await post(id, {
      video: { codec: 'h264', height: 180 },
      segmentSeconds: 1,
      playlist: 'event',
    });
    const stream = d.jobs.stream(id);
    let onHeld: (listed: number) => void = () => undefined;
    const held = new Promise<number>((resolve) => (onHeld = resolve));
    let holding = false;
    const listedIn = (file: string): number | null => {
      try {
        return parseMediaPlaylist(readFileSync(file, 'utf8')).segments.length;
      } catch {
        return null; // replaced again meanwhile: the next event reads it
      }
    };
    stream?.arrivals.listen((name) => {
      const running = d.jobs.pids()[id];
      if (holding || !/^h\d+\.m3u8$/.test(name) || running === undefined) return;
      const file = path.join(stream.dir, name);
      if ((listedIn(file) ?? 0) < segments) return;
      holding = true;
      process.kill(-running, 'SIGSTOP');
      // What it lists once held: on a loaded machine FFmpeg may have gone a segment further before the signal.
      onHeld(listedIn(file) ?? segments);
    });
    let pid = 0;
    await waitFor(() => (pid = d.jobs.pids()[id] ?? 0) > 0, 10_000, `FFmpeg of ${id}`);
    return { url, pid, held };
  }

  /** Playlist answers the worker has sent so far (its own counter in /metrics). */
  async function playlistsServed(): Promise<number> {
    const text = await (await d.api('GET', '/metrics')).text();
    return Number(/^transcode_worker_stream_files_served_total\{kind="playlist"\} (\d+)$/m.exec(text)?.[1]);
  }

  /** What each playback must show: EOS without an error, every frame and the audio, decoded at the expected caps. */
  function assertPlayed(r: PlaybackReport, want: Expected, skippedAtMost = 0): void {
    const said = describePlayback(r);
    assert.ok(!r.timedOut && r.exitCode === 0 && r.eos, said);
    assert.deepEqual(r.errors, [], said);
    assert.equal(r.demuxer, DEMUXER[r.player], said);
    assert.equal(r.video?.codec, want.codec, said);
    assert.ok(r.videoSizes.length > 0 && r.videoSizes.every((s) => want.sizes.includes(s)), said);
    if (skippedAtMost === 0) assert.equal(r.videoFrames, frames, said);
    else assert.ok(r.videoFrames <= frames && r.videoFrames >= frames - skippedAtMost, said);
    assert.equal(r.audio?.codec, 'aac', said);
    assert.ok(Math.abs(r.audioMs - (durationMs * r.videoFrames) / frames) <= 100, said);
  }

  /** Plays the stream to the end with each player in turn (the first while the worker may still be making it). */
  async function assertPlaysEverywhere(url: string, want: Expected): Promise<void> {
    for (const player of GST_PLAYERS) assertPlayed(await playToEnd(url, player), want);
  }

  it('H.264 in MPEG-TS (the default request)', async () => {
    const url = await post('h264', { video: { codec: 'h264' } });
    await assertPlaysEverywhere(url, { codec: 'h264', sizes: ['640x360'] });
    assert.equal((await waitForJobEnd(d, 'h264')).status, 'completed');
  });

  it('a stream copy (direct stream), cut at the source keyframes', async () => {
    const url = await post('copy', { video: { codec: 'copy' }, segmentSeconds: 2 });
    await assertPlaysEverywhere(url, { codec: 'h264', sizes: ['640x360'] });
    assert.equal((await waitForJobEnd(d, 'copy')).output?.video.copied, true);
  });

  it('HEVC in fMP4 (init segment, hvc1), at the requested height', async () => {
    const url = await post('hevc', { video: { codec: 'hevc', height: 240 }, segmentSeconds: 2 });
    await assertPlaysEverywhere(url, { codec: 'hevc', sizes: ['426x240'] });
    assert.equal((await waitForJobEnd(d, 'hevc')).output?.container, 'fmp4');
  });

  it('H.264 in fMP4', async () => {
    const url = await post('h264-fmp4', { video: { codec: 'h264', height: 180 }, container: 'fmp4' });
    await assertPlaysEverywhere(url, { codec: 'h264', sizes: ['320x180'] });
  });

  it('an ABR ladder with the original (copy) beside two encodes, through its master playlist', async () => {
    const url = await post('ladder', {
      video: { codec: 'h264' },
      variants: [{ codec: 'copy' }, { height: 360, bitrateKbps: 900 }, { height: 180, bitrateKbps: 300 }],
      segmentSeconds: 2,
    });
    assert.match(url, /master\.m3u8$/);
    // Whichever variants the player picks and switches between, every frame comes once, at one of their sizes.
    await assertPlaysEverywhere(url, { codec: 'h264', sizes: ['640x360', '320x180'] });
    assert.equal((await waitForJobEnd(d, 'ladder')).status, 'completed');
  });

  it('answers GStreamer the first event playlist once two segments are listed, other players at once', async () => {
    const count = (text: string): number => parseMediaPlaylist(text).segments.length;
    // FFmpeg is held the moment its playlist lists the first segment. On a loaded machine it may have finished the
    // second before the signal lands: that job cannot show the hold, so it is cancelled and another one held.
    for (let attempt = 1; ; attempt++) {
      const id = `event-one-${attempt}`;
      const { url, pid, held } = await heldEvent(id, 1);
      try {
        const listed = await held;
        await waitFor(
          async () => count((await fetchBytes(url)).toString('utf8')) === listed,
          10_000,
          'the hold',
        );
        if (listed > 1 && attempt < 3) {
          await d.api('DELETE', `/jobs/${id}`);
          continue;
        }
        assert.equal(listed, 1, 'held with one segment listed');
        let answered = false;
        const gst = fetch(url, {
          headers: { 'user-agent': 'GStreamer souphttpsrc 1.22.0 libsoup/3.2.2' },
        }).then(async (r) => {
          answered = true;
          return r.text();
        });
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(answered, false, 'GStreamer waits while one segment is listed');
        assert.equal(count((await fetchBytes(url)).toString('utf8')), 1, 'any other player gets it at once');
        resume(pid);
        assert.ok(count(await gst) >= 2, 'GStreamer gets two once the second is out');
      } finally {
        resume(pid);
      }
      assert.equal((await waitForJobEnd(d, id)).status, 'completed');
      return;
    }
  });

  it('an event playlist followed from its start, while it is made, to #EXT-X-ENDLIST', async () => {
    for (const player of GST_PLAYERS) {
      const id = `event-${player}`;
      // FFmpeg is held the moment it publishes its third segment, so the player starts on an unfinished playlist of
      // two or three. Not one: hlsdemux2 1.22.0 cannot match a reloaded one-segment playlist with the one before
      // (its sync loop skips index 0), seeks to the live edge, fails and stalls for good.
      const { url, pid } = await heldEvent(id, 3);
      let playback: Playback | null = null;
      try {
        let listed = parseMediaPlaylist('');
        await waitFor(
          async () =>
            (listed = parseMediaPlaylist((await fetchBytes(url)).toString('utf8'))).segments.length >= 2,
          10_000,
          'two segments listed',
        );
        assert.ok(!listed.ended, `the playlist is still growing: ${listed.segments.length} segments`);
        const before = await playlistsServed();
        const started = startPlayback(url, player);
        playback = started;
        // It decodes what is listed and fetches the unchanged playlist again: the rest comes once FFmpeg goes on.
        await waitFor(
          async () => started.decoding() && (await playlistsServed()) >= before + 2,
          10_000,
          `${player} to decode the first segments and reload the playlist`,
        );
        resume(pid);
        // A live (event) playlist may be joined past its first segment: RFC 8216 §6.3.3 has players start three
        // target durations from the end, and hlsdemux2 does when three are listed. From there on, every frame.
        const joinable = Math.max(0, listed.segments.length - 1);
        assertPlayed(await started.done, { codec: 'h264', sizes: ['320x180'] }, joinable * (frames / 10));
      } finally {
        resume(pid);
        await playback?.stop();
      }
      const done = await waitForJobEnd(d, id);
      assert.equal(done.status, 'completed', done.error);
    }
  });
});
