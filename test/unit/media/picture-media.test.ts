// The generated picture sources are what they claim, read by the worker's own probe (real ffprobe).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { probeSource, type SourceInfo } from '../../../src/media/source-info.js';
import { runCommand } from '../../../src/process/run-command.js';
import { makeHdrMedia, makeInterlacedMedia, makeTextSubtitles } from '../../helpers/media.js';

const run = promisify(execFile);

async function probe(file: string): Promise<SourceInfo> {
  const result = await probeSource(runCommand, 'ffprobe', file);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.info;
}

describe('HDR test media', () => {
  it('HDR10: HEVC Main 10, BT.2020/PQ tags, mastering display and content light level read back', async () => {
    const v = (await probe(await makeHdrMedia({ kind: 'pq' }))).video;
    assert.equal(v?.codec, 'hevc');
    assert.equal(v.profile, 'Main 10');
    assert.deepEqual(v.picture, {
      transfer: 'smpte2084',
      primaries: 'bt2020',
      space: 'bt2020nc',
      range: 'tv',
      bitDepth: 10,
      hdr: 'pq',
      hdr10: {
        masteringDisplay: {
          red: { x: 0.68, y: 0.32 },
          green: { x: 0.265, y: 0.69 },
          blue: { x: 0.15, y: 0.06 },
          whitePoint: { x: 0.3127, y: 0.329 },
          minLuminance: 0.0001,
          maxLuminance: 1000,
        },
        contentLight: { maxCll: 1000, maxFall: 400 },
      },
      fieldOrder: 'progressive',
    });
  });

  it('HDR10 in MP4 carries the same tags and metadata', async () => {
    const p = (await probe(await makeHdrMedia({ kind: 'pq', container: 'mp4' }))).video?.picture;
    assert.equal(p?.hdr, 'pq');
    assert.equal(p.hdr10?.contentLight?.maxCll, 1000);
  });

  it('HLG: HEVC Main 10 with the ARIB STD-B67 transfer and no HDR10 metadata', async () => {
    const v = (await probe(await makeHdrMedia({ kind: 'hlg' }))).video;
    assert.equal(v?.profile, 'Main 10');
    assert.equal(v.picture?.hdr, 'hlg');
    assert.equal(v.picture.transfer, 'arib-std-b67');
    assert.equal(v.picture.primaries, 'bt2020');
    assert.equal(v.picture.bitDepth, 10);
    assert.equal(v.picture.hdr10, null);
  });
});

describe('interlaced test media', () => {
  it('tagged clips say their field order; the untagged one claims progressive', async () => {
    const order = async (spec: Parameters<typeof makeInterlacedMedia>[0]): Promise<unknown> =>
      (await probe(await makeInterlacedMedia(spec))).video?.picture?.fieldOrder;
    assert.equal(await order({ order: 'tff', tagged: true }), 'tff');
    assert.equal(await order({ order: 'bff', tagged: true }), 'bff');
    assert.equal(await order({ order: 'tff', tagged: false }), 'progressive');
  });
});

describe('text subtitle test media', () => {
  it('carries mov_text in MP4 and SRT, ASS and WebVTT in MKV, each with every cue', async () => {
    const subs = await makeTextSubtitles({ seconds: 8 });
    assert.deepEqual(
      (await probe(subs.movTextMp4)).subtitleTracks.map((t) => t.codec),
      ['mov_text'],
    );
    assert.deepEqual(
      (await probe(subs.mkv)).subtitleTracks.map((t) => t.codec),
      ['subrip', 'ass', 'webvtt'],
    );
    for (const file of [subs.srt, subs.ass, subs.vtt]) {
      const { stdout } = await run('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'packet=pts_time',
        '-of',
        'csv=p=0',
        file,
      ]);
      assert.deepEqual(stdout.trim().split('\n').map(Number), [1, 3, 5], file);
    }
  });
});
