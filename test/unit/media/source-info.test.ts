import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSourceInfo } from '../../../src/media/source-info.js';

/** ffprobe's JSON for a source with one video and one audio stream, the video's fields as given. */
function probed(
  video: Record<string, unknown>,
  format: Record<string, unknown> = { duration: '13.023000' },
): string {
  return JSON.stringify({
    streams: [
      {
        index: 0,
        codec_type: 'video',
        codec_name: 'h264',
        width: 320,
        height: 240,
        avg_frame_rate: '25/1',
        ...video,
      },
      { index: 1, codec_type: 'audio', codec_name: 'aac', channels: 1, start_time: '0.000000' },
    ],
    format: { format_name: 'matroska,webm', start_time: '0.000000', ...format },
  });
}

describe('parseSourceInfo: the video length', () => {
  it("takes a Matroska track's DURATION tag (its end from 0) less where the track starts", () => {
    // Captured from FFmpeg 5.1's MKV of 10 s of picture and 13 s of sound (AAC priming moves the picture to 0.023).
    const info = parseSourceInfo(
      probed({ start_time: '0.023000', tags: { DURATION: '00:00:10.023000000' } }),
    );
    assert.ok(Math.abs((info.video?.durationSeconds ?? 0) - 10) < 1e-9, String(info.video?.durationSeconds));
    assert.equal(info.durationSeconds, 13.023, "the file's length stays the longest stream's");
  });

  it('reads hours and minutes, and prefers a stated stream duration to the tag', () => {
    const tagged = parseSourceInfo(probed({ start_time: '0', tags: { DURATION: '01:02:03.500000000' } }));
    assert.equal(tagged.video?.durationSeconds, 3723.5);
    const stated = parseSourceInfo(probed({ duration: '9.5', tags: { DURATION: '00:00:10.000000000' } }));
    assert.equal(stated.video?.durationSeconds, 9.5);
  });

  it('ignores a tag that is not a time, or ends before the track starts', () => {
    for (const DURATION of ['N/A', '10.0', '00:61:00.0', '']) {
      assert.equal(parseSourceInfo(probed({ tags: { DURATION } })).video?.durationSeconds, 0, DURATION);
    }
    const before = parseSourceInfo(probed({ start_time: '5', tags: { DURATION: '00:00:04.000000000' } }));
    assert.equal(before.video?.durationSeconds, 0);
  });
});
