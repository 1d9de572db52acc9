// A job's subtitle renditions end to end: the master lists the source's text tracks, their playlists follow the
// video's segments, every segment is strict WebVTT carrying the source's cues for its window (real FFmpeg, HTTP).
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestDaemon, testConfig, waitForJobEnd, type TestDaemon } from '../helpers/daemon.js';
import { fetchBytes, parseMediaPlaylist } from '../helpers/hls.js';
import { makeMountDir, makeSubtitledMedia, sourceCues } from '../helpers/media.js';
import { ffmpegMentioning } from '../helpers/procs.js';
import { checkWebVtt } from '../helpers/webvtt.js';

const SECONDS = 12;

describe('subtitle renditions of a job', () => {
  let d: TestDaemon;
  let mount = '';
  before(async () => {
    mount = makeMountDir();
    copyFileSync(await makeSubtitledMedia({ seconds: SECONDS }), path.join(mount, 'film.mkv'));
    d = await startTestDaemon(testConfig(mount));
  });
  after(async () => {
    await d.stop();
  });

  const text = async (url: string): Promise<string> => (await fetchBytes(url)).toString('utf8');

  it('lists each text track in the master and serves its cues, segment by segment, as WebVTT', async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'subs',
      input: 'film.mkv',
      video: { codec: 'h264', height: 180 },
      variants: [
        { height: 180, bitrateKbps: 300 },
        { height: 144, bitrateKbps: 200 },
      ],
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    const base = `${d.localUrl}/streams/subs`;
    const master = await text(`${base}/master.m3u8`);
    const media = master.split('\n').filter((l) => l.startsWith('#EXT-X-MEDIA:TYPE=SUBTITLES'));
    assert.equal(media.length, 2, master);
    assert.match(
      media[0] ?? '',
      /NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,FORCED=NO,URI="s0.m3u8"/,
    );
    assert.match(
      media[1] ?? '',
      /NAME="Français",LANGUAGE="fr",DEFAULT=NO,AUTOSELECT=YES,FORCED=YES,URI="s1.m3u8"/,
    );
    const infs = master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:'));
    assert.equal(infs.length, 2);
    for (const inf of infs) assert.match(inf, /SUBTITLES="subs"/);

    const video = parseMediaPlaylist(await text(`${base}/v0.m3u8`));
    for (const [track, lang] of [
      [0, 'eng'],
      [1, 'fra'],
    ] as const) {
      const subs = parseMediaPlaylist(await text(`${base}/s${track}.m3u8`));
      assert.ok(subs.ended);
      assert.deepEqual(
        subs.segments.map((s) => s.duration),
        video.segments.map((s) => s.duration),
        'subtitle segments follow the video segments',
      );
      const seen = new Map<string, { start: number; end: number }>();
      let from = 0;
      for (const [k, s] of subs.segments.entries()) {
        const vtt = checkWebVtt(await text(`${base}/${s.uri}`));
        assert.equal(vtt.mpegts, 216000, 'MPEG-TS video: the 1 s base plus the muxer 1.4 s');
        for (const cue of vtt.cues) {
          // A cue is in every segment it overlaps, and only there.
          assert.ok(
            cue.start < from + s.duration + 0.1 && cue.end > from - 0.1,
            `${cue.text} in segment ${k}`,
          );
          seen.set(cue.text, cue);
        }
        from += s.duration;
      }
      // Every cue of the source, at its own time on the extraction's timeline: the source's, offset by where the
      // file's timestamps start (here the MKV's video starts 21 ms in), the same for every cue.
      const expected = sourceCues(SECONDS, lang);
      assert.deepEqual([...seen.keys()].sort(), expected.map((c) => c.text).sort());
      const first = expected[0];
      const shift = (seen.get(first?.text ?? '')?.start ?? NaN) - (first?.start ?? NaN);
      assert.ok(Math.abs(shift) < 0.05, `cues ${shift} s off the source`);
      for (const c of expected) {
        const got = seen.get(c.text);
        assert.ok(got !== undefined);
        assert.ok(
          Math.abs(got.start - c.start - shift) < 0.002 && Math.abs(got.end - c.end - shift) < 0.002,
          c.text,
        );
      }
    }
    const done = await waitForJobEnd(d, 'subs', 60_000);
    assert.equal(done.status, 'completed', done.error);
    assert.deepEqual(ffmpegMentioning('film.mkv'), [], 'no FFmpeg left: heads and the extraction are gone');
  });

  it('a file of a track the source does not have answers 404, a cancelled job leaves no extraction', async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'gone',
      input: 'film.mkv',
      video: { codec: 'h264', height: 180 },
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    assert.equal((await fetch(`${d.localUrl}/streams/gone/s2.m3u8`)).status, 404);
    assert.equal((await fetch(`${d.localUrl}/streams/gone/s0-99.vtt`)).status, 404);
    assert.equal((await fetch(`${d.localUrl}/streams/gone/s0-0.vtt`)).status, 200);
    await d.api('DELETE', '/jobs/gone');
    assert.deepEqual(ffmpegMentioning('film.mkv'), []);
  });
});
