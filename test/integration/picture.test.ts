// Issue 18 through the real worker: an HDR10 film tone-mapped to BT.709 SDR, an interlaced clip deinterlaced, and a
// text subtitle burned in (also by a seek head), each checked in the served segments with FFmpeg's own measures.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { JobView } from '../../src/contract/job-view.js';
import { subtitleBurnFilter } from '../../src/ffmpeg/picture-filters.js';
import { interlaceVerdict, parseIdet } from '../../src/media/interlace-check.js';
import { startTestDaemon, testConfig, waitForJobEnd, type TestDaemon } from '../helpers/daemon.js';
import {
  makeHdrMedia,
  makeInterlacedMedia,
  makeMountDir,
  makeTextSubtitles,
  type TextSubtitles,
} from '../helpers/media.js';

const run = promisify(execFile);

/** signalstats of the first frame of `input` after `vf` (8-bit values). */
async function stats(input: string, vf: string): Promise<{ YMIN: number; YMAX: number; SATAVG: number }> {
  // prettier-ignore
  const { stderr } = await run('ffmpeg', [
    '-hide_banner', '-nostdin', '-i', input, '-frames:v', '1',
    '-vf', `${vf},format=yuv420p,signalstats,metadata=print`, '-f', 'null', '-',
  ]);
  const read = (key: string): number => {
    const m = new RegExp(`lavfi\\.signalstats\\.${key}=([\\d.]+)`).exec(stderr);
    assert.ok(m, `${key} in ${stderr.slice(-400)}`);
    return Number(m[1]);
  };
  return { YMIN: read('YMIN'), YMAX: read('YMAX'), SATAVG: read('SATAVG') };
}

const W = 640;
const H = 360;
// Where libass draws an SRT cue on a 640x360 picture (bottom centre).
const SRT_BOX = { x: 240, y: 320, w: 160, h: 36 };

/** The luma plane of the frame `at` seconds into `input` (after `vf`), at 640x360. */
async function frame(input: string, at: number, vf = 'null'): Promise<Buffer> {
  // prettier-ignore
  const { stdout } = await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-i', input, '-ss', String(at), '-frames:v', '1',
    '-vf', `${vf},format=gray`, '-f', 'rawvideo', '-',
  ], { encoding: 'buffer', maxBuffer: 4 * W * H });
  assert.equal(stdout.length, W * H);
  return stdout;
}

/** Pixels of the cue's box whose luma differs by more than 64 (glyph strokes, not coding noise). */
function diff(a: Buffer, b: Buffer): number {
  let count = 0;
  for (let y = SRT_BOX.y; y < SRT_BOX.y + SRT_BOX.h; y++)
    for (let x = SRT_BOX.x; x < SRT_BOX.x + SRT_BOX.w; x++)
      if (Math.abs((a[y * W + x] ?? 0) - (b[y * W + x] ?? 0)) > 64) count++;
  return count;
}

