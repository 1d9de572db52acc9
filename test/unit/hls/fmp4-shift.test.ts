// Moving an fMP4 fragment along the timeline: tfdt and sidx times, per track timescale (boxes as ISO/IEC 14496-12
// lays them out; the integration test checks FFmpeg's real segments).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moveInitEdits, shiftFragment, trackTimescales } from '../../../src/hls/fmp4-shift.js';

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}
const u32 = (...n: number[]): Buffer =>
  Buffer.concat(n.map((v) => Buffer.from([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255])));
const u64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
};

/** tkhd v0: version/flags, creation, modification, track_ID, …; mdhd v0: version/flags, creation, modification, timescale. */
function trak(id: number, timescale: number): Buffer {
  return box('trak', box('tkhd', u32(0, 0, 0, id, 0)), box('mdia', box('mdhd', u32(0, 0, 0, timescale, 0))));
}

function traf(id: number, decodeTime: bigint): Buffer {
  return box(
    'traf',
    box('tfhd', u32(0x020000, id)),
    box('tfdt', u32(0x01000000), u64(decodeTime)),
    box('trun', u32(0, 0)),
  );
}

describe('fMP4 timeline shift', () => {
  const init = Buffer.concat([
    box('ftyp', Buffer.from('iso5')),
    box('moov', box('mvhd', u32(0)), trak(1, 24000), trak(2, 48000)),
  ]);

  it('reads each track timescale from the init segment', () => {
    assert.deepEqual(
      [...trackTimescales(init)],
      [
        [1, 24000],
        [2, 48000],
      ],
    );
  });

  it('adds the shift to every tfdt (in its track timescale) and to the sidx', () => {
    const segment = Buffer.concat([
      box('styp', Buffer.from('msdh')),
      box('sidx', u32(0, 1, 90000, 180000, 0)),
      box('moof', box('mfhd', u32(0, 7)), traf(1, 96096n), traf(2, 192000n)),
      box('mdat', Buffer.alloc(16)),
    ]);
    const moved = shiftFragment(segment, 12.012, trackTimescales(init));
    assert.equal(moved, 3);
    const sidx = segment.indexOf('sidx') - 4;
    assert.equal(segment.readUInt32BE(sidx + 8 + 12), 180000 + Math.round(12.012 * 90000));
    const moof = segment.indexOf('moof') - 4;
    const tfdts = [...segment.subarray(moof).toString('latin1').matchAll(/tfdt/g)].map(
      (m) => moof + m.index + 8,
    );
    assert.deepEqual(
      tfdts.map((at) => segment.readBigUInt64BE(at)),
      [96096n + 288288n, 192000n + 576576n],
    );
  });

  it('moves nothing in bytes without a complete moof', () => {
    const cut = box('moof', box('mfhd', u32(0, 1)), traf(1, 0n)).subarray(0, 30);
    assert.equal(shiftFragment(Buffer.from(cut), 1, new Map([[1, 1000]])), 0);
  });
});

/** elst entries as [segment_duration, media_time]; version 1 writes 64-bit fields. */
function elst(version: 0 | 1, entries: readonly (readonly [number, number])[]): Buffer {
  const fields = entries.map(([duration, mediaTime]) => {
    const b = Buffer.alloc(version === 1 ? 20 : 12);
    if (version === 1) {
      b.writeBigUInt64BE(BigInt(duration), 0);
      b.writeBigInt64BE(BigInt(mediaTime), 8);
      b.writeUInt32BE(0x10000, 16);
    } else {
      b.writeUInt32BE(duration, 0);
      b.writeInt32BE(mediaTime, 4);
      b.writeUInt32BE(0x10000, 8);
    }
    return b;
  });
  return box('edts', box('elst', u32(version << 24, entries.length), ...fields));
}

/** The edit lists of an init segment as [segment_duration, media_time] per track, read back. */
function edits(init: Buffer): number[][][] {
  const out: number[][][] = [];
  let at = init.indexOf('elst', 0, 'latin1');
  while (at >= 0) {
    const body = at + 4;
    const wide = init[body] === 1;
    const n = init.readUInt32BE(body + 4);
    const track: number[][] = [];
    for (let i = 0, p = body + 8; i < n; i++, p += wide ? 20 : 12)
      track.push(
        wide
          ? [Number(init.readBigUInt64BE(p)), Number(init.readBigInt64BE(p + 8))]
          : [init.readUInt32BE(p), init.readInt32BE(p + 4)],
      );
    out.push(track);
    at = init.indexOf('elst', body, 'latin1');
  }
  return out;
}

describe('moving a seek head init segment to the film timeline', () => {
  // As FFmpeg 5.1 writes a head that starts 8 s in: empty edits of the 1 s base plus 8 s (video) and less the
  // audio priming (audio), then the B-frame delay (1024 at 15360) and the audio from its start.
  const seekInit = (videoVersion: 0 | 1): Buffer =>
    Buffer.concat([
      box('ftyp', Buffer.from('iso5')),
      box(
        'moov',
        box('mvhd', u32(0, 0, 0, 1000, 0)),
        box(
          'trak',
          box('tkhd', u32(0, 0, 0, 1, 0)),
          elst(videoVersion, [
            [9000, -1],
            [0, 1024],
          ]),
        ),
        box(
          'trak',
          box('tkhd', u32(0, 0, 0, 2, 0)),
          elst(0, [
            [8978, -1],
            [0, 0],
          ]),
        ),
      ),
    ]);

  it('takes the head start off each leading empty edit, in the movie timescale, and keeps the media edits', () => {
    for (const version of [0, 1] as const) {
      const before = seekInit(version);
      const { data, moved } = moveInitEdits(before, 8);
      assert.equal(moved, 2);
      assert.deepEqual(edits(data), [
        [
          [1000, -1],
          [0, 1024],
        ],
        [
          [978, -1],
          [0, 0],
        ],
      ]);
      assert.deepEqual(edits(before)[0]?.[0], [9000, -1], 'the original is not touched');
    }
  });

  it('leaves an edit list without a leading empty edit, or one shorter than the move, as it is', () => {
    const init = box(
      'moov',
      box('mvhd', u32(0, 0, 0, 1000, 0)),
      box('trak', elst(0, [[0, 1024]])),
      box(
        'trak',
        elst(0, [
          [500, -1],
          [0, 0],
        ]),
      ),
    );
    const { data, moved } = moveInitEdits(init, 8);
    assert.equal(moved, 0);
    assert.ok(data.equals(init));
  });
});
