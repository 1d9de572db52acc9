// The playlist players get, composed from the runs' playlists (one per FFmpeg run; a second after a fallback).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  composeStreamPlaylist,
  contiguousSegments,
  parseRunPlaylist,
  resumeSegment,
  runPlaylistStart,
} from '../../../src/hls/stream-playlist.js';

// What FFmpeg 5.1's hls muxer wrote for a 23.976 fps source cut every 4 s (captured from a run).
const FFMPEG_PLAYLIST = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:EVENT
#EXT-X-INDEPENDENT-SEGMENTS
#EXTINF:4.004000,
seg-0.ts
#EXTINF:4.004000,
seg-1.ts
#EXTINF:4.004000,
seg-2.ts
#EXT-X-ENDLIST
`;

describe('run playlists', () => {
  it('parses the segments FFmpeg listed', () => {
    assert.deepEqual(parseRunPlaylist(FFMPEG_PLAYLIST), [
      { index: 0, duration: 4.004 },
      { index: 1, duration: 4.004 },
      { index: 2, duration: 4.004 },
    ]);
  });

  it('skips names that are not ours and EXTINF without a segment', () => {
    assert.deepEqual(
      parseRunPlaylist('#EXTINF:2.0,\n../etc/passwd\n#EXTINF:x,\nseg-1.ts\n#EXTINF:2,\nseg-2.ts\n'),
      [{ index: 2, duration: 2 }],
    );
  });

  it('recognises run playlist names only', () => {
    assert.equal(runPlaylistStart('run-0.m3u8'), 0);
    assert.equal(runPlaylistStart('run-12.m3u8'), 12);
    for (const bad of ['run-01.m3u8', 'stream.m3u8', 'run-1.m3u8.tmp', 'run-.m3u8']) {
      assert.equal(runPlaylistStart(bad), null, bad);
    }
  });
});

describe('composeStreamPlaylist', () => {
  it('lists one run like FFmpeg would, with ENDLIST only when the job completed', () => {
    const runs = [{ startSegment: 0, segments: parseRunPlaylist(FFMPEG_PLAYLIST) }];
    const live = composeStreamPlaylist(runs, { segmentSeconds: 4, ended: false }) ?? '';
    assert.equal(live, FFMPEG_PLAYLIST.replace('#EXT-X-ENDLIST\n', ''));
    const done = composeStreamPlaylist(runs, { segmentSeconds: 4, ended: true });
    assert.equal(done, FFMPEG_PLAYLIST);
  });

  it('has nothing to serve before the first segment', () => {
    assert.equal(
      composeStreamPlaylist([{ startSegment: 0, segments: [] }], { segmentSeconds: 4, ended: false }),
      null,
    );
  });

  it('joins a failed hardware run and the software run after it with one discontinuity, same numbering', () => {
    const runs = [
      {
        startSegment: 0,
        endSegment: 2,
        // The failing run flushed a cut-short seg-2; the fallback remakes it.
        segments: [
          { index: 0, duration: 2 },
          { index: 1, duration: 2 },
          { index: 2, duration: 0.7 },
        ],
      },
      {
        startSegment: 2,
        segments: [
          { index: 2, duration: 2 },
          { index: 3, duration: 2 },
        ],
      },
    ];
    const text = composeStreamPlaylist(runs, { segmentSeconds: 2, ended: true }) ?? '';
    const body = text.split('#EXT-X-INDEPENDENT-SEGMENTS\n')[1];
    assert.equal(
      body,
      '#EXTINF:2.000000,\nseg-0.ts\n#EXTINF:2.000000,\nseg-1.ts\n#EXT-X-DISCONTINUITY\n' +
        '#EXTINF:2.000000,\nseg-2.ts\n#EXTINF:2.000000,\nseg-3.ts\n#EXT-X-ENDLIST\n',
    );
  });

  it('stops at a gap: an event playlist only grows at its end', () => {
    const listed = contiguousSegments([
      { startSegment: 0, segments: [{ index: 0, duration: 2 }] },
      { startSegment: 2, segments: [{ index: 2, duration: 2 }] },
    ]);
    assert.deepEqual(
      listed.map((s) => s.index),
      [0],
    );
  });

  it('keeps the target duration at least the segment length, and above any longer segment', () => {
    const text = composeStreamPlaylist([{ startSegment: 0, segments: [{ index: 0, duration: 6.6 }] }], {
      segmentSeconds: 4,
      ended: false,
    });
    assert.match(text ?? '', /#EXT-X-TARGETDURATION:7\n/);
  });
});

describe('resumeSegment', () => {
  const run = (durations: number[]) => [
    { startSegment: 0, segments: durations.map((duration, index) => ({ index, duration })) },
  ];

  it('continues after the last whole segment', () => {
    assert.equal(resumeSegment(run([4.004, 4.004]), 4, 23.976), 2);
  });

  it('remakes a last segment the failing encoder cut short', () => {
    assert.equal(resumeSegment(run([4.004, 1.2]), 4, 23.976), 1);
  });

  it('starts from zero when the encoder failed before its first segment', () => {
    assert.equal(resumeSegment(run([]), 4, 30), 0);
  });
});
