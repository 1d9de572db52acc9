// Every name the worker writes in a stream folder reads back as what it was made from, and the public parsers (the
// names HTTP serves) refuse the names private to one FFmpeg run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  headInitName,
  headPlaylistId,
  headPlaylistName,
  headSegment,
  headSegmentPattern,
  initName,
  mediaPlaylistName,
  parseInitName,
  parseSegmentName,
  parseVariantPlaylist,
  segmentIndex,
  segmentName,
  type Container,
} from '../../../src/hls/stream-folder.js';

const index = fc.integer({ min: 0, max: 999_999_999 });
const head = fc.integer({ min: 0, max: 999_999_999 });
const variant = fc.option(fc.integer({ min: 0, max: 9 }), { nil: null });
const container = fc.constantFrom<Container>('ts', 'fmp4');

describe('stream folder names', () => {
  it('a segment name parses back to its variant and index', () => {
    fc.assert(
      fc.property(index, container, variant, (i, c, v) => {
        const name = segmentName(i, c, v);
        assert.deepEqual(parseSegmentName(name), { variant: v, index: i });
        assert.equal(segmentIndex(name), i);
        assert.equal(headSegment(name), null);
      }),
    );
  });

  it('an init segment name parses back to its variant, for every generation', () => {
    fc.assert(
      fc.property(variant, fc.integer({ min: 0, max: 9 }), (v, generation) => {
        assert.equal(parseInitName(initName(v, generation)), v);
      }),
    );
  });

  it('a variant playlist name parses back to its variant; stream.m3u8 is none', () => {
    for (let v = 0; v <= 9; v++) assert.equal(parseVariantPlaylist(mediaPlaylistName(v)), v);
    assert.equal(parseVariantPlaylist(mediaPlaylistName(null)), null);
  });

  it("a head's segment, as FFmpeg fills in its pattern, parses back to head, variant and index", () => {
    fc.assert(
      fc.property(head, variant, index, container, (h, v, i, c) => {
        const pattern = headSegmentPattern(h, c, v !== null);
        const name = pattern.replace('%v', String(v)).replace('%d', String(i));
        assert.deepEqual(headSegment(name), { head: h, variant: v, index: i });
        assert.equal(parseSegmentName(name), null);
      }),
    );
  });

  it("a head's playlist name parses back to head and variant", () => {
    fc.assert(
      fc.property(head, variant, (h, v) => {
        assert.deepEqual(headPlaylistId(headPlaylistName(h, v)), { head: h, variant: v });
        assert.equal(parseVariantPlaylist(headPlaylistName(h, v)), null);
      }),
    );
  });

  it("a head's init segment is neither a public init segment nor a segment", () => {
    fc.assert(
      fc.property(head, variant, (h, v) => {
        const name = headInitName(h, v);
        assert.equal(parseInitName(name), undefined);
        assert.equal(headSegment(name), null);
        assert.equal(parseSegmentName(name), null);
      }),
    );
  });
});
