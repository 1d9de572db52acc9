// Direct stream: the source's video copied into HLS, cut at its own (irregular) keyframes (real FFmpeg).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestDaemon, testConfig, waitForJobEnd, type TestDaemon } from '../helpers/daemon.js';
import { videoPackets } from '../helpers/ffprobe.js';
import { downloadStream } from '../helpers/hls.js';
import { makeIrregularKeyframes, makeMountDir, run } from '../helpers/media.js';

const KEYFRAMES = [0, 1.3, 4.1, 5, 9.7];

describe('stream copy (direct stream)', () => {
  let d: TestDaemon;
  let source = '';
  before(async () => {
    const mount = makeMountDir();
    source = await makeIrregularKeyframes(mount, KEYFRAMES);
    d = await startTestDaemon(testConfig(mount));
  });
  after(async () => {
    await d.stop();
  });

  it('copies the video bit for bit, cut at the source keyframes, with the exact durations listed', async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'copy',
      input: 'irregular.ts',
      video: { codec: 'copy' },
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    assert.equal(((await res.json()) as { encoder: string }).encoder, 'copy');
    const done = await waitForJobEnd(d, 'copy', 60_000);
    assert.equal(done.status, 'completed', done.error);
    assert.equal(done.encoder, 'copy');
    const output = done.output;
    assert.ok(output !== null);
    assert.deepEqual(output.video, { copied: true, reason: 'copy requested' });
    assert.equal(output.height, 180);
    const { playlist, files } = await downloadStream(
      `${d.localUrl}/streams/copy/stream.m3u8`,
      mkdtempSync(path.join(tmpdir(), 'tw-copy-')),
    );
    // A VOD playlist from the source's keyframe index: the muxer cuts at the first keyframe at or after the next
    // multiple of 2 s (keyframes 4.1 ≥ 2, 5 ≥ 4, 9.7 ≥ 6), so the durations are known before the copy is made.
    assert.match(playlist.text, /#EXT-X-PLAYLIST-TYPE:VOD/);
    const durations = playlist.segments.map((s) => s.duration);
    // The forced keyframes land on 25 fps frames (4.1 → 4.12): within a frame of the asked times.
    assert.equal(durations.length, 4, `durations ${durations.join(',')}`);
    [4.1, 0.9, 4.7, 2.3].forEach((d, i) =>
      assert.ok(Math.abs((durations[i] ?? 0) - d) <= 0.041, `durations ${durations.join(',')}`),
    );
    const target = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(playlist.text)?.[1]);
    const longest = Math.max(...playlist.segments.map((s) => s.duration));
    assert.ok(target >= Math.round(longest) && target >= 2, 'the target duration covers the longest segment');
    // And they are what FFmpeg made: each segment starts where the listed ones before it end.
    for (let i = 1; i < files.length; i++) {
      const step =
        ((await videoPackets(files[i] ?? ''))[0]?.pts ?? 0) -
        ((await videoPackets(files[i - 1] ?? ''))[0]?.pts ?? 0);
      assert.ok(
        Math.abs(step - (durations[i - 1] ?? 0)) < 0.05,
        `segment ${i - 1}: ${step} made, ${durations[i - 1]} listed`,
      );
    }
    // Every segment starts on a source keyframe, and the packets are the source's: same sizes, same spacing.
    const src = await videoPackets(source);
    const out = (await Promise.all(files.map((f) => videoPackets(f)))).flat();
    assert.equal(out.length, src.length);
    for (const f of files) assert.ok((await videoPackets(f))[0]?.key, `${f} starts on a keyframe`);
    const shift = (out[0]?.pts ?? 0) - (src[0]?.pts ?? 0);
    for (let i = 0; i < 50; i++) {
      assert.equal(out[i]?.size, src[i]?.size, `packet ${i} size`);
      assert.ok(Math.abs((out[i]?.pts ?? 0) - (src[i]?.pts ?? 0) - shift) < 1e-3, `packet ${i} time`);
    }
  });

  it('auto copies a source that fits and transcodes one that does not, saying why', async () => {
    const cases = [
      { id: 'fits', video: { codec: 'auto', height: 360, profiles: ['high'] }, copied: true },
      { id: 'taller', video: { codec: 'auto', height: 144 }, copied: false },
      { id: 'level', video: { codec: 'auto', maxLevel: 1 }, copied: false },
    ];
    for (const c of cases) {
      const res = await d.api('POST', '/jobs', {
        id: c.id,
        input: 'irregular.ts',
        video: c.video,
        segmentSeconds: 2,
      });
      assert.equal(res.status, 202);
      const done = await waitForJobEnd(d, c.id, 60_000);
      assert.equal(done.status, 'completed', done.error);
      assert.equal(done.output?.video.copied, c.copied, `${c.id}: ${done.output?.video.reason ?? ''}`);
      assert.equal(done.encoder, c.copied ? 'copy' : 'libx264');
    }
  });

  it('fails a copy of a codec HLS does not carry, with the reason', async () => {
    const mpeg4 = path.join(d.config.nasMountPath, 'mpeg4.avi');
    // prettier-ignore
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=25:duration=2', '-c:v', 'mpeg4', mpeg4]);
    await d.api('POST', '/jobs', { id: 'mpeg4', input: 'mpeg4.avi', video: { codec: 'copy' } });
    const done = await waitForJobEnd(d, 'mpeg4', 30_000);
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /mpeg4, which HLS does not carry/);
    assert.deepEqual(d.jobs.pids(), {});
  });
});
