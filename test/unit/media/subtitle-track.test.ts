// Subtitle tracks from ffprobe: which are text (renditions), their language, title and flags.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSourceInfo } from '../../../src/media/source-info.js';
import { isTextSubtitle, languageTag, subtitleTrack } from '../../../src/media/subtitle-track.js';

// The streams part of `ffprobe -show_entries ...` for an MKV with video, audio, SRT, ASS and PGS tracks.
const PROBE = JSON.stringify({
  streams: [
    { index: 0, codec_type: 'video', codec_name: 'h264', width: 640, height: 360, avg_frame_rate: '30/1' },
    { index: 1, codec_type: 'audio', codec_name: 'aac', channels: 2, tags: { language: 'eng' } },
    {
      index: 2,
      codec_type: 'subtitle',
      codec_name: 'subrip',
      disposition: { default: 1, forced: 0 },
      tags: { language: 'eng', title: 'English' },
    },
    {
      index: 3,
      codec_type: 'subtitle',
      codec_name: 'ass',
      disposition: { default: 0, forced: 1 },
      tags: { language: 'FRE', title: '  ' },
    },
    { index: 4, codec_type: 'subtitle', codec_name: 'hdmv_pgs_subtitle', tags: { language: 'und' } },
  ],
  format: { duration: '12.000', format_name: 'matroska,webm', start_time: '0.000000' },
});

describe('subtitle tracks', () => {
  it('lists every subtitle track in order with its language, title and flags', () => {
    const info = parseSourceInfo(PROBE);
    assert.deepEqual(info.subtitleTracks, [
      {
        index: 2,
        codec: 'subrip',
        language: 'eng',
        title: 'English',
        default: true,
        forced: false,
        text: true,
      },
      { index: 3, codec: 'ass', language: 'fre', title: null, default: false, forced: true, text: true },
      {
        index: 4,
        codec: 'hdmv_pgs_subtitle',
        language: null,
        title: null,
        default: false,
        forced: false,
        text: false,
      },
    ]);
    assert.equal(info.audioTracks.length, 1, 'audio tracks are unchanged');
  });

  it('has none for a source without subtitles', () => {
    assert.deepEqual(parseSourceInfo(JSON.stringify({ streams: [], format: {} })).subtitleTracks, []);
  });

  it('knows text codecs from image codecs', () => {
    for (const codec of ['subrip', 'srt', 'ass', 'ssa', 'mov_text', 'webvtt', 'text'])
      assert.equal(isTextSubtitle(codec), true, codec);
    for (const codec of ['hdmv_pgs_subtitle', 'dvb_subtitle', 'dvd_subtitle', 'xsub', 'eia_608', 'unknown'])
      assert.equal(isTextSubtitle(codec), false, codec);
  });

  it('keeps 2–3 letter language tags, lower case, and drops "und" and anything else', () => {
    assert.equal(languageTag('ENG'), 'eng');
    assert.equal(languageTag('fr'), 'fr');
    for (const bad of ['und', 'english', 'e', '', undefined])
      assert.equal(languageTag(bad), null, String(bad));
  });

  it('reads a stream without disposition or tags', () => {
    assert.deepEqual(subtitleTrack({ index: 7, codec_name: 'mov_text' }), {
      index: 7,
      codec: 'mov_text',
      language: null,
      title: null,
      default: false,
      forced: false,
      text: true,
    });
  });
});
