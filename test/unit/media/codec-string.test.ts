// RFC 6381 codec strings read from real encoder output (bytes captured from FFmpeg 5.1's x264, x265 and SVT-AV1).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { audioCodecString, codecFromAnnexB, codecFromInit } from '../../../src/media/codec-string.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('codecFromAnnexB', () => {
  it('reads profile, constraint flags and level of an H.264 SPS', () => {
    // x264 -profile:v main at 1280x720 25 fps: level 3.1 with constraint_set1 (Main).
    assert.equal(
      codecFromAnnexB(hex('47 40 11 10 00 00 00 01 09 f0 00 00 00 01 67 4d 40 1f ac d9')),
      'avc1.4d401f',
    );
    assert.equal(codecFromAnnexB(hex('00 00 01 67 64 00 1e ac')), 'avc1.64001e');
  });

  it('reads an HEVC SPS profile_tier_level through its emulation-prevention bytes', () => {
    // x265 Main, level 3.1 in MPEG-TS: 00 00 03 inside the PTL must be unescaped.
    const sps = hex('00 00 01 42 01 01 01 60 00 00 03 00 90 00 00 03 00 00 03 00 5d a0 02 80');
    assert.equal(codecFromAnnexB(sps), 'hvc1.1.6.L93.90');
  });

  it('finds nothing in bytes without an SPS', () => {
    assert.equal(codecFromAnnexB(hex('00 00 01 09 f0 00 00 01 68 ee 3c 80')), null);
    assert.equal(codecFromAnnexB(Buffer.alloc(0)), null);
  });
});

describe('codecFromInit', () => {
  it('reads hvcC, av1C and avcC boxes', () => {
    // hvcC of x265 Main level 3.1 (general_profile_compatibility 0x60000000, progressive + frame-only flags).
    assert.equal(
      codecFromInit(hex('0000001d 68766343 01 01 60000000 900000000000 5d f000fcfdf8f8')),
      'hvc1.1.6.L93.90',
    );
    // av1C of SVT-AV1 main profile, seq_level_idx 5 (3.1), main tier, 8-bit 4:2:0.
    assert.equal(codecFromInit(hex('00000010 61763143 81 05 0d 00')), 'av01.0.05M.08');
    assert.equal(codecFromInit(hex('00000010 61766343 01 64 00 28 ff e1')), 'avc1.640028');
    assert.equal(codecFromInit(hex('00000010 6d6f6f76')), null);
  });
});

describe('audioCodecString', () => {
  it('names AAC by profile and the Dolby codecs HLS carries', () => {
    assert.equal(audioCodecString('aac'), 'mp4a.40.2');
    assert.equal(audioCodecString('aac', 'HE-AAC'), 'mp4a.40.5');
    assert.equal(audioCodecString('aac', 'HE-AACv2'), 'mp4a.40.29');
    assert.equal(audioCodecString('ac3'), 'ac-3');
    assert.equal(audioCodecString('eac3'), 'ec-3');
    assert.equal(audioCodecString('flac'), null);
  });
});
