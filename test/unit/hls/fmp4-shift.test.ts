// Moving an fMP4 fragment along the timeline: tfdt and sidx times, per track timescale (boxes as ISO/IEC 14496-12
// lays them out; the integration test checks FFmpeg's real segments).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shiftFragment, trackTimescales } from '../../../src/hls/fmp4-shift.js';

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
