// Subtitle renditions' names, media playlists and master-playlist lines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bcp47,
  composeSubtitlePlaylist,
  renditionNames,
  segmentWindow,
  subtitleFile,
  subtitleMediaTags,
  subtitlePlaylistName,
  subtitleSegmentName,
} from '../../../src/hls/subtitle-playlist.js';

describe('subtitle file names', () => {
  it('names and recognises playlists and segments', () => {
    assert.equal(subtitlePlaylistName(1), 's1.m3u8');
    assert.equal(subtitleSegmentName(1, 12), 's1-12.vtt');
    assert.deepEqual(subtitleFile('s1.m3u8'), { track: 1, segment: null });
    assert.deepEqual(subtitleFile(subtitleSegmentName(0, 37)), { track: 0, segment: 37 });
  });

  it('recognises nothing else', () => {
    for (const name of [
      's01.m3u8',
      's1-01.vtt',
      's1.vtt',
      's-1.m3u8',
      's1-2.vtt.tmp',
      'stream.m3u8',
      'x1-2.vtt',
      '',
    ])
      assert.equal(subtitleFile(name), null, name);
  });
});

describe('segmentWindow', () => {
  const durations = [4, 4, 2.5];

  it('gives each segment the span of its video segment, open at both ends of the film', () => {
    assert.deepEqual(segmentWindow(durations, 0), { from: -Infinity, to: 4 });
    assert.deepEqual(segmentWindow(durations, 1), { from: 4, to: 8 });
    assert.deepEqual(segmentWindow(durations, 2), { from: 8, to: Infinity });
    assert.deepEqual(segmentWindow([6], 0), { from: -Infinity, to: Infinity });
  });

  it('has none past the end', () => {
    assert.equal(segmentWindow(durations, 3), null);
    assert.equal(segmentWindow(durations, -1), null);
    assert.equal(segmentWindow(durations, 1.5), null);
  });
});

describe('composeSubtitlePlaylist', () => {
  it("lists one segment per video segment with the video's durations", () => {
    assert.equal(
      composeSubtitlePlaylist(1, [4.004, 4.004, 1.2]),
      `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:4
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:4.004000,
s1-0.vtt
#EXTINF:4.004000,
s1-1.vtt
#EXTINF:1.200000,
s1-2.vtt
#EXT-X-ENDLIST
`,
    );
  });

  it('covers the longest segment in its target duration', () => {
    assert.match(composeSubtitlePlaylist(0, [4, 8.6, 2]), /#EXT-X-TARGETDURATION:9\n/);
  });
});

describe('rendition names and master lines', () => {
  it('names by title, else language, else position; repeats get a number', () => {
    assert.deepEqual(
      renditionNames([
        { language: 'eng', title: 'English "SDH"' },
        { language: 'fre', title: null },
        { language: null, title: null },
        { language: 'fra', title: null },
        { language: 'xyz', title: '  ' },
      ]),
      ["English 'SDH'", 'French', 'Subtitles 3', 'French (2)', 'Subtitles 5'],
    );
  });

  it('turns ISO 639-2 tags into the BCP 47 tags HLS wants', () => {
    assert.equal(bcp47('eng'), 'en');
    assert.equal(bcp47('fre'), 'fr');
    assert.equal(bcp47('fra'), 'fr');
    assert.equal(bcp47('not a tag'), 'not a tag');
  });

  it('writes one #EXT-X-MEDIA line per rendition', () => {
    assert.deepEqual(
      subtitleMediaTags([
        { id: 0, language: 'eng', name: 'English', default: true, forced: false, playlist: 's0.m3u8' },
        { id: 1, language: null, name: 'Subtitles 2', default: false, forced: true, playlist: 's1.m3u8' },
      ]),
      [
        '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,FORCED=NO,URI="s0.m3u8"',
        '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Subtitles 2",DEFAULT=NO,AUTOSELECT=YES,FORCED=YES,URI="s1.m3u8"',
      ],
    );
  });
});
