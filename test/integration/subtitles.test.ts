// Subtitle renditions from a real MKV (SRT + ASS) with real FFmpeg: cues in the segments of their time, segments
// composed while the film is still being read, nothing left running after stop(), a bad track costing only itself.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PidRecords } from '../../src/ffmpeg/pid-records.js';
import { chooseLauncher } from '../../src/ffmpeg/process.js';
import { segmentWindow } from '../../src/hls/subtitle-playlist.js';
import { tsTimestampMap } from '../../src/hls/subtitle-timing.js';
import { SubtitleRenditions, type SubtitleDeps } from '../../src/stream/subtitle-renditions.js';
import { createLogger } from '../../src/log.js';
import { probeSource, type SourceInfo } from '../../src/media/source-info.js';
import type { SubtitleTrack } from '../../src/media/subtitle-track.js';
import { runCommand } from '../../src/process/run-command.js';
import { pidAlive, waitFor } from '../helpers/daemon.js';
import { makeSubtitledMedia, sourceCues } from '../helpers/media.js';
import { ffmpegMentioning } from '../helpers/procs.js';
import { checkWebVtt } from '../helpers/webvtt.js';

const SECONDS = 12;
const SEGMENT = 2;
const DURATIONS = Array.from({ length: SECONDS / SEGMENT }, () => SEGMENT);

