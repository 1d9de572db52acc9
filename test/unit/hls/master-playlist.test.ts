// master.m3u8 as RFC 8216 §4.3.4 describes it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeMaster } from '../../../src/hls/master-playlist.js';
import { variantBandwidth } from '../../../src/stream/variant-plan.js';

describe('composeMaster', () => {
  it('lists each variant with its bandwidth, resolution, codecs and frame rate', () => {
    const text = composeMaster(
      [
        {
          uri: 'v0.m3u8',
          bandwidth: 4_000_000,
          averageBandwidth: 3_000_000,
          width: 1280,
          height: 720,
          codecs: 'avc1.64001f,mp4a.40.2',
          frameRate: 23.976,
        },
        {
          uri: 'v1.m3u8',
          bandwidth: 1_000_000,
          averageBandwidth: 800_000,
          width: null,
          height: 360,
          codecs: 'avc1.64001e',
          frameRate: 25,
        },
      ],
      [],
      'ts',
    );
    assert.equal(
      text,
      '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=4000000,AVERAGE-BANDWIDTH=3000000,RESOLUTION=1280x720,' +
        'CODECS="avc1.64001f,mp4a.40.2",FRAME-RATE=23.976\nv0.m3u8\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=1000000,AVERAGE-BANDWIDTH=800000,CODECS="avc1.64001e",FRAME-RATE=25.000\n' +
        'v1.m3u8\n',
    );
  });

  it('adds subtitle renditions in one group that every variant names, quotes made safe', () => {
    const text = composeMaster(
      [
        {
          uri: 'v0.m3u8',
          bandwidth: 1,
          averageBandwidth: 1,
          width: 2,
          height: 2,
          codecs: 'hvc1.1.6.L93.90',
          frameRate: 25,
        },
      ],
      [{ id: 0, playlist: 's0.m3u8', name: 'English "SDH"', language: 'eng', default: false, forced: false }],
      'fmp4',
    );
    assert.match(text, /#EXT-X-VERSION:7/);
    assert.match(
      text,
      /#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English 'SDH'",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="s0.m3u8"\n/,
    );
    assert.match(text, /FRAME-RATE=25.000,SUBTITLES="subs"\nv0.m3u8\n/);
  });
});

describe('variantBandwidth', () => {
  const encode = {
    index: 0,
    copy: false,
    codec: 'h264' as const,
    height: 720,
    width: 1280,
    bitrateKbps: 3000,
  };
  it('promises the VBV peak of a segment (maxrate·(S+2)/S) and the average, with container overhead', () => {
    const audio = { streamIndex: 1, bitrateKbps: 128, channels: 2 };
    assert.deepEqual(variantBandwidth(encode, audio, 'ts', 4), {
      bandwidth: Math.round((3000 * 1.5 + 128) * 1000 * 1.06),
      averageBandwidth: Math.round(3128 * 1000 * 1.06),
    });
    // Shorter segments: the buffer weighs more in the peak.
    assert.equal(variantBandwidth(encode, null, 'fmp4', 2).bandwidth, Math.round(6000 * 1000 * 1.02));
  });
});
