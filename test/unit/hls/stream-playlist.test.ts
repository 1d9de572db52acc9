// The playlists players get: VOD (whole film, nominal cuts) and event (made segments, FFmpeg's durations).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  composeEventPlaylist,
  composeVodPlaylist,
  isWholeSegment,
  parseHeadPlaylist,
} from '../../../src/hls/stream-playlist.js';
import { headPlaylistId, headSegment } from '../../../src/hls/stream-folder.js';
import { vodDurations } from '../../../src/stream/heads.js';

// What FFmpeg 5.1's hls muxer wrote for a 23.976 fps source cut every 4 s (captured from a run, head 0).
const FFMPEG_PLAYLIST = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:EVENT
#EXT-X-INDEPENDENT-SEGMENTS
#EXTINF:4.004000,
h0-0.ts
#EXTINF:4.004000,
h0-1.ts
#EXTINF:4.004000,
h0-2.ts
#EXT-X-ENDLIST
`;

describe('head playlists', () => {
  it('parses the segments FFmpeg listed', () => {
    assert.deepEqual(parseHeadPlaylist(FFMPEG_PLAYLIST), [
      { index: 0, duration: 4.004 },
      { index: 1, duration: 4.004 },
      { index: 2, duration: 4.004 },
    ]);
  });

  it('skips names that are not a head segment and EXTINF without a segment', () => {
    assert.deepEqual(
      parseHeadPlaylist(
        '#EXTINF:2.0,\n../etc/passwd\n#EXTINF:x,\nh1-1.ts\n#EXTINF:2,\nh1-2.ts\n#EXTINF:2,\nseg-3.ts\n',
      ),
      [{ index: 2, duration: 2 }],
    );
  });

  it('recognises head file names only', () => {
    assert.deepEqual(headSegment('h3-12.ts'), { head: 3, variant: null, index: 12 });
    // An ABR head's file of variant 1 (FFmpeg fills in h3-v%v-%d.ts).
    assert.deepEqual(headSegment('h3-v1-12.ts'), { head: 3, variant: 1, index: 12 });
    assert.deepEqual(headPlaylistId('h0.m3u8'), { head: 0, variant: null });
    assert.deepEqual(headPlaylistId('h12.m3u8'), { head: 12, variant: null });
    assert.deepEqual(headPlaylistId('h12-v5.m3u8'), { head: 12, variant: 5 });
    for (const bad of [
      'h01-1.ts',
      'h1-01.ts',
      'h1-1.ts.tmp',
      'seg-1.ts',
      'h-1.ts',
      'h1.m3u8.tmp',
      'h1-v12-1.ts',
      'h1-v-1.ts',
      'h1-v1-init.mp4',
    ])
      assert.equal(headSegment(bad), null, bad);
    for (const bad of ['h01.m3u8', 'stream.m3u8', 'h1.m3u8.tmp', 'run-1.m3u8', 'h1-v.m3u8', 'v1.m3u8'])
      assert.equal(headPlaylistId(bad), null, bad);
  });
});

describe('composeEventPlaylist', () => {
  const made = parseHeadPlaylist(FFMPEG_PLAYLIST).map((s) => ({ ...s, encoder: 'libx264' }));

  it('lists made segments like FFmpeg would, under their public names, with ENDLIST only when complete', () => {
    const expected = FFMPEG_PLAYLIST.replaceAll('h0-', 'seg-');
    assert.equal(
      composeEventPlaylist(made, { segmentSeconds: 4, ended: false }),
      expected.replace('#EXT-X-ENDLIST\n', ''),
    );
    assert.equal(composeEventPlaylist(made, { segmentSeconds: 4, ended: true }), expected);
  });

  it('has nothing to serve before the first segment', () => {
    assert.equal(composeEventPlaylist([], { segmentSeconds: 4, ended: false }), null);
    const one = [{ index: 0, duration: 3, encoder: 'x' }];
    assert.match(composeEventPlaylist(one, { segmentSeconds: 4, ended: false }) ?? '', /seg-0.ts\n$/);
    assert.match(
      composeEventPlaylist(one, { segmentSeconds: 4, ended: true }) ?? '',
      /seg-0.ts\n#EXT-X-ENDLIST\n$/,
    );
  });

  it('puts one discontinuity where the encoder changed (hardware → software fallback)', () => {
    const text =
      composeEventPlaylist(
        [
          { index: 0, duration: 2, encoder: 'h264_vaapi' },
          { index: 1, duration: 2, encoder: 'h264_vaapi' },
          { index: 2, duration: 2, encoder: 'libx264' },
          { index: 3, duration: 2, encoder: 'libx264' },
        ],
        { segmentSeconds: 2, ended: true },
      ) ?? '';
    assert.equal(
      text.split('#EXT-X-INDEPENDENT-SEGMENTS\n')[1],
      '#EXTINF:2.000000,\nseg-0.ts\n#EXTINF:2.000000,\nseg-1.ts\n#EXT-X-DISCONTINUITY\n' +
        '#EXTINF:2.000000,\nseg-2.ts\n#EXTINF:2.000000,\nseg-3.ts\n#EXT-X-ENDLIST\n',
    );
  });

  it("fMP4: the software run's own init segment after the discontinuity, and back where the GPU's segments are", () => {
    const made = [
      { index: 0, duration: 2, encoder: 'h264_vaapi', init: 0 },
      { index: 1, duration: 2, encoder: 'libx264', init: 1 },
      { index: 2, duration: 2, encoder: 'h264_vaapi', init: 0 },
    ];
    const text =
      composeEventPlaylist(made, { segmentSeconds: 2, ended: true, container: 'fmp4', variant: 1 }) ?? '';
    assert.equal(
      text.split('#EXT-X-INDEPENDENT-SEGMENTS\n')[1],
      '#EXT-X-MAP:URI="v1-init.mp4"\n#EXTINF:2.000000,\nv1-seg-0.m4s\n' +
        '#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="v1-init-1.mp4"\n#EXTINF:2.000000,\nv1-seg-1.m4s\n' +
        '#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="v1-init.mp4"\n#EXTINF:2.000000,\nv1-seg-2.m4s\n#EXT-X-ENDLIST\n',
    );
    // MPEG-TS carries its parameter sets in-band: the discontinuities only.
    assert.ok(!(composeEventPlaylist(made, { segmentSeconds: 2, ended: true }) ?? '').includes('MAP'));
  });

  it('keeps the target duration at least the segment length, and above any longer segment', () => {
    const text = composeEventPlaylist(
      [
        { index: 0, duration: 6.6, encoder: 'x' },
        { index: 1, duration: 4, encoder: 'x' },
      ],
      { segmentSeconds: 4, ended: false },
    );
    assert.match(text ?? '', /#EXT-X-TARGETDURATION:7\n/);
  });
});

describe('composeVodPlaylist', () => {
  it('lists every segment at once with the remainder last, VOD type and ENDLIST', () => {
    const durations = vodDurations(10.5, 4, 3);
    assert.deepEqual(durations, [4, 4, 2.5]);
    assert.equal(
      composeVodPlaylist(durations, 4),
      '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n' +
        '#EXT-X-INDEPENDENT-SEGMENTS\n#EXTINF:4.000000,\nseg-0.ts\n#EXTINF:4.000000,\nseg-1.ts\n' +
        '#EXTINF:2.500000,\nseg-2.ts\n#EXT-X-ENDLIST\n',
    );
  });

  it('names the init segment and .m4s segments for fMP4, at version 7', () => {
    const text = composeVodPlaylist([4, 1.5], 4, 'fmp4');
    assert.match(text, /^#EXTM3U\n#EXT-X-VERSION:7\n/);
    assert.match(
      text,
      /#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:4.000000,\nseg-0.m4s\n/,
    );
    assert.ok(!text.includes('.ts'));
    assert.deepEqual(headSegment('h2-7.m4s'), { head: 2, variant: null, index: 7 });
    // A variant's playlist names its own init segment and segments.
    assert.match(
      composeVodPlaylist([4], 4, 'fmp4', 2),
      /#EXT-X-MAP:URI="v2-init.mp4"\n#EXTINF:4.000000,\nv2-seg-0.m4s\n/,
    );
  });

  it("after a mid-stream fallback: a discontinuity and the new init where each segment's generation changes", () => {
    const text = composeVodPlaylist([2, 2, 2, 1], 2, 'fmp4', null, [0, 0, 1, 1]);
    assert.equal(
      text.split('#EXT-X-INDEPENDENT-SEGMENTS\n')[1],
      '#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2.000000,\nseg-0.m4s\n#EXTINF:2.000000,\nseg-1.m4s\n' +
        '#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init-1.mp4"\n#EXTINF:2.000000,\nseg-2.m4s\n' +
        '#EXTINF:1.000000,\nseg-3.m4s\n#EXT-X-ENDLIST\n',
    );
    // Software from the first segment on: its init is the only one.
    assert.match(composeVodPlaylist([2], 2, 'fmp4', null, [1]), /#EXT-X-MAP:URI="init-1.mp4"\n#EXTINF/);
    assert.equal(composeVodPlaylist([2, 2], 2, 'ts', null, [0, 1]), composeVodPlaylist([2, 2], 2, 'ts'));
  });

  it('sums to the source duration for a two-hour film', () => {
    const d = vodDurations(7199.957, 4, 1800);
    assert.equal(d.length, 1800);
    assert.ok(Math.abs(d.reduce((a, b) => a + b, 0) - 7199.957) < 1e-6);
  });
});

describe('isWholeSegment', () => {
  it('keeps a segment within a frame and a half of the cut, remakes a cut-short one', () => {
    assert.equal(isWholeSegment(4.004, 4, 23.976), true);
    assert.equal(isWholeSegment(3.96, 4, 23.976), true);
    assert.equal(isWholeSegment(1.2, 4, 23.976), false);
  });
});
