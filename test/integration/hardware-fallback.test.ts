/// <reference lib="dom" />
// Encoder choice and fallback with a GPU that cannot exist here: a fake /sys + /dev shows an AMD render node, and
// test/fixtures/fake-gpu-ffmpeg.mjs stands in front of the real FFmpeg. Its VAAPI "works" for the start-up test
// encodes, then in jobs either dies after some seconds of media or goes to the real FFmpeg and fails there.
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { EncoderCheck, HardwareProfile } from '../../src/hardware/types.js';
import type { JobView } from '../../src/contract/job-view.js';
import { codecFromInit } from '../../src/media/codec-string.js';
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
import { startHlsSite } from '../helpers/browser.js';
import { describePlayback, playToEnd } from '../helpers/gstreamer.js';
import { downloadStream } from '../helpers/hls.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';
import { fakeTree, type FakeTree } from '../unit/hardware/fake-tree.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/fake-gpu-ffmpeg.mjs', import.meta.url));

/** An executable "ffmpeg" that runs the fixture in one mode (fixed arguments; FFmpeg's are passed as they are). */
function fakeFfmpeg(mode: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-fakegpu-'));
  const file = path.join(dir, 'ffmpeg');
  writeFileSync(file, `#!/bin/sh\nexec node '${FIXTURE}' --gpu=${mode} -- "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}

/** An AMD GPU's render node: VAAPI is the candidate family (no QSV, no NVENC). */
function amdRenderNode(): FakeTree {
  const t = fakeTree();
  t.file('dev/dri/renderD128');
  t.file('sys/class/drm/renderD128/device/vendor', '0x1002\n');
  return t;
}

async function health(d: TestDaemon): Promise<{ hardware: HardwareProfile }> {
  return (await (await fetch(`${d.localUrl}/health`)).json()) as { hardware: HardwareProfile };
}

function vaapiCheck(profile: HardwareProfile): EncoderCheck | undefined {
  return profile.encoders.find((e) => e.name === 'h264_vaapi');
}

async function startWithFakeGpu(mode: string, orchestrator?: TestOrchestrator) {
  const mount = makeMountDir();
  copyFileSync(await makeMedia({ seconds: 12, width: 640, height: 360 }), path.join(mount, 'film.mp4'));
  const tree = amdRenderNode();
  const d = await startTestDaemon(
    testConfig(mount, {
      ffmpeg: { path: fakeFfmpeg(mode), ffprobe_path: 'ffprobe' },
      ...(orchestrator === undefined
        ? {}
        : { orchestrator: { url: orchestrator.url, token: 'o-token-0123456789' } }),
    }),
    { roots: { sysRoot: tree.sysRoot, devRoot: tree.devRoot, procRoot: '/proc' }, measureSpeed: false },
  );
  await waitFor(async () => !(await health(d)).hardware.probing, 30_000, 'the hardware probe');
  return { d, tree };
}

describe('a GPU that dies in the middle of a job', () => {
  let d: TestDaemon;
  let tree: FakeTree;
  let orchestrator: TestOrchestrator;
  before(async () => {
    orchestrator = await startOrchestrator();
    ({ d, tree } = await startWithFakeGpu('dies-after=5', orchestrator));
  });
  after(async () => {
    await d.stop();
    await orchestrator.close();
    tree.remove();
  });

  it('profiles the fake GPU as usable after its test encode', async () => {
    const check = vaapiCheck((await health(d)).hardware);
    assert.equal(check?.usable, true, check?.reason);
    assert.equal(check.device, path.join(tree.devRoot, 'dri/renderD128'));
  });

  it('continues in software from the next segment, with the same numbering and one discontinuity', async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'gpu-dies',
      input: 'film.mp4',
      video: { codec: 'h264', height: 240, hardware: 'h264_vaapi' },
      segmentSeconds: 2,
      // Listed as made, so the encoder change shows as a discontinuity (a VOD playlist is fixed from the start).
      playlist: 'event',
    });
    assert.equal(res.status, 202, await res.clone().text());
    assert.equal(((await res.json()) as JobView).encoder, 'h264_vaapi');
    // A viewer already waiting for a segment the GPU never makes gets it from the software run.
    const waiting = fetch(`${d.localUrl}/streams/gpu-dies/seg-3.ts`);
    const done = await waitForJobEnd(d, 'gpu-dies');
    const seg3 = await waiting;
    assert.equal(seg3.status, 200);
    const waitedBytes = Buffer.from(await seg3.arrayBuffer());
    assert.ok(waitedBytes.length > 1000);
    assert.equal(done.status, 'completed', done.error);
    assert.equal(done.encoder, 'libx264');
    assert.equal(done.output?.encoder, 'libx264');
    assert.equal(done.fallback?.from, 'h264_vaapi');
    assert.match(done.fallback.reason, /Failed to sync surface/);
    // Killed at 5 s of media with 2 s segments: segments 0 and 1 were whole, the software run made 2 onwards.
    assert.equal(done.fallback.atSegment, 2);

    const { playlist, files } = await downloadStream(
      `${d.localUrl}/streams/gpu-dies/stream.m3u8`,
      mkdtempSync(path.join(tmpdir(), 'tw-dl-')),
    );
    assert.ok(playlist.ended);
    assert.deepEqual(
      playlist.segments.map((s) => s.uri),
      ['seg-0.ts', 'seg-1.ts', 'seg-2.ts', 'seg-3.ts', 'seg-4.ts', 'seg-5.ts'],
    );
    assert.equal(playlist.text.match(/#EXT-X-DISCONTINUITY\n/g)?.length, 1);
    assert.ok(playlist.text.indexOf('#EXT-X-DISCONTINUITY') < playlist.text.indexOf('seg-2.ts'));
    assert.ok(playlist.text.indexOf('#EXT-X-DISCONTINUITY') > playlist.text.indexOf('seg-1.ts'));
    const total = playlist.segments.reduce((sum, s) => sum + s.duration, 0);
    assert.ok(Math.abs(total - 12) < 0.1, `durations sum to ${total}`);
    assert.ok(waitedBytes.equals(readFileSync(files[3] ?? '')), 'the waiting viewer got the final seg-3');
    assert.deepEqual(d.jobs.pids(), {}, 'no FFmpeg left');
    // Every segment, from either encoder, starts on a keyframe and carries its share of the timeline.
    let previousEnd = -Infinity;
    for (const [i, file] of files.entries()) {
      const packets = await videoPackets(file);
      assert.equal(packets[0]?.key, true, `segment ${i} starts on a keyframe`);
      const first = Math.min(...packets.map((p) => p.pts));
      assert.ok(first >= previousEnd - 0.2, `segment ${i} starts at ${first}, after ${previousEnd}`);
      previousEnd = Math.max(...packets.map((p) => p.pts));
    }
  });

  it('marks the encoder unusable in the profile and the heartbeat, and auto then picks software', async () => {
    const check = vaapiCheck((await health(d)).hardware);
    assert.equal(check?.usable, false);
    assert.match(check.reason ?? '', /failed in a job: .*Failed to sync surface/);
    await waitFor(
      () => {
        const last = orchestrator.beats.at(-1)?.body.hardware as HardwareProfile | undefined;
        return last !== undefined && vaapiCheck(last)?.usable === false;
      },
      10_000,
      'a heartbeat that reports h264_vaapi unusable',
    );
    const named = await d.api('POST', '/jobs', {
      input: 'film.mp4',
      video: { codec: 'h264', hardware: 'h264_vaapi' },
    });
    assert.equal(named.status, 400);
    const body = (await named.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'ENCODER_UNAVAILABLE');
    assert.match(body.error.message, /usable h264 encoders: libx264/);
    const auto = await d.api('POST', '/jobs', { input: 'film.mp4', video: { codec: 'h264', height: 240 } });
    assert.equal(auto.status, 202);
    const view = (await auto.json()) as JobView;
    assert.equal(view.encoder, 'libx264');
    await d.api('DELETE', `/jobs/${view.id}`);
  });
});

describe('a GPU that fails as soon as a job opens it', () => {
  let d: TestDaemon;
  let tree: FakeTree;
  before(async () => {
    ({ d, tree } = await startWithFakeGpu('fails-at-start'));
  });
  after(async () => {
    await d.stop();
    tree.remove();
  });

  it('auto picks the GPU, the real FFmpeg refuses it, and the job completes in software from segment 0', async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'gpu-broken',
      input: 'film.mp4',
      video: { codec: 'h264', height: 240 },
      segmentSeconds: 4,
    });
    assert.equal(res.status, 202);
    assert.equal(((await res.json()) as JobView).encoder, 'h264_vaapi', 'unmeasured hardware ranks first');
    const done = await waitForJobEnd(d, 'gpu-broken');
    assert.equal(done.status, 'completed', done.error);
    assert.equal(done.encoder, 'libx264');
    assert.equal(done.fallback?.atSegment, 0);
    // FFmpeg's own words from this machine, which has no VA display.
    assert.match(done.fallback.reason, /vaapi|VA|device/i);
    const { playlist } = await downloadStream(
      `${d.localUrl}/streams/gpu-broken/stream.m3u8`,
      mkdtempSync(path.join(tmpdir(), 'tw-dl-')),
    );
    assert.equal(playlist.segments.length, 3);
    assert.ok(!playlist.text.includes('#EXT-X-DISCONTINUITY'), 'nothing came from the GPU: no discontinuity');
  });
});

describe('a GPU that dies in the middle of an fMP4 job', () => {
  // The stand-in "GPU" encodes Constrained Baseline (x264 ultrafast), the software run High: in fMP4 their
  // parameter sets are only in each one's init segment, so the software segments need their own.
  const frames = 360; // 12 s at 30 fps
  const running: { d: TestDaemon; tree: FakeTree }[] = [];
  after(async () => {
    for (const { d, tree } of running) {
      await d.stop();
      tree.remove();
    }
  });

  /** One job on a fresh daemon (the first failure marks the GPU unusable); its playlist once it has ended. */
  async function fallbackJob(
    id: string,
    playlist: 'event' | 'vod',
  ): Promise<{ d: TestDaemon; text: string }> {
    const started = await startWithFakeGpu('dies-after=5');
    running.push(started);
    const { d } = started;
    const res = await d.api('POST', '/jobs', {
      id,
      input: 'film.mp4',
      video: { codec: 'h264', height: 240, hardware: 'h264_vaapi' },
      container: 'fmp4',
      segmentSeconds: 2,
      playlist,
      // Made whole without a viewer (no idle stop).
      prepare: true,
    });
    assert.equal(res.status, 202, await res.clone().text());
    const done = await waitForJobEnd(d, id);
    assert.equal(done.status, 'completed', done.error);
    assert.equal(done.fallback?.atSegment, 2);
    return { d, text: await (await fetch(`${d.localUrl}/streams/${id}/stream.m3u8`)).text() };
  }

  async function bytes(d: TestDaemon, id: string, name: string): Promise<Buffer> {
    const res = await fetch(`${d.localUrl}/streams/${id}/${name}`);
    assert.equal(res.status, 200, name);
    return Buffer.from(await res.arrayBuffer());
  }

  /** First and last video PTS of a segment decoded with an init segment (ffprobe honours the edit lists). */
  async function span(init: Buffer, segment: Buffer): Promise<{ first: number; last: number }> {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tw-fmp4-')), 'joined.mp4');
    writeFileSync(file, Buffer.concat([init, segment]));
    const pts = (await videoPackets(file)).map((p) => p.pts);
    return { first: Math.min(...pts), last: Math.max(...pts) };
  }

  async function assertSecondInit(d: TestDaemon, id: string, text: string): Promise<void> {
    // The software segments come after a discontinuity with their own init segment; the first ones keep theirs.
    assert.match(text, /^#EXT-X-MAP:URI="init\.mp4"$/m);
    assert.match(
      text,
      /seg-1\.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init-1\.mp4"\n#EXTINF:[0-9.]+,\nseg-2\.m4s\n/,
    );
    assert.equal(text.match(/#EXT-X-MAP/g)?.length, 2, text);
    const [gpu, software] = [await bytes(d, id, 'init.mp4'), await bytes(d, id, 'init-1.mp4')];
    assert.match(codecFromInit(gpu) ?? '', /^avc1\.42/, 'the stand-in GPU: Constrained Baseline');
    assert.match(codecFromInit(software) ?? '', /^avc1\.64/, 'the software run: High');
    // On one timeline: segment 2 with the software init starts a frame after segment 1 with the GPU's ends.
    const before = await span(gpu, await bytes(d, id, 'seg-1.m4s'));
    const after = await span(software, await bytes(d, id, 'seg-2.m4s'));
    assert.ok(Math.abs(after.first - before.last - 1 / 30) < 0.002, `${before.last} then ${after.first}`);
    // hls.js in Chromium appends the new init and decodes every frame to the end, without an error.
    const site = await startHlsSite(d.localUrl);
    try {
      const tab = await site.browser.newPage();
      await tab.goto(`${site.url}?id=${id}`);
      const seen = await tab.evaluate(async () => {
        const video = document.querySelector('video') as HTMLVideoElement;
        video.playbackRate = 4;
        await video.play();
        // At most a minute: a stalled player shows as frames missing, not as a test that never ends.
        await Promise.race([
          new Promise((resolve) => video.addEventListener('ended', resolve, { once: true })),
          new Promise((resolve) => setTimeout(resolve, 60_000)),
        ]);
        const errors = (window as unknown as { errors: string[] }).errors;
        return { decoded: video.getVideoPlaybackQuality().totalVideoFrames, errors };
      });
      assert.deepEqual(seen, { decoded: frames, errors: [] });
    } finally {
      await site.close();
    }
    // GStreamer's hlsdemux2 (playbin3) too. (1.22's older hlsdemux, like FFmpeg 5.1's hls demuxer, keeps the first
    // init segment across an EXT-X-MAP change: they decode the GPU's frames and none of the software run's.)
    const played = await playToEnd(`${d.localUrl}/streams/${id}/stream.m3u8`, 'playbin3');
    const said = describePlayback(played);
    assert.ok(!played.timedOut && played.exitCode === 0 && played.eos, said);
    assert.deepEqual(played.errors, [], said);
    assert.equal(played.videoFrames, frames, said);
  }

  it('event playlist: the software segments come with their own init segment, after a discontinuity', async () => {
    const { d, text } = await fallbackJob('fmp4-event', 'event');
    assert.match(text, /#EXT-X-PLAYLIST-TYPE:EVENT/);
    await assertSecondInit(d, 'fmp4-event', text);
  });

  it('VOD playlist: rewritten once, with the discontinuity and the new init where the software run starts', async () => {
    const { d, text } = await fallbackJob('fmp4-vod', 'vod');
    assert.match(text, /#EXT-X-PLAYLIST-TYPE:VOD/);
    assert.equal(text.match(/#EXTINF/g)?.length, 6);
    await assertSecondInit(d, 'fmp4-vod', text);
  });
});

describe('video.hardware on a machine without a GPU', () => {
  let d: TestDaemon;
  before(async () => {
    const mount = makeMountDir();
    copyFileSync(await makeMedia({ seconds: 12, width: 640, height: 360 }), path.join(mount, 'film.mp4'));
    d = await startTestDaemon(testConfig(mount), { measureSpeed: false });
  });
  after(async () => {
    await d.stop();
  });

  it('refuses an encoder FFmpeg lists but cannot use here, naming the usable ones', async () => {
    const res = await d.api('POST', '/jobs', {
      input: 'film.mp4',
      video: { codec: 'hevc', hardware: 'hevc_nvenc' },
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'ENCODER_UNAVAILABLE');
    assert.match(body.error.message, /usable hevc encoders: libx265/);
    assert.deepEqual(Object.keys(d.jobs.pids()), [], 'no FFmpeg started');
  });

  it('rejects a malformed name as a bad body', async () => {
    const res = await d.api('POST', '/jobs', {
      input: 'film.mp4',
      video: { codec: 'h264', hardware: 'h264_vaapi; rm -rf /' },
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'INVALID_BODY');
  });

  it('none forces software', async () => {
    const res = await d.api('POST', '/jobs', {
      input: 'film.mp4',
      video: { codec: 'h264', hardware: 'none' },
    });
    assert.equal(res.status, 202);
    const view = (await res.json()) as JobView;
    assert.equal(view.encoder, 'libx264');
    await d.api('DELETE', `/jobs/${view.id}`);
  });
});
