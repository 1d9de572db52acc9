// The picture fields of POST /jobs: every tone-map curve the filter knows, and nothing else.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJobRequest } from '../../../src/contract/job-request.js';
import { TONE_MAP_OPERATORS } from '../../../src/ffmpeg/picture-filters.js';

const body = (video: object): unknown => ({ input: 'a.mkv', video: { codec: 'h264', ...video } });

describe('video.toneMap and video.deinterlace', () => {
  it('accepts auto, off and each operator of toneMapFilter', () => {
    for (const toneMap of ['auto', 'off', ...TONE_MAP_OPERATORS])
      assert.equal(parseJobRequest(body({ toneMap })).video.toneMap, toneMap);
  });
  it('accepts the four deinterlace modes', () => {
    for (const deinterlace of ['auto', 'on', 'off', 'double'])
      assert.equal(parseJobRequest(body({ deinterlace })).video.deinterlace, deinterlace);
  });
  it('refuses anything else with INVALID_BODY', () => {
    for (const video of [{ toneMap: 'reinhardt' }, { toneMap: true }, { deinterlace: 'yadif' }])
      assert.throws(() => parseJobRequest(body(video)), { code: 'INVALID_BODY' });
  });
});
