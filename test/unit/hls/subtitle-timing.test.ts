// The X-TIMESTAMP-MAP for MPEG-TS (fixed) and fMP4 (from the init segment's video edit list).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fmp4TimestampMap, shiftMap, tsTimestampMap, videoEdit } from '../../../src/hls/subtitle-timing.js';

function box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

function u32(...values: number[]): Uint8Array {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => {
    b.writeInt32BE(v | 0, 4 * i);
  });
  return b;
}

/** mvhd/mdhd version 0: version+flags, creation, modification, timescale, duration. */
const header = (type: string, timescale: number): Uint8Array => box(type, u32(0, 0, 0, timescale, 0));
const hdlr = (handler: string): Uint8Array =>
  box('hdlr', u32(0, 0), Buffer.from(handler, 'latin1'), u32(0, 0, 0), Buffer.from('x\0'));
/** elst version 0: (segment duration, media time) pairs, media rate 1.0. */
const elst = (edits: [number, number][]): Uint8Array =>
  box('elst', u32(0, edits.length), ...edits.map(([d, t]) => u32(d, t, 0x10000)));

function trak(handler: string, timescale: number, edits: [number, number][] | null): Uint8Array {
  return box(
    'trak',
    box('tkhd', u32(0, 0, 0, 1, 0, 0)),
    ...(edits === null ? [] : [box('edts', elst(edits))]),
    box('mdia', header('mdhd', timescale), hdlr(handler)),
  );
}

/** What FFmpeg 5.1 wrote for the x264 fMP4 test stream (values captured from its init.mp4): audio first. */
function init(video: [number, number][] | null): Uint8Array {
  return Buffer.concat([
    box('ftyp', Buffer.from('iso5\0\0\0\x01iso6mp41', 'latin1')),
    box(
      'moov',
      header('mvhd', 1000),
      trak('soun', 48000, [
        [978, -1],
        [0, 0],
      ]),
      trak('vide', 15360, video),
    ),
  ]);
}

describe('MPEG-TS', () => {
  it('maps cue time 0 to 2.4 s: the 1 s timestamp base and the mpegts muxer’s 1.4 s', () => {
    assert.deepEqual(tsTimestampMap(), { mpegts: 216000, localSeconds: 0 });
  });
});

describe('fMP4', () => {
  it("reads the video track's edit list, not the audio's", () => {
    assert.deepEqual(
      videoEdit(
        init([
          [1000, -1],
          [0, 1024],
        ]),
      ),
      { movieTimescale: 1000, mediaTimescale: 15360, emptyDuration: 1000, mediaTime: 1024 },
    );
  });

  it('shifts cues by the B-frame delay the players do not take off (x264 transcode: 6000)', () => {
    const map = fmp4TimestampMap(
      init([
        [1000, -1],
        [0, 1024],
      ]),
    );
    assert.deepEqual(map, { mpegts: 6000, localSeconds: 0 });
  });

  it('moves a copy whose first frame comes after the start into LOCAL (never a negative MPEGTS)', () => {
    // The copied video's first frame at 0.021 s (after AAC priming in the MKV), no B-frames.
    assert.deepEqual(
      fmp4TimestampMap(
        init([
          [1021, -1],
          [0, 0],
        ]),
      ),
      { mpegts: 0, localSeconds: 0.021 },
    );
  });

  it('maps without a shift when there is no edit list or no MP4 at all', () => {
    assert.deepEqual(fmp4TimestampMap(init(null)), { mpegts: 0, localSeconds: 0 });
    assert.deepEqual(fmp4TimestampMap(Buffer.from('not an mp4 at all')), { mpegts: 0, localSeconds: 0 });
    assert.equal(videoEdit(new Uint8Array(0)), null);
  });
});

describe('shiftMap', () => {
  it('rounds to the 90 kHz clock and the millisecond', () => {
    assert.deepEqual(shiftMap(1 / 30), { mpegts: 3000, localSeconds: 0 });
    assert.deepEqual(shiftMap(-0.0004), { mpegts: 0, localSeconds: 0 });
  });
});
