// The picture filters run by FFmpeg 5.1 on generated media: pixel statistics of the tone-mapped test pattern, idet on
// the deinterlaced clip, and the burned cue's pixels, with and without a seek.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { buildBurnExtractArgs } from '../../../src/ffmpeg/burn-extract-args.js';
import {
  deinterlaceFilter,
  subtitleBurnFilter,
  toneMapFilter,
  type ToneMapOperator,
} from '../../../src/ffmpeg/picture-filters.js';
import { parseIdet, interlaceVerdict } from '../../../src/media/interlace-check.js';
import { makeHdrMedia, makeInterlacedMedia, makeTextSubtitles, type HdrKind } from '../../helpers/media.js';

const run = promisify(execFile);

type Stats = Record<'YMIN' | 'YLOW' | 'YAVG' | 'YHIGH' | 'YMAX' | 'SATAVG', number>;

/** signalstats of the first frame through `chain`, then `crop` (8-bit values). */
async function stats(file: string, chain: string, crop = 'null'): Promise<Stats> {
  // prettier-ignore
  const { stderr } = await run('ffmpeg', [
    '-hide_banner', '-nostdin', '-i', file, '-frames:v', '1',
    '-vf', `${chain},format=yuv420p,${crop},signalstats,metadata=print`, '-f', 'null', '-',
  ]);
  const read = (key: keyof Stats): number => {
    const m = new RegExp(`lavfi\\.signalstats\\.${key}=([\\d.]+)`).exec(stderr);
    assert.ok(m, `${key} in ${stderr.slice(-500)}`);
    return Number(m[1]);
  };
  return {
    YMIN: read('YMIN'),
    YLOW: read('YLOW'),
    YAVG: read('YAVG'),
    YHIGH: read('YHIGH'),
    YMAX: read('YMAX'),
    SATAVG: read('SATAVG'),
  };
}

describe('tone mapping with FFmpeg', () => {
  // 640x360: the pattern is the top 270 rows, the ramp to ~1000 cd/m² the bottom 90.
  const pattern = 'crop=640:270:0:0';
  const ramp = (x: number): string => `crop=32:90:${x}:270`;
  const mapped = (kind: HdrKind, operator?: ToneMapOperator): string =>
    toneMapFilter(
      { hdr: kind, primaries: 'bt2020', space: 'bt2020nc', range: 'tv' },
      operator === undefined ? {} : { operator },
    );

  for (const kind of ['pq', 'hlg'] as const) {
    it(`${kind}: SDR limited range, colour restored where the untouched picture is washed out`, async () => {
      const file = await makeHdrMedia({ kind });
      const whole = await stats(file, mapped(kind));
      assert.ok(whole.YMIN >= 16 && whole.YMAX <= 235, JSON.stringify(whole));
      const untouched = await stats(file, 'null', pattern);
      const toneMapped = await stats(file, mapped(kind), pattern);
      assert.ok(toneMapped.SATAVG >= 1.5 * untouched.SATAVG, JSON.stringify({ untouched, toneMapped }));
    });
  }

  it('pq: highlights reach white and are rolled off, not clipped (the clip operator, as a control, is flat)', async () => {
    const file = await makeHdrMedia({ kind: 'pq' });
    const untouched = await stats(file, 'null', 'crop=640:90:0:270');
    const top = await stats(file, mapped('pq'), 'crop=640:90:0:270');
    assert.ok(untouched.YMAX < 200, `a PQ picture shown as SDR has grey highlights: ${untouched.YMAX}`);
    assert.ok(top.YMAX >= 225, `tone-mapped highlights reach white: ${top.YMAX}`);
    // Still rising over the ramp's last fifth (~600 → ~1000 cd/m²).
    const rise = async (op?: ToneMapOperator): Promise<number> =>
      (await stats(file, mapped('pq', op), ramp(608))).YAVG -
      (await stats(file, mapped('pq', op), ramp(512))).YAVG;
    const hable = await rise();
    assert.ok(hable > 10, `hable keeps detail in the highlights: +${hable}`);
    assert.ok((await rise('clip')) < 2, 'clip flattens them, so the measure can see clipping');
  });
});

describe('deinterlacing with FFmpeg', () => {
  /** idet's verdict on `file` after `chain`, and how many frames it judged. */
  async function idetAfter(file: string, chain: string): Promise<{ verdict: unknown; frames: number }> {
    // prettier-ignore
    const { stderr } = await run('ffmpeg', [
      '-hide_banner', '-nostdin', '-nostats', '-i', file, '-vf', `${chain},idet`, '-f', 'null', '-',
    ]);
    const counts = parseIdet(stderr);
    assert.ok(counts, stderr.slice(-500));
    return {
      verdict: interlaceVerdict(counts),
      frames: counts.tff + counts.bff + counts.progressive + counts.undetermined,
    };
  }

  it('leaves progressive frames at the same rate, for tagged and mis-tagged sources', async () => {
    const untagged = await makeInterlacedMedia({ order: 'tff', tagged: false });
    const bff = await makeInterlacedMedia({ order: 'bff', tagged: true });
    assert.deepEqual(await idetAfter(untagged, 'null'), { verdict: 'tff', frames: 50 }, 'the source combs');
    assert.deepEqual(await idetAfter(untagged, deinterlaceFilter({ parity: 'tff' })), {
      verdict: 'progressive',
      frames: 50,
    });
    assert.deepEqual(await idetAfter(bff, 'null'), { verdict: 'bff', frames: 50 });
    assert.deepEqual(await idetAfter(bff, deinterlaceFilter()), { verdict: 'progressive', frames: 50 });
  });

  it('doubles the frame rate when asked', async () => {
    const tff = await makeInterlacedMedia({ order: 'tff', tagged: true });
    assert.deepEqual(await idetAfter(tff, deinterlaceFilter({ doubleRate: true })), {
      verdict: 'progressive',
      frames: 100,
    });
  });
});

