// The subtitle extraction's FFmpeg arguments: one read of the input, one WebVTT file per text track.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSubtitleArgs, extractionFileName } from '../../../src/ffmpeg/subtitle-args.js';

describe('buildSubtitleArgs', () => {
  const args = buildSubtitleArgs({
    inputPath: '/mnt/media/film:1.mkv',
    videoIndex: 0,
    tracks: [
      { index: 3, file: '/w/streams/a/subtitles-0.webvtt' },
      { index: 5, file: '/w/streams/a/subtitles-1.webvtt' },
    ],
  });

  it('reads the hardened input once, as a file: URL', () => {
    const input = args.indexOf('-i');
    assert.equal(args[input + 1], 'file:/mnt/media/film:1.mkv');
    assert.equal(args.filter((a) => a === '-i').length, 1);
    const whitelist = args.indexOf('-protocol_whitelist');
    assert.ok(whitelist >= 0 && whitelist < input, 'input hardening comes before -i');
    assert.equal(args[whitelist + 1], 'file');
    assert.ok(args.indexOf('-format_whitelist') < input);
  });

  it('writes each track to its own WebVTT file, flushed cue by cue, without picture, sound or data', () => {
    const out = args.slice(args.indexOf('-i') + 2).join(' ');
    assert.ok(
      out.includes(
        '-map 0:3 -vn -an -dn -c:s webvtt -flush_packets 1 -f webvtt /w/streams/a/subtitles-0.webvtt -map 0:5 -vn -an -dn -c:s webvtt -flush_packets 1 -f webvtt /w/streams/a/subtitles-1.webvtt',
      ),
      out,
    );
  });

  it('copies the video to a null output so progress follows the input, and reports progress on stdout', () => {
    assert.deepEqual(args.slice(-7), ['-map', '0:0', '-c', 'copy', '-f', 'null', '-']);
    assert.equal(args[args.indexOf('-progress') + 1], 'pipe:1');
    assert.ok(args.includes('-nostdin'));
  });

  it('names the extraction files apart from everything players fetch', () => {
    assert.equal(extractionFileName(2), 'subtitles-2.webvtt');
  });
});
