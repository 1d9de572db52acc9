// Which variants of a ladder a source allows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultBitrateKbps, outputWidth } from '../../../src/media/picture.js';
import type { SourceInfo } from '../../../src/media/source-info.js';
import { resolveVariants } from '../../../src/media/variants.js';

const video = (codec: string, height: number): NonNullable<SourceInfo['video']> => ({
  index: 0,
  codec,
  width: Math.round((height * 16) / 9),
  height,
  fps: 25,
  pixFmt: 'yuv420p',
  startSeconds: 0,
  durationSeconds: 60,
  profile: 'High',
  level: 40,
  bitRate: 8_000_000,
});

const rules = (v: NonNullable<SourceInfo['video']>) => ({
  defaultCodec: 'h264' as const,
  defaultBitrate: defaultBitrateKbps,
  widthFor: (h: number) => outputWidth(h, v),
  sourceKbps: Math.round(v.bitRate / 1000),
});

describe('resolveVariants', () => {
  it('keeps the request order, drops what is taller than the source and says why', () => {
    const v = video('h264', 720);
    const { kept, dropped } = resolveVariants(
      [
        { height: 1080 },
        { codec: 'copy' },
        { height: 480, bitrateKbps: 900 },
        { height: 360, codec: 'hevc' },
      ],
      v,
      rules(v),
    );
    assert.deepEqual(
      kept.map((k) => [k.index, k.copy, k.codec, k.height, k.width, k.bitrateKbps]),
      [
        [0, true, 'h264', 720, 1280, 8000],
        [1, false, 'h264', 480, 854, 900],
        [2, false, 'hevc', 360, 640, defaultBitrateKbps(360, 'hevc')],
      ],
    );
    assert.deepEqual(dropped, [
      { requested: { height: 1080 }, reason: 'taller than the source (720 lines)' },
    ]);
  });

  it('drops a copy of a codec HLS does not carry', () => {
    const v = video('mpeg2video', 576);
    const { kept, dropped } = resolveVariants([{ codec: 'copy' }, { height: 360 }], v, rules(v));
    assert.deepEqual(
      kept.map((k) => k.height),
      [360],
    );
    assert.match(dropped[0]?.reason ?? '', /mpeg2video cannot be copied/);
  });

  it('keeps one variant at the source height when none fits', () => {
    const v = video('h264', 480);
    const { kept, dropped } = resolveVariants([{ height: 1080 }, { height: 720 }], v, rules(v));
    assert.deepEqual(
      kept.map((k) => [k.copy, k.height]),
      [[false, 480]],
    );
    assert.equal(dropped.length, 2);
    assert.match(dropped[0]?.reason ?? '', /no variant was left/);
  });
});
