import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProgressParser } from '../../../src/ffmpeg/progress.js';

// Captured on this machine: ffmpeg -nostats -progress pipe:1 -f lavfi -i testsrc2=...:duration=10 -c:v libx264 -f null - (FFmpeg 5.1.9).
const REAL = `frame=1
fps=0.00
stream_0_0_q=0.0
bitrate=N/A
total_size=N/A
out_time_us=0
out_time_ms=0
out_time=00:00:00.000000
dup_frames=0
drop_frames=0
speed=N/A
progress=continue
frame=300
fps=0.00
stream_0_0_q=-1.0
bitrate=N/A
total_size=N/A
out_time_us=10000000
out_time_ms=10000000
out_time=00:00:10.000000
dup_frames=0
drop_frames=0
speed= 119x
progress=end
`;

describe('ProgressParser', () => {
  it('parses blocks split at arbitrary chunk boundaries', () => {
    for (const size of [1, 7, 64, REAL.length]) {
      const parser = new ProgressParser();
      const out = [];
      for (let i = 0; i < REAL.length; i += size) out.push(...parser.push(REAL.slice(i, i + size)));
      assert.equal(out.length, 2, `chunk ${size}`);
      assert.deepEqual(out[0], { outTimeSeconds: 0, frame: 1, fps: 0, speed: null, end: false });
      assert.deepEqual(out[1], { outTimeSeconds: 10, frame: 300, fps: 0, speed: 119, end: true });
    }
  });
  it('treats N/A and negative values sanely', () => {
    const p = new ProgressParser();
    const [b] = p.push('out_time_us=-9223372036854775807\nspeed=N/A\nprogress=continue\n');
    assert.deepEqual(b, { outTimeSeconds: 0, frame: 0, fps: 0, speed: null, end: false });
  });
});
