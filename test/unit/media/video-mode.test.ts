// Copy (direct stream) or transcode, and why.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SourceInfo } from '../../../src/media/source-info.js';
import { chooseVideoMode, humanLevel, transcodeCodec } from '../../../src/media/video-mode.js';

const h264: NonNullable<SourceInfo['video']> = {
  index: 0,
  codec: 'h264',
  width: 1920,
  height: 1080,
  fps: 24,
  pixFmt: 'yuv420p',
  startSeconds: 0,
  durationSeconds: 60,
  profile: 'High',
  level: 41,
  bitRate: 0,
};

describe('chooseVideoMode', () => {
  it('transcodes when a codec is named', () => {
    assert.deepEqual(chooseVideoMode({ codec: 'hevc' }, h264), {
      copy: false,
      codec: 'hevc',
      reason: 'hevc requested',
    });
  });

  it('copies on copy, and refuses a codec HLS does not carry', () => {
    assert.equal((chooseVideoMode({ codec: 'copy' }, h264) as { copy: boolean }).copy, true);
    const vp9 = chooseVideoMode({ codec: 'copy' }, { ...h264, codec: 'vp9' });
    assert.ok('error' in vp9);
    assert.match(vp9.error, /vp9, which HLS does not carry/);
  });

  it('auto: copies a source that fits codec, height, profile and level; else says what does not fit', () => {
    const fits = chooseVideoMode(
      { codec: 'auto', height: 1080, profiles: ['high', 'main'], maxLevel: 4.1 },
      h264,
    );
    assert.ok(!('error' in fits) && fits.copy);
    const cases: [Parameters<typeof chooseVideoMode>[0], RegExp][] = [
      [{ codec: 'auto', height: 720 }, /1080 lines high, 720 asked/],
      [{ codec: 'auto', profiles: ['main'] }, /profile high is not among main/],
      [{ codec: 'auto', maxLevel: 4 }, /level 4.1 is above 4/],
      [{ codec: 'auto', codecs: ['hevc'] }, /the source is h264, the client plays hevc/],
    ];
    for (const [wish, why] of cases) {
      const mode = chooseVideoMode(wish, h264);
      assert.ok(!('error' in mode) && !mode.copy, JSON.stringify(wish));
      assert.match(mode.reason, why);
    }
    const hevcSource = chooseVideoMode(
      { codec: 'auto', codecs: ['hevc', 'h264'] },
      { ...h264, codec: 'hevc', level: 123 },
    );
    assert.ok(!('error' in hevcSource) && hevcSource.copy && hevcSource.codec === 'hevc');
  });

  it('transcodes auto to the first codec the client plays', () => {
    assert.equal(transcodeCodec({ codec: 'auto' }), 'h264');
    assert.equal(transcodeCodec({ codec: 'auto', codecs: ['hevc', 'h264'] }), 'hevc');
    assert.equal(humanLevel('hevc', 153), 5.1);
    assert.equal(humanLevel('vp9', 10), null);
  });
});