describe('burning text subtitles with FFmpeg', () => {
  const W = 640;
  const H = 360;

  /** The luma plane of the frame at source time `at`, the input opened at `seek` (input -ss) when given. */
  async function frameAt(file: string, at: number, chain: string, seek = 0): Promise<Buffer> {
    // prettier-ignore
    const { stdout } = await run('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-nostdin',
      ...(seek > 0 ? ['-ss', String(seek)] : []), '-i', file,
      '-ss', String(at - seek), '-frames:v', '1', '-vf', `${chain},format=gray`, '-f', 'rawvideo', '-',
    ], { encoding: 'buffer', maxBuffer: 4 * W * H });
    assert.equal(stdout.length, W * H);
    return stdout;
  }

  interface Box {
    readonly x: number;
    readonly y: number;
    readonly w: number;
    readonly h: number;
  }
  // Where libass draws the SRT cue (bottom centre, ~25 px text) and the styled ASS one (top centre, 45 px text).
  const SRT_BOX: Box = { x: 240, y: 320, w: 160, h: 36 };
  const ASS_TOP: Box = { x: 160, y: 10, w: 320, h: 70 };
  const BOTTOM: Box = { x: 0, y: H - 90, w: W, h: 90 };

  /**
   * Pixels inside a box whose luma differs by more than 64: glyph strokes count, while the anti-aliased edges of the
   * same cue drawn in two runs (up to 20 apart, seen with libass 0.17) do not.
   */
  function diff(a: Buffer, b: Buffer, box: Box): number {
    let count = 0;
    for (let y = box.y; y < box.y + box.h; y++)
      for (let x = box.x; x < box.x + box.w; x++)
        if (Math.abs((a[y * W + x] ?? 0) - (b[y * W + x] ?? 0)) > 64) count++;
    return count;
  }

  /** A copy of `file` in a folder and under a name holding every character filtergraphs treat specially. */
  function awkwardCopy(file: string): string {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'tw-burn-')), "it's: a, b\\c [x];");
    mkdirSync(dir);
    const copy = path.join(dir, `cue's: 1, 2\\3 [x];${path.extname(file)}`);
    copyFileSync(file, copy);
    return copy;
  }

  it('burns an SRT cue at its source time whether the run starts at 0 or after -ss 4', async () => {
    const subs = await makeTextSubtitles({ seconds: 8 });
    const srt = awkwardCopy(subs.srt);
    // The cue "eng 5.000" is shown from 5.0 to 6.5 s.
    const plain = await frameAt(subs.mkv, 5.5, 'null');
    const fromStart = await frameAt(subs.mkv, 5.5, subtitleBurnFilter({ file: srt }));
    const visible = diff(fromStart, plain, SRT_BOX);
    assert.ok(visible > 200, `the cue is drawn: ${visible}`);
    const afterSeek = await frameAt(
      subs.mkv,
      5.5,
      subtitleBurnFilter({ file: srt, sourceOffsetSeconds: 4 }),
      4,
    );
    const same = diff(afterSeek, fromStart, SRT_BOX);
    assert.equal(same, 0, `the same cue at the same place after the seek: ${same}`);
    const unshifted = await frameAt(subs.mkv, 5.5, subtitleBurnFilter({ file: srt }), 4);
    const other = diff(unshifted, fromStart, SRT_BOX);
    assert.ok(other > 20, `without the shift, the cue of 1.5 s shows instead: ${other}`);
    // Just before 5 s there is no cue, after the seek too.
    const before = await frameAt(subs.mkv, 4.9, subtitleBurnFilter({ file: srt, sourceOffsetSeconds: 4 }), 4);
    assert.ok(diff(before, await frameAt(subs.mkv, 4.9, 'null'), SRT_BOX) === 0, 'no cue at 4.9 s');
  });

  it('draws a styled ASS cue where its style puts it (top centre)', async () => {
    const subs = await makeTextSubtitles({ seconds: 8 });
    const ass = awkwardCopy(subs.ass);
    const plain = await frameAt(subs.mkv, 5.5, 'null');
    const burned = await frameAt(subs.mkv, 5.5, subtitleBurnFilter({ file: ass }));
    const top = diff(burned, plain, ASS_TOP);
    assert.ok(top > 200, `drawn at the top: ${top}`);
    assert.ok(diff(burned, plain, BOTTOM) === 0, 'not at the bottom');
  });

  it('burns mov_text and WebVTT tracks once extracted to ASS, into an awkward name', async () => {
    const subs = await makeTextSubtitles({ seconds: 8 });
    const plain = await frameAt(subs.mkv, 5.5, 'null');
    for (const [input, index] of [
      [subs.movTextMp4, 1],
      [subs.mkv, 3],
    ] as const) {
      const file = awkwardCopy(subs.srt).replace(/\.srt$/, '.ass');
      await run('ffmpeg', buildBurnExtractArgs({ inputPath: input, index, file }));
      const burned = await frameAt(subs.mkv, 5.5, subtitleBurnFilter({ file, sourceOffsetSeconds: 4 }), 4);
      const visible = diff(burned, plain, SRT_BOX);
      assert.ok(visible > 200, `${input}#${index}: ${visible}`);
    }
  });
});
