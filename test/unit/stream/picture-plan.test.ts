// The picture plan over plain values: when a job tone-maps and deinterlaces, and what its view says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobRequest } from '../../../src/contract/job-request.js';
import type { SourceInfo } from '../../../src/media/source-info.js';
import type { VideoPicture } from '../../../src/media/video-picture.js';
import { needsInterlaceCheck, planPicture } from '../../../src/stream/picture-plan.js';

type SourceVideo = NonNullable<SourceInfo['video']>;

const SDR: VideoPicture = {
  transfer: 'bt709',
  primaries: 'bt709',
  space: 'bt709',
  range: 'tv',
  bitDepth: 8,
  hdr: null,
  hdr10: null,
  fieldOrder: 'progressive',
};
const PQ: VideoPicture = {
  ...SDR,
  transfer: 'smpte2084',
  primaries: 'bt2020',
  space: 'bt2020nc',
  bitDepth: 10,
  hdr: 'pq',
};

function video(picture?: Partial<VideoPicture>): SourceVideo {
  return {
    index: 0,
    codec: 'hevc',
    width: 3840,
    height: 2160,
    fps: 24,
    pixFmt: 'yuv420p10le',
    startSeconds: 0,
    durationSeconds: 10,
    profile: 'Main 10',
    level: 150,
    bitRate: 0,
    ...(picture === undefined ? {} : { picture: { ...SDR, ...picture } }),
  };
}

function request(v: Partial<JobRequest['video']> = {}): JobRequest {
  return { input: 'a.mkv', video: { codec: 'h264', ...v } };
}

describe('planPicture: tone mapping', () => {
  it('auto tone-maps a PQ source with hable, stating its colour', () => {
    const p = planPicture(request(), video(PQ), { copy: false });
    assert.deepEqual(p.toneMap, {
      operator: 'hable',
      source: { hdr: 'pq', primaries: 'bt2020', space: 'bt2020nc', range: 'tv' },
    });
    assert.equal(p.toneMapped.applied, true);
    assert.match(p.toneMapped.reason, /HDR10 \(PQ\).*BT\.709 SDR/);
    assert.equal(p.shown, true);
  });
  it('auto tone-maps HLG too; a named operator is used', () => {
    const p = planPicture(request({ toneMap: 'mobius' }), video({ ...PQ, hdr: 'hlg' }), { copy: false });
    assert.equal(p.toneMap?.operator, 'mobius');
    assert.equal(p.toneMap.source.hdr, 'hlg');
  });
  it('off, a copy and an SDR source do not tone-map, each saying why', () => {
    const off = planPicture(request({ toneMap: 'off' }), video(PQ), { copy: false });
    assert.equal(off.toneMap, null);
    assert.deepEqual(off.toneMapped.applied, false);
    assert.match(off.toneMapped.reason, /toneMap off/);
    const copy = planPicture(request(), video(PQ), { copy: true });
    assert.equal(copy.toneMap, null);
    assert.match(copy.toneMapped.reason, /copy/);
    const sdr = planPicture(request({ toneMap: 'hable' }), video(SDR), { copy: false });
    assert.equal(sdr.toneMap, null);
    assert.match(sdr.toneMapped.reason, /SDR/);
  });
});

describe('planPicture: deinterlacing', () => {
  it('auto deinterlaces a source tagged tff or bff, at its frame rate, with its parity', () => {
    for (const order of ['tff', 'bff'] as const) {
      const p = planPicture(request(), video({ fieldOrder: order }), { copy: false });
      assert.deepEqual(p.deinterlace, { parity: order, doubleRate: false });
      assert.equal(p.deinterlaced.applied, true);
    }
  });
  it('auto trusts idet for an untagged source, and leaves progressive or undecided verdicts alone', () => {
    const untagged = video({ fieldOrder: null });
    assert.deepEqual(planPicture(request(), untagged, { copy: false, interlace: 'bff' }).deinterlace, {
      parity: 'bff',
      doubleRate: false,
    });
    for (const interlace of ['progressive', null, undefined] as const) {
      const p = planPicture(request(), untagged, { copy: false, interlace });
      assert.equal(p.deinterlace, null);
      assert.equal(p.deinterlaced.applied, false);
    }
  });
  it('a progressive tag wins over nothing: auto leaves it; on and double force bwdif', () => {
    assert.equal(planPicture(request(), video(SDR), { copy: false }).deinterlace, null);
    assert.deepEqual(planPicture(request({ deinterlace: 'on' }), video(SDR), { copy: false }).deinterlace, {
      parity: 'auto',
      doubleRate: false,
    });
    assert.deepEqual(
      planPicture(request({ deinterlace: 'double' }), video({ fieldOrder: 'tff' }), { copy: false })
        .deinterlace,
      { parity: 'tff', doubleRate: true },
    );
  });
  it('off and a copy never deinterlace', () => {
    const tff = video({ fieldOrder: 'tff' });
    assert.equal(planPicture(request({ deinterlace: 'off' }), tff, { copy: false }).deinterlace, null);
    const copy = planPicture(request(), tff, { copy: true });
    assert.equal(copy.deinterlace, null);
    assert.match(copy.deinterlaced.reason, /copy/);
  });
});

describe('the view and the idet check', () => {
  it('a plain progressive SDR job shows no picture steps; a request naming one does', () => {
    assert.equal(planPicture(request(), video(SDR), { copy: false }).shown, false);
    assert.equal(planPicture(request(), video(), { copy: false }).shown, false);
    assert.equal(planPicture(request({ deinterlace: 'off' }), video(SDR), { copy: false }).shown, true);
    assert.equal(
      planPicture(request(), video({ fieldOrder: null }), { copy: false, interlace: null }).shown,
      true,
    );
  });
  it('idet runs only for a transcode of an untagged source that may be deinterlaced', () => {
    const untagged = video({ fieldOrder: null });
    assert.equal(needsInterlaceCheck(request(), untagged, false), true);
    assert.equal(needsInterlaceCheck(request({ deinterlace: 'on' }), untagged, false), true);
    assert.equal(needsInterlaceCheck(request({ deinterlace: 'off' }), untagged, false), false);
    assert.equal(needsInterlaceCheck(request(), untagged, true), false);
    assert.equal(needsInterlaceCheck(request(), video(SDR), false), false);
    assert.equal(needsInterlaceCheck(request(), video({ fieldOrder: 'tff' }), false), false);
    // No picture facts (an older probe cache entry): nothing to go on, no check.
    assert.equal(needsInterlaceCheck(request(), video(), false), false);
  });
});
