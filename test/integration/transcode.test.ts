// Real jobs end to end: POST → FFmpeg → HLS over HTTP, checked with ffprobe.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobView } from '../../src/contract/job-view.js';
import { startTestDaemon, testConfig, waitFor, type TestDaemon } from '../helpers/daemon.js';
import {
  firstVideoPts,
  streamTypes,
  videoFacts,
  videoPackets,
  videoStreamDuration,
} from '../helpers/ffprobe.js';
import { downloadStream } from '../helpers/hls.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';

async function waitForStatus(
  d: TestDaemon,
  id: string,
  statuses: string[],
  timeoutMs: number,
): Promise<JobView> {
  let view: JobView | undefined;
  await waitFor(
    async () => {
      view = (await (await d.api('GET', `/jobs/${id}`)).json()) as JobView;
      return statuses.includes(view.status);
    },
    timeoutMs,
    `job ${id} to reach ${statuses.join('|')}`,
  );
  return view as JobView;
}

describe('transcoding to HLS', () => {
  let d: TestDaemon;
  let mount: string;
  before(async () => {
    mount = makeMountDir();
    copyFileSync(
      await makeMedia({ seconds: 10, width: 640, height: 360, rate: '24000/1001' }),
      path.join(mount, 'film-23976.mp4'),
    );
    copyFileSync(
      await makeMedia({ seconds: 6, width: 640, height: 360, audio: false, container: 'mkv' }),
      path.join(mount, 'silent.mkv'),
    );
    copyFileSync(
      await makeMedia({ seconds: 6, audioSeconds: 9, width: 320, height: 180, container: 'mkv' }),
      path.join(mount, 'sound-runs-on.mkv'),
    );
    writeFileSync(path.join(mount, 'garbage.mkv'), Buffer.alloc(64 * 1024, 7));
    d = await startTestDaemon(testConfig(mount));
  });
  after(async () => {
    await d.stop();
  });

  it('cuts a 23.976 fps source into exact segments that each start on a keyframe', async () => {
    const res = await d.api('POST', '/jobs', {
      input: 'film-23976.mp4',
      video: { codec: 'h264', height: 240 },
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    const accepted = (await res.json()) as { id: string; status: string; playlistUrl: string };
    assert.match(accepted.id, /^[A-Za-z0-9_-]{22,}$/, 'generated ids carry at least 128 bits');
    assert.equal(accepted.playlistUrl, `${d.advertiseUrl}/streams/${accepted.id}/stream.m3u8`);
    assert.ok(['queued', 'running'].includes(accepted.status));

    const done = await waitForStatus(d, accepted.id, ['completed', 'failed'], 60_000);
    assert.equal(done.status, 'completed', done.error);
    assert.equal(done.progress, 1);
    assert.equal(done.output?.height, 240);
    assert.ok(done.startedAt !== null && done.finishedAt !== null);

    const dir = mkdtempSync(path.join(tmpdir(), 'tw-dl-'));
    const playlistUrl = `${d.localUrl}/streams/${accepted.id}/stream.m3u8`;
    const plRes = await fetch(playlistUrl);
    assert.equal(plRes.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(plRes.headers.get('access-control-allow-origin'), '*');
    const { playlist, files } = await downloadStream(playlistUrl, dir);
    assert.ok(playlist.ended, 'VOD playlist has #EXT-X-ENDLIST');
    assert.match(playlist.text, /#EXT-X-PLAYLIST-TYPE:VOD/);
    assert.equal(playlist.segments.length, 5);
    const frame = 1001 / 24000;
    for (const [i, s] of playlist.segments.entries()) {
      if (i < playlist.segments.length - 1)
        assert.ok(Math.abs(s.duration - 2) <= frame + 1e-3, `segment ${i} lasts ${s.duration}`);
    }
    // The VOD durations, known before encoding, sum to the source's duration within one frame.
    const total = playlist.segments.reduce((a, s) => a + s.duration, 0);
    const source = await videoStreamDuration(path.join(mount, 'film-23976.mp4'));
    assert.ok(Math.abs(total - source) <= frame, `total ${total} against the source's ${source}`);

    for (const [i, file] of files.entries()) {
      const facts = await videoFacts(file);
      // What was made matches what the playlist promised: each segment starts where the listed ones before end.
      if (i > 0) {
        const step = (await firstVideoPts(file)) - (await firstVideoPts(files[i - 1] ?? ''));
        const listed = playlist.segments[i - 1]?.duration ?? 0;
        assert.ok(
          Math.abs(step - listed) <= frame + 1e-3,
          `segment ${i - 1}: ${step} s made, ${listed} s listed`,
        );
      }
      assert.equal(facts.codec, 'h264');
      assert.equal(facts.height, 240);
      assert.equal(facts.width, 426);
      const packets = await videoPackets(file);
      assert.ok(packets[0]?.key, `segment ${i} starts on a keyframe`);
      assert.equal(packets.filter((p) => p.key).length, 1, `segment ${i} has exactly one keyframe`);
      assert.deepEqual((await streamTypes(file)).sort(), ['audio', 'video']);
    }
    const seg = await fetch(`${d.localUrl}/streams/${accepted.id}/seg-0.ts`);
    assert.equal(seg.headers.get('content-type'), 'video/mp2t');
    assert.equal(seg.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(Buffer.from(await seg.arrayBuffer()), readFileSync(files[0] ?? ''));
  });

  it("lists an MKV's picture length (its DURATION tag), not the sound that runs on past it", async () => {
    // Matroska states no stream duration, only the file's (the audio's 9 s): listed by that, a VOD playlist would
    // promise segments 3 and 4, which no cut ever makes (the muxer cuts on video keyframes only).
    const res = await d.api('POST', '/jobs', {
      input: 'sound-runs-on.mkv',
      video: { codec: 'h264', height: 180 },
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    const { id } = (await res.json()) as { id: string };
    const done = await waitForStatus(d, id, ['completed', 'failed'], 60_000);
    assert.equal(done.status, 'completed', done.error);
    assert.equal(done.output?.segmentCount, 3);
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-dl-'));
    const { playlist, files } = await downloadStream(`${d.localUrl}/streams/${id}/stream.m3u8`, dir);
    assert.equal(playlist.segments.length, 3, playlist.text);
    assert.equal(files.length, 3, 'every listed segment is served');
    const listed = playlist.segments.reduce((sum, s) => sum + s.duration, 0);
    assert.ok(Math.abs(listed - 6) < 0.05, `the playlist lists the picture's 6 s: ${listed}`);
  });

  it('transcodes a source without audio, and to HEVC, listed as made (event playlist)', async () => {
    const res = await d.api('POST', '/jobs', {
      input: 'silent.mkv',
      video: { codec: 'hevc', height: 180 },
      segmentSeconds: 3,
      playlist: 'event',
    });
    assert.equal(res.status, 202);
    const { id } = (await res.json()) as { id: string };
    const done = await waitForStatus(d, id, ['completed', 'failed'], 60_000);
    assert.equal(done.status, 'completed', done.error);
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-dl-'));
    const { playlist, files, init } = await downloadStream(`${d.localUrl}/streams/${id}/stream.m3u8`, dir);
    assert.match(playlist.text, /#EXT-X-PLAYLIST-TYPE:EVENT/);
    assert.ok(playlist.ended);
    // HEVC comes in fMP4 with an init segment (how Apple devices play it), tagged hvc1.
    assert.match(playlist.text, /#EXT-X-VERSION:7\n/);
    assert.match(playlist.text, /#EXT-X-MAP:URI="init.mp4"\n/);
    assert.deepEqual(
      playlist.segments.map((s) => s.uri),
      ['seg-0.m4s', 'seg-1.m4s'],
    );
    assert.ok(init !== null && init.includes(Buffer.from('hvc1')), 'the init segment names the codec hvc1');
    const initRes = await fetch(`${d.localUrl}/streams/${id}/init.mp4`);
    assert.equal(initRes.headers.get('content-type'), 'video/mp4');
    const seg = await fetch(`${d.localUrl}/streams/${id}/seg-0.m4s`);
    assert.equal(seg.headers.get('content-type'), 'video/mp4');
    assert.equal(
      (await fetch(`${d.localUrl}/streams/${id}/seg-0.ts`)).status,
      404,
      'no .ts names in an fMP4 stream',
    );
    assert.equal(done.output?.container, 'fmp4');
    for (const file of files) {
      assert.equal((await videoFacts(file)).codec, 'hevc');
      assert.equal((await videoFacts(file)).height, 180);
      assert.deepEqual(await streamTypes(file), ['video']);
      assert.ok((await videoPackets(file))[0]?.key);
    }
  });

  it('transcodes to AV1 in fMP4 (av01), and refuses AV1 in MPEG-TS', async () => {
    const refused = await d.api('POST', '/jobs', {
      input: 'silent.mkv',
      video: { codec: 'av1' },
      container: 'ts',
    });
    assert.equal(refused.status, 400);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'INVALID_BODY');
    assert.match(body.error.message, /ts cannot carry AV1/);
    const res = await d.api('POST', '/jobs', {
      input: 'silent.mkv',
      video: { codec: 'av1', height: 144 },
      segmentSeconds: 3,
    });
    assert.equal(res.status, 202);
    const { id, encoder } = (await res.json()) as { id: string; encoder: string };
    assert.equal(encoder, 'libsvtav1');
    const done = await waitForStatus(d, id, ['completed', 'failed'], 60_000);
    assert.equal(done.status, 'completed', done.error);
    assert.equal(done.output?.container, 'fmp4');
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-dl-'));
    const { files, init } = await downloadStream(`${d.localUrl}/streams/${id}/stream.m3u8`, dir);
    assert.ok(init !== null && init.includes(Buffer.from('av01')), 'the init segment names av01');
    for (const file of files) assert.equal((await videoFacts(file)).codec, 'av1');
  });

  it("fails a source FFmpeg cannot read, with FFmpeg's reason, and stays healthy", async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'garbage',
      input: 'garbage.mkv',
      video: { codec: 'h264' },
    });
    assert.equal(res.status, 202);
    const done = await waitForStatus(d, 'garbage', ['completed', 'failed'], 30_000);
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /Invalid data|invalid|format/i);
    const pl = await fetch(`${d.localUrl}/streams/garbage/stream.m3u8`);
    assert.equal(pl.status, 404);
    assert.equal((await fetch(`${d.localUrl}/health`)).status, 200);
    assert.deepEqual(d.jobs.pids(), {});
    const list = (await (await d.api('GET', '/jobs')).json()) as { jobs: JobView[] };
    assert.ok(list.jobs.some((j) => j.id === 'garbage' && j.status === 'failed'));
  });
});
