import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkInterlace, interlaceVerdict, parseIdet } from '../../../src/media/interlace-check.js';
import { runCommand } from '../../../src/process/run-command.js';
import { makeHdrMedia, makeInterlacedMedia } from '../../helpers/media.js';

// idet's summary as Debian 12's FFmpeg 5.1 prints it, on a woven top-field-first clip and on a progressive one.
const TFF_STDERR = `Stream mapping:
  Stream #0:0 -> #0:0 (h264 (native) -> wrapped_avframe (native))
[Parsed_idet_0 @ 0x565404033b80] Repeated Fields: Neither:    50 Top:     0 Bottom:     0
[Parsed_idet_0 @ 0x565404033b80] Single frame detection: TFF:    50 BFF:     0 Progressive:     0 Undetermined:     0
[Parsed_idet_0 @ 0x565404033b80] Multi frame detection: TFF:    50 BFF:     0 Progressive:     0 Undetermined:     0
`;
const PROGRESSIVE_STDERR = `[Parsed_idet_0 @ 0x561b4d093dc0] Repeated Fields: Neither:    50 Top:     0 Bottom:     0
[Parsed_idet_0 @ 0x561b4d093dc0] Single frame detection: TFF:     2 BFF:     0 Progressive:    48 Undetermined:     0
[Parsed_idet_0 @ 0x561b4d093dc0] Multi frame detection: TFF:     0 BFF:     0 Progressive:    50 Undetermined:     0
`;

describe('parseIdet', () => {
  it('reads the multi-frame counts, not the single-frame ones', () => {
    assert.deepEqual(parseIdet(TFF_STDERR), { tff: 50, bff: 0, progressive: 0, undetermined: 0 });
    assert.deepEqual(parseIdet(PROGRESSIVE_STDERR), { tff: 0, bff: 0, progressive: 50, undetermined: 0 });
  });

  it('gives null without the summary', () => {
    assert.equal(parseIdet('Error opening input files: Invalid data found'), null);
  });
});

describe('interlaceVerdict', () => {
  const c = (tff: number, bff: number, progressive: number, undetermined = 0) => ({
    tff,
    bff,
    progressive,
    undetermined,
  });
  it('names the dominant field order of an interlaced picture', () => {
    assert.equal(interlaceVerdict(c(50, 0, 0)), 'tff');
    assert.equal(interlaceVerdict(c(3, 120, 10)), 'bff');
    assert.equal(interlaceVerdict(c(40, 0, 20)), 'tff', 'exactly twice the progressive ones');
  });

  it('says progressive when progressive frames dominate', () => {
    assert.equal(interlaceVerdict(c(0, 0, 50)), 'progressive');
    assert.equal(interlaceVerdict(c(10, 0, 20)), 'progressive');
  });

  it('decides nothing on mixed results or too few judged frames', () => {
    assert.equal(interlaceVerdict(c(30, 0, 20)), null, 'mixed');
    assert.equal(interlaceVerdict(c(10, 0, 0, 190)), null, 'a still picture is undetermined');
    assert.equal(interlaceVerdict(c(0, 0, 19)), null);
  });
});

describe('checkInterlace with FFmpeg', () => {
  it('finds the combing of a clip tagged progressive, and none in a progressive one', async () => {
    const woven = await checkInterlace(
      runCommand,
      'ffmpeg',
      await makeInterlacedMedia({ order: 'tff', tagged: false }),
    );
    assert.ok(woven.ok, woven.ok ? '' : woven.reason);
    assert.equal(woven.verdict, 'tff', JSON.stringify(woven.counts));
    const bff = await checkInterlace(
      runCommand,
      'ffmpeg',
      await makeInterlacedMedia({ order: 'bff', tagged: true }),
    );
    assert.ok(bff.ok && bff.verdict === 'bff', JSON.stringify(bff));
    const progressive = await checkInterlace(runCommand, 'ffmpeg', await makeHdrMedia({ kind: 'pq' }));
    assert.ok(progressive.ok, progressive.ok ? '' : progressive.reason);
    assert.equal(progressive.verdict, 'progressive', JSON.stringify(progressive.counts));
  });

  it('says why when the file is not media', async () => {
    const result = await checkInterlace(runCommand, 'ffmpeg', '/nonexistent/film.mkv');
    assert.equal(result.ok, false);
  });
});