describe('subtitle renditions', () => {
  let source = '';
  let info: SourceInfo;
  let work = '';
  let records: PidRecords;

  const deps = (ffmpegPath = 'ffmpeg'): SubtitleDeps => ({
    launcher: chooseLauncher(process.platform, 10, (c) => existsSync(`/usr/bin/${c}`)),
    ffmpegPath,
    pidRecords: records,
    log: createLogger('silent'),
  });

  const renditions = (tracks: readonly SubtitleTrack[], ffmpegPath?: string): SubtitleRenditions =>
    new SubtitleRenditions(deps(ffmpegPath), {
      jobId: 'subs',
      inputPath: source,
      dir: mkdtempSync(path.join(work, 'stream-')),
      videoIndex: info.video?.index ?? 0,
      tracks,
      timestampMap: () => Promise.resolve(tsTimestampMap()),
      waitMs: 20_000,
    });

  const pidFiles = (): string[] => readdirSync(path.join(work, 'pids'));

  before(async () => {
    source = await makeSubtitledMedia({ seconds: SECONDS });
    work = mkdtempSync(path.join(tmpdir(), 'tw-subs-'));
    records = new PidRecords(work);
    const probe = await probeSource(runCommand, 'ffprobe', source);
    assert.ok(probe.ok, probe.ok ? '' : probe.reason);
    info = probe.info;
  });
  after(() => {
    assert.deepEqual(ffmpegMentioning(work), [], 'no extraction outlives its test');
  });

  it('probes the SRT and ASS tracks with language, title and flags', () => {
    assert.deepEqual(
      info.subtitleTracks.map(({ codec, language, title, default: isDefault, forced, text }) => ({
        codec,
        language,
        title,
        isDefault,
        forced,
        text,
      })),
      [
        { codec: 'subrip', language: 'eng', title: 'English', isDefault: true, forced: false, text: true },
        { codec: 'ass', language: 'fra', title: 'Français', isDefault: false, forced: true, text: true },
      ],
    );
  });

  it("puts every cue, at the source's time, into each segment it is shown in (a boundary-spanning one in both)", async () => {
    const subs = renditions(info.subtitleTracks);
    assert.deepEqual(
      subs.renditions().map((r) => [r.id, r.name, r.language, r.default, r.forced, r.playlist]),
      [
        [0, 'English', 'eng', true, false, 's0.m3u8'],
        [1, 'Français', 'fra', false, true, 's1.m3u8'],
      ],
    );
    subs.start();
    try {
      // The MKV shifted every stream by the AAC priming: its video, and so each cue, starts that much later.
      const shift = info.video?.startSeconds ?? 0;
      assert.ok(shift > 0.01 && shift < 0.05, `the source's video starts at ${shift} s`);
      for (const [j, lang] of ['eng', 'fra'].entries()) {
        const expected = sourceCues(SECONDS, lang).map((c) => ({
          ...c,
          start: c.start + shift,
          end: c.end + shift,
        }));
        assert.ok(expected.length >= 5);
        let spanning = 0;
        for (let k = 0; k < DURATIONS.length; k++) {
          const window = segmentWindow(DURATIONS, k);
          assert.ok(window !== null);
          const text = await subs.segment(j, window);
          assert.ok(text !== null, `segment ${k} of track ${j}`);
          const vtt = checkWebVtt(text);
          assert.equal(vtt.mpegts, 216000);
          assert.equal(vtt.local, 0);
          // Segment k holds what is shown during [2k, 2k + 2), the first from the start, the last to the end.
          const from = k === 0 ? -Infinity : k * SEGMENT;
          const to = k === DURATIONS.length - 1 ? Infinity : (k + 1) * SEGMENT;
          const want = expected.filter((c) => c.start < to && c.end > from);
          spanning += want.filter((c) => c.start < k * SEGMENT).length;
          assert.deepEqual(
            vtt.cues.map((c) => c.text),
            want.map((c) => c.text),
            `track ${j} segment ${k}`,
          );
          for (const [i, c] of vtt.cues.entries()) {
            assert.ok(Math.abs(c.start - (want[i]?.start ?? NaN)) < 0.002, `${c.text} starts at ${c.start}`);
            assert.ok(Math.abs(c.end - (want[i]?.end ?? NaN)) < 0.002, `${c.text} ends at ${c.end}`);
          }
        }
        assert.ok(spanning >= 2, 'some cues span a segment boundary and are in both segments');
      }
      assert.equal(
        subs
          .playlist(1, DURATIONS)
          ?.split('\n')
          .filter((l) => l.startsWith('s1-')).length,
        6,
      );
      assert.equal(subs.playlist(2, DURATIONS), null, 'no third rendition');
      assert.equal(await subs.segment(2, { from: 0, to: 2 }), null);
    } finally {
      await subs.stop();
    }
    assert.deepEqual(subs.pids(), []);
    assert.deepEqual(pidFiles(), [], 'its pid record is gone');
  });

  it('composes a segment while the film is still being read, and stop() leaves no FFmpeg behind', async () => {
    // FFmpeg reading at 4× real time: the 12 s film takes 3 s, long enough to ask and stop in between.
    const slow = path.join(work, 'ffmpeg-readrate');
    writeFileSync(slow, '#!/bin/sh\nexec ffmpeg -readrate 4 "$@"\n');
    chmodSync(slow, 0o755);
    const subs = renditions(info.subtitleTracks, slow);
    subs.start();
    let stopped = false;
    try {
      const early = await subs.segment(0, { from: 2, to: 4 });
      const [pid] = subs.pids();
      assert.ok(pid !== undefined && pidAlive(pid), 'the extraction still runs');
      assert.deepEqual(pidFiles(), [`subs.${pid}.json`], 'its pid is recorded');
      assert.equal(ffmpegMentioning(work).length, 1);
      assert.deepEqual(
        checkWebVtt(early ?? '').cues.map((c) => c.text),
        ['eng 1.000', 'eng 3.000'],
      );
      // The last segment waits for the end of the film; stop() answers it with null.
      const last = subs.segment(0, { from: 10, to: Infinity });
      await subs.stop();
      stopped = true;
      assert.equal(await last, null);
      assert.equal(pidAlive(pid), false, 'the extraction was stopped and reaped');
      assert.deepEqual(ffmpegMentioning(work), []);
      assert.deepEqual(pidFiles(), []);
      await subs.stop();
    } finally {
      if (!stopped) await subs.stop();
    }
  });

  it('gives a track that cannot be extracted no cues, keeps the others, and never throws', async () => {
    const bad: SubtitleTrack = {
      index: 99,
      codec: 'subrip',
      language: 'deu',
      title: null,
      default: false,
      forced: false,
      text: true,
    };
    const subs = renditions([info.subtitleTracks[0] as SubtitleTrack, bad]);
    subs.start();
    try {
      await subs.finished();
      assert.deepEqual(subs.pids(), [], 'finished: nothing runs');
      const whole = { from: -Infinity, to: Infinity };
      const good = checkWebVtt((await subs.segment(0, whole)) ?? '');
      assert.equal(good.cues.length, sourceCues(SECONDS, 'eng').length, 'the good track has all its cues');
      const none = checkWebVtt((await subs.segment(1, whole)) ?? '');
      assert.deepEqual(none.cues, [], 'the bad track is a valid file without cues');
      assert.equal(subs.renditions()[1]?.name, 'German', 'and stays listed');
    } finally {
      await subs.stop();
    }
    await waitFor(() => ffmpegMentioning(work).length === 0, 2000, 'no extraction left');
    assert.deepEqual(pidFiles(), []);
  });

  it('runs nothing for a source without text tracks', async () => {
    const image: SubtitleTrack = {
      index: 3,
      codec: 'hdmv_pgs_subtitle',
      language: 'eng',
      title: null,
      default: true,
      forced: false,
      text: false,
    };
    const subs = renditions([image]);
    subs.start();
    assert.deepEqual(subs.renditions(), []);
    assert.deepEqual(subs.pids(), []);
    assert.equal(await subs.segment(0, { from: 0, to: 2 }), null);
    await subs.stop();
  });
});