describe('picture steps in jobs (tone mapping, deinterlacing, text burn-in)', () => {
  let d: TestDaemon;
  let mount: string;
  let subs: TextSubtitles;
  const view = async (id: string): Promise<JobView> =>
    (await (await d.api('GET', `/jobs/${id}`)).json()) as JobView;
  const post = async (id: string, input: string, extra: Record<string, unknown> = {}): Promise<void> => {
    const res = await d.api('POST', '/jobs', {
      id,
      input,
      video: { codec: 'h264' },
      segmentSeconds: 2,
      ...extra,
    });
    assert.equal(res.status, 202, await res.text());
  };

  before(async () => {
    mount = makeMountDir();
    const [hdr, interlaced, text] = await Promise.all([
      makeHdrMedia({ kind: 'pq', seconds: 2 }),
      makeInterlacedMedia({ order: 'tff', tagged: true, seconds: 2 }),
      makeTextSubtitles({ seconds: 20 }),
    ]);
    subs = text;
    copyFileSync(hdr, path.join(mount, 'hdr10.mkv'));
    copyFileSync(interlaced, path.join(mount, 'tff.mkv'));
    copyFileSync(text.mkv, path.join(mount, 'subs.mkv'));
    // A far request starts a head there (two segments ahead of every head).
    d = await startTestDaemon(
      testConfig(mount, { seek: { ahead_segments: 2, max_heads: 2, idle_seconds: 60 } }),
    );
  });
  after(async () => {
    await d.stop();
  });

  it('tone-maps an HDR10 source to BT.709 SDR: tags, luma range, colour restored', async () => {
    // 360 → 180 lines: the tone mapper scales too (its first zscale), the family's scale is then a no-op.
    await post('hdr', 'hdr10.mkv', { prepare: true, video: { codec: 'h264', height: 180 } });
    const done = await waitForJobEnd(d, 'hdr', 30_000);
    assert.equal(done.status, 'completed', done.error);
    assert.equal(done.output?.video.toneMapped?.applied, true, JSON.stringify(done.output?.video));
    assert.equal(done.output.video.deinterlaced?.applied, false);
    const seg = `${d.localUrl}/streams/hdr/seg-0.ts`;
    // prettier-ignore
    const { stdout } = await run('ffprobe', [
      '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=color_transfer,color_primaries,pix_fmt',
      '-of', 'json', seg,
    ]);
    const stream = (JSON.parse(stdout) as { streams: Record<string, string>[] }).streams[0];
    assert.deepEqual(stream, { pix_fmt: 'yuv420p', color_transfer: 'bt709', color_primaries: 'bt709' });
    const whole = await stats(seg, 'null');
    assert.ok(whole.YMIN >= 16 && whole.YMAX <= 235, JSON.stringify(whole));
    // The testsrc2 pattern (top three quarters): an untouched PQ frame shown as SDR is washed out.
    const untouched = await stats(path.join(mount, 'hdr10.mkv'), 'crop=640:270:0:0');
    const mapped = await stats(seg, 'crop=320:135:0:0');
    assert.equal(done.output.height, 180);
    assert.ok(mapped.SATAVG >= 1.5 * untouched.SATAVG, JSON.stringify({ untouched, mapped }));
  });

  it('deinterlaces a tagged interlaced source: idet reads the output as progressive', async () => {
    const idet = async (input: string): Promise<unknown> => {
      // prettier-ignore
      const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostdin', '-nostats', '-i', input, '-vf', 'idet', '-f', 'null', '-']);
      const counts = parseIdet(stderr);
      assert.ok(counts, stderr.slice(-400));
      return interlaceVerdict(counts);
    };
    assert.equal(await idet(path.join(mount, 'tff.mkv')), 'tff', 'the source combs');
    await post('tff', 'tff.mkv', { prepare: true });
    const done = await waitForJobEnd(d, 'tff', 30_000);
    assert.equal(done.status, 'completed', done.error);
    assert.deepEqual(done.output?.video.deinterlaced, {
      applied: true,
      reason: 'the source is tagged interlaced (tff): bwdif, frame rate kept',
    });
    assert.equal(await idet(`${d.localUrl}/streams/tff/seg-0.ts`), 'progressive');
  });

  it('burns an SRT track in at its source time, in a seek head segment and in the first head', async () => {
    await post('text', 'subs.mkv', { burnSubtitles: { track: 0 } });
    // Segment 7 (14-16 s) at once: nothing near it, so a seek head makes it; "eng 15.000" shows 15.0-16.5 s.
    const seg7 = `${d.localUrl}/streams/text/seg-7.ts`;
    const res = await fetch(seg7);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const starts = (await view('text')).heads.map((h) => h.start);
    assert.ok(starts.includes(7), `a head at 7 (${starts.join(',')})`);
    const right = await frame(subs.mkv, 15.5, subtitleBurnFilter({ file: subs.srt }));
    const plain = await frame(subs.mkv, 15.5);
    const burned = await frame(seg7, 1.5);
    const shown = diff(burned, plain);
    assert.ok(shown > 200, `the cue is drawn: ${shown}`);
    // Its own cue, not the one of 1.5 s (what an unshifted seek head would draw): as FFmpeg draws it on the source.
    const wrong = await frame(subs.mkv, 1.5, subtitleBurnFilter({ file: subs.srt }));
    const off = diff(burned, right);
    assert.ok(off * 4 < diff(burned, wrong) && off < 60, `same cue ${off}, other cue ${diff(burned, wrong)}`);
    // Before the cue (14.7 s, after "eng 13.000" ended at 14.5 s): nothing drawn.
    assert.ok(diff(await frame(seg7, 0.7), await frame(subs.mkv, 14.7)) < 20, 'no cue at 14.7 s');
    // The head at 0 draws "eng 5.000" at 5.5 s (segment 2).
    const first = await frame(`${d.localUrl}/streams/text/seg-2.ts`, 1.5);
    const atFive = diff(first, await frame(subs.mkv, 5.5, subtitleBurnFilter({ file: subs.srt })));
    assert.ok(atFive < 60 && diff(first, await frame(subs.mkv, 5.5)) > 200, `eng 5.000: ${atFive}`);
    const v = await view('text');
    assert.equal(v.output?.burnedSubtitles?.text, true);
    await d.api('DELETE', '/jobs/text');
  });
});
