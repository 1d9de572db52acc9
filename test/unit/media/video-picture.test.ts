import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSourceInfo } from '../../../src/media/source-info.js';
import {
  fieldOrder,
  parseHdr10,
  parsePicture,
  pixFmtBitDepth,
  x265Hdr10Params,
  type VideoPicture,
} from '../../../src/media/video-picture.js';

// Captured from Debian 12's ffprobe 5.1 with probeSource's -show_entries, on files made by test/helpers/media.ts.
const HDR10_STREAM = {
  index: 0,
  codec_name: 'hevc',
  profile: 'Main 10',
  codec_type: 'video',
  width: 640,
  height: 360,
  pix_fmt: 'yuv420p10le',
  level: 63,
  color_range: 'tv',
  color_space: 'bt2020nc',
  color_transfer: 'smpte2084',
  color_primaries: 'bt2020',
  field_order: 'progressive',
  r_frame_rate: '25/1',
  avg_frame_rate: '25/1',
  start_time: '0.000000',
  duration: '2.000000',
  bit_rate: '76620',
  disposition: { default: 1, forced: 0, attached_pic: 0 },
  tags: { language: 'und' },
};
const HLG_STREAM = {
  index: 0,
  codec_name: 'hevc',
  profile: 'Main 10',
  codec_type: 'video',
  width: 320,
  height: 180,
  pix_fmt: 'yuv420p10le',
  level: 60,
  color_range: 'tv',
  color_space: 'bt2020nc',
  color_transfer: 'arib-std-b67',
  color_primaries: 'bt2020',
  field_order: 'progressive',
  r_frame_rate: '25/1',
  avg_frame_rate: '25/1',
  start_time: '0.000000',
  duration: '1.000000',
  bit_rate: '61624',
  disposition: { default: 1, forced: 0, attached_pic: 0 },
  tags: { language: 'und' },
};
// libx264 with -flags +ilme+ildct -field_order tt, in MKV; the same with bff=1 -field_order bb, in MP4.
const TFF_STREAM = {
  index: 0,
  codec_name: 'h264',
  profile: 'Main',
  codec_type: 'video',
  width: 720,
  height: 576,
  pix_fmt: 'yuv420p',
  level: 30,
  field_order: 'tt',
  r_frame_rate: '25/1',
  avg_frame_rate: '25/1',
  start_time: '0.000000',
  bits_per_raw_sample: '8',
  disposition: { default: 0, forced: 0, attached_pic: 0 },
  tags: { DURATION: '00:00:02.000000000' },
};
const BFF_STREAM = {
  index: 0,
  codec_name: 'h264',
  profile: 'Main',
  codec_type: 'video',
  width: 720,
  height: 576,
  pix_fmt: 'yuv420p',
  level: 30,
  field_order: 'bb',
  r_frame_rate: '25/1',
  avg_frame_rate: '25/1',
  start_time: '0.000000',
  duration: '2.000000',
  bit_rate: '3521344',
  bits_per_raw_sample: '8',
  disposition: { default: 1, forced: 0, attached_pic: 0 },
  tags: { language: 'und' },
};
// The first frame's side data of the HDR10 clip (x265 master-display and max-cll), and of the HLG clip (none).
const HDR10_FRAME = {
  frames: [
    {
      side_data_list: [
        {
          side_data_type: 'Mastering display metadata',
          red_x: '34000/50000',
          red_y: '16000/50000',
          green_x: '13250/50000',
          green_y: '34500/50000',
          blue_x: '7500/50000',
          blue_y: '3000/50000',
          white_point_x: '15635/50000',
          white_point_y: '16450/50000',
          min_luminance: '1/10000',
          max_luminance: '10000000/10000',
        },
        { side_data_type: 'Content light level metadata', max_content: 1000, max_average: 400 },
        { side_data_type: 'H.26[45] User Data Unregistered SEI message' },
        { side_data_type: 'H.26[45] User Data Unregistered SEI message' },
      ],
    },
  ],
};
const HLG_FRAME = {
  frames: [{ side_data_list: [{ side_data_type: 'H.26[45] User Data Unregistered SEI message' }] }],
};

const probe = (stream: object): string =>
  JSON.stringify({
    streams: [stream],
    format: { duration: '2.000000', format_name: 'mov,mp4,m4a,3gp,3g2,mj2' },
  });

