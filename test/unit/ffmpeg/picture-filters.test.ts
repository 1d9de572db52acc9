import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  deinterlaceFilter,
  escapeFilterValue,
  subtitleBurnFilter,
  toneMapFilter,
} from '../../../src/ffmpeg/picture-filters.js';

describe('toneMapFilter', () => {
  it('states the HDR10 input, tone-maps with hable in linear float RGB, and leaves BT.709 limited 8-bit', () => {
    assert.equal(
      toneMapFilter({ hdr: 'pq', primaries: 'bt2020', space: 'bt2020nc', range: 'tv' }),
      'zscale=transferin=smpte2084:primariesin=bt2020:matrixin=bt2020nc:rangein=tv:transfer=linear:npl=100,' +
        'format=gbrpf32le,zscale=primaries=bt709,tonemap=tonemap=hable:desat=0,' +
        'zscale=transfer=bt709,format=gbrp16le,zscale=matrix=bt709:range=tv,format=yuv420p',
    );
  });

  it('reads HLG, takes an operator and a size, and falls back to BT.2020 limited for unstated colour', () => {
    assert.equal(
      toneMapFilter(
        { hdr: 'hlg', primaries: '', space: 'unknown' },
        { operator: 'mobius', size: { width: 1920, height: 1080 } },
      ),
      'zscale=w=1920:h=1080:transferin=arib-std-b67:primariesin=bt2020:matrixin=bt2020nc:rangein=tv:transfer=linear:npl=100,' +
        'format=gbrpf32le,zscale=primaries=bt709,tonemap=tonemap=mobius:desat=0,' +
        'zscale=transfer=bt709,format=gbrp16le,zscale=matrix=bt709:range=tv,format=yuv420p',
    );
    assert.match(
      toneMapFilter({ hdr: 'pq', range: 'pc', primaries: 'smpte432' }),
      /primariesin=smpte432:matrixin=bt2020nc:rangein=pc:/,
    );
  });
});

describe('deinterlaceFilter', () => {
  it('keeps the frame rate unless doubling is asked, and always deinterlaces every frame', () => {
    assert.equal(deinterlaceFilter(), 'bwdif=mode=send_frame:parity=auto:deint=all');
    assert.equal(
      deinterlaceFilter({ doubleRate: true, parity: 'bff' }),
      'bwdif=mode=send_field:parity=bff:deint=all',
    );
  });
});

describe('escapeFilterValue', () => {
  it('escapes for the option parser, then for the graph parser', () => {
    assert.equal(escapeFilterValue('/w/a.ass'), '/w/a.ass');
    assert.equal(escapeFilterValue("it's"), "it\\\\\\'s");
    assert.equal(escapeFilterValue('a:b'), 'a\\\\:b');
    assert.equal(escapeFilterValue('a,b;c[d]'), 'a\\,b\\;c\\[d\\]');
    assert.equal(escapeFilterValue('a\\b'), 'a\\\\\\\\b');
    assert.equal(escapeFilterValue('a b '), 'a\\\\ b\\\\ ');
  });
});

describe('subtitleBurnFilter', () => {
  it('burns the file as is when the run starts at source time 0', () => {
    assert.equal(subtitleBurnFilter({ file: '/w/s/track.ass' }), 'subtitles=filename=/w/s/track.ass');
    assert.equal(
      subtitleBurnFilter({ file: '/w/s/track.ass', sourceOffsetSeconds: 0 }),
      'subtitles=filename=/w/s/track.ass',
    );
  });

  it('moves timestamps to source time around libass after a seek, and back', () => {
    assert.equal(
      subtitleBurnFilter({ file: '/w/s/t.srt', sourceOffsetSeconds: 4 }),
      'setpts=PTS+4/TB,subtitles=filename=/w/s/t.srt,setpts=PTS-4/TB',
    );
    assert.equal(
      subtitleBurnFilter({ file: '/w/s/t.srt', sourceOffsetSeconds: 1e-7 + 100.5, fontsDir: '/w/fonts' }),
      'setpts=PTS+100.5/TB,subtitles=filename=/w/s/t.srt:fontsdir=/w/fonts,setpts=PTS-100.5/TB',
    );
  });
});