/** The picture parseSourceInfo reads from one captured stream (it always sets one for a video). */
function pictureOf(stream: object): VideoPicture {
  const p = parseSourceInfo(probe(stream)).video?.picture;
  assert.ok(p, 'a video always has its picture read');
  return p;
}

describe('parseSourceInfo: the picture', () => {
  it('reads an HDR10 HEVC Main 10 source as PQ, 10-bit, BT.2020, progressive', () => {
    const v = parseSourceInfo(probe(HDR10_STREAM)).video;
    assert.deepEqual(v?.picture, {
      transfer: 'smpte2084',
      primaries: 'bt2020',
      space: 'bt2020nc',
      range: 'tv',
      bitDepth: 10,
      hdr: 'pq',
      hdr10: null,
      fieldOrder: 'progressive',
    });
    assert.equal(v.profile, 'Main 10', 'existing fields unchanged');
  });

  it('reads HLG as hlg', () => {
    const p = pictureOf(HLG_STREAM);
    assert.equal(p.hdr, 'hlg');
    assert.equal(p.transfer, 'arib-std-b67');
    assert.equal(p.bitDepth, 10);
  });

  it('reads tagged interlaced sources by the field shown first, and an untagged SDR one as SDR', () => {
    const tff = pictureOf(TFF_STREAM);
    assert.equal(tff.fieldOrder, 'tff');
    assert.equal(tff.hdr, null);
    assert.equal(tff.bitDepth, 8);
    assert.equal(tff.transfer, '', 'no colour tags: empty, not "unknown"');
    assert.equal(pictureOf(BFF_STREAM).fieldOrder, 'bff');
  });
});

describe('picture fields', () => {
  it('maps every FFmpeg field order by the field displayed first', () => {
    const cases: [string | undefined, string | null][] = [
      ['progressive', 'progressive'],
      ['tt', 'tff'],
      ['bt', 'tff'],
      ['bb', 'bff'],
      ['tb', 'bff'],
      ['unknown', null],
      [undefined, null],
    ];
    for (const [value, expected] of cases) assert.equal(fieldOrder(value), expected, String(value));
  });

  it('takes the bit depth from bits_per_raw_sample, else from pix_fmt', () => {
    assert.equal(pixFmtBitDepth('yuv420p'), 8);
    assert.equal(pixFmtBitDepth('yuv420p10le'), 10);
    assert.equal(pixFmtBitDepth('p010le'), 10);
    assert.equal(pixFmtBitDepth('yuv444p12be'), 12);
    assert.equal(pixFmtBitDepth('gray10le'), 10);
    assert.equal(pixFmtBitDepth('nv12'), 8);
    assert.equal(parsePicture({ pix_fmt: 'yuv420p', bits_per_raw_sample: '10' }).bitDepth, 10);
    assert.equal(parsePicture({ pix_fmt: 'yuv420p10le', bits_per_raw_sample: 'N/A' }).bitDepth, 10);
  });

  it('treats unknown and unspecified colour names as unstated', () => {
    const p = parsePicture({ color_transfer: 'unknown', color_primaries: 'unspecified', color_space: 'gbr' });
    assert.equal(p.transfer, '');
    assert.equal(p.primaries, '');
    assert.equal(p.space, 'gbr');
    assert.equal(p.hdr, null);
  });
});

describe('parseHdr10', () => {
  it("reads the first frame's mastering display and content light level", () => {
    const meta = parseHdr10(JSON.stringify(HDR10_FRAME));
    assert.deepEqual(meta, {
      masteringDisplay: {
        red: { x: 0.68, y: 0.32 },
        green: { x: 0.265, y: 0.69 },
        blue: { x: 0.15, y: 0.06 },
        whitePoint: { x: 0.3127, y: 0.329 },
        minLuminance: 0.0001,
        maxLuminance: 1000,
      },
      contentLight: { maxCll: 1000, maxFall: 400 },
    });
  });

  it('gives null for a frame without HDR10 side data, or no frame', () => {
    assert.equal(parseHdr10(JSON.stringify(HLG_FRAME)), null);
    assert.equal(parseHdr10('{}'), null);
  });

  it('round-trips to the x265 parameters the clip was made with', () => {
    const meta = parseHdr10(JSON.stringify(HDR10_FRAME));
    assert.ok(meta);
    assert.deepEqual(x265Hdr10Params(meta), {
      masterDisplay: 'G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)',
      maxCll: '1000,400',
    });
  });
});
