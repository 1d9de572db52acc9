// Image subtitles burned into the picture (burnSubtitles): a hand-made PGS track of white rectangles over testsrc2,
// checked in the worker's output as FFmpeg plays it back from the playlist (real FFmpeg, HTTP).
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestDaemon, testConfig, waitForJobEnd, type TestDaemon } from '../helpers/daemon.js';
import { makeMountDir, makeSubtitledMedia } from '../helpers/media.js';
import { writePgs } from '../helpers/pgs.js';

const run = promisify(execFile);

const RECT = { x: 100, y: 120, width: 120, height: 40 };
const EVENTS = [
  { start: 1, end: 3, ...RECT },
  { start: 5, end: 7, ...RECT },
];

/**
 * Mean luma of the rectangle's area in the frame at `t` s of a stream, as FFmpeg plays it from its playlist (a child
 * process awaited, not a sync call: the worker answering it runs in this process).
 */
async function rectLuma(url: string, t: number, height = 180): Promise<number> {
  // The rectangle scaled with the picture (the source is 180 lines high).
  const k = height / 180;
  const crop = [RECT.width, RECT.height, RECT.x, RECT.y].map((v) => Math.round(v * k)).join(':');
  // prettier-ignore
  const { stdout } = await run('ffmpeg', [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-i', url, '-ss', String(t), '-frames:v', '1',
    '-vf', `crop=${crop},format=gray`, '-f', 'rawvideo', '-',
  ], { encoding: 'buffer' });
  return stdout.reduce((a, b) => a + b, 0) / stdout.length;
}

describe('burning image subtitles into the picture', () => {
  let d: TestDaemon;
  before(async () => {
    const mount = makeMountDir();
    const sup = path.join(mount, 'subs.sup');
    writePgs(sup, { width: 320, height: 180 }, EVENTS);
    // prettier-ignore
    execFileSync('ffmpeg', [
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=8',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=8',
      '-i', sup,
      '-map', '0', '-map', '1', '-map', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-c:s', 'copy',
      // The .sup's times are the film's: keep them (each input would otherwise start at 0 on its own).
      '-copyts', path.join(mount, 'pgs.mkv'),
    ]);
    copyFileSync(await makeSubtitledMedia({ seconds: 6 }), path.join(mount, 'text.mkv'));
    d = await startTestDaemon(testConfig(mount));
  });
  after(async () => {
    await d.stop();
  });

  it('draws the PGS track into every variant, only while each subtitle is shown', async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'burn',
      input: 'pgs.mkv',
      video: { codec: 'auto' },
      variants: [
        { height: 180, bitrateKbps: 600 },
        { height: 144, bitrateKbps: 300 },
      ],
      burnSubtitles: { track: 0 },
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202, await res.clone().text());
    const done = await waitForJobEnd(d, 'burn', 60_000);
    assert.equal(done.status, 'completed', done.error);
    assert.deepEqual(done.output?.burnedSubtitles, {
      streamIndex: 2,
      track: 0,
      codec: 'hdmv_pgs_subtitle',
      language: null,
    });
    for (const [variant, height] of [
      [0, 180],
      [1, 144],
    ] as const) {
      const url = `${d.localUrl}/streams/burn/v${variant}.m3u8`;
      // White (Y 235) while shown; testsrc2's own picture there averages ~110–130.
      for (const t of [2, 6]) {
        const luma = await rectLuma(url, t, height);
        assert.ok(luma > 200, `v${variant} at ${t} s: shown (luma ${luma})`);
      }
      for (const t of [0.5, 4, 7.5]) {
        const luma = await rectLuma(url, t, height);
        assert.ok(luma < 180, `v${variant} at ${t} s: not shown (luma ${luma})`);
      }
    }
  });

  it('a copy cannot burn in (400); a missing track fails the job with the reason, a text track is burned', async () => {
    const copy = await d.api('POST', '/jobs', {
      input: 'pgs.mkv',
      video: { codec: 'copy' },
      burnSubtitles: { track: 0 },
    });
    assert.equal(copy.status, 400);
    assert.match(
      ((await copy.json()) as { error: { message: string } }).error.message,
      /burnSubtitles needs a transcode/,
    );
    const missing = await d.api('POST', '/jobs', {
      id: 'missing',
      input: 'pgs.mkv',
      video: { codec: 'h264', height: 144 },
      burnSubtitles: { track: 3 },
    });
    assert.equal(missing.status, 202);
    const failed = await waitForJobEnd(d, 'missing', 30_000);
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /the source has 1 subtitle track$/);
    // Issue 18: a text track is no longer refused; it is drawn by libass (what it draws: test/integration/picture.test.ts).
    const text = await d.api('POST', '/jobs', {
      id: 'text',
      input: 'text.mkv',
      video: { codec: 'h264', height: 144 },
      burnSubtitles: { track: 0 },
    });
    assert.equal(text.status, 202);
    const done = await waitForJobEnd(d, 'text', 30_000);
    assert.equal(done.status, 'completed', done.error);
    assert.deepEqual(done.output?.burnedSubtitles, {
      streamIndex: 3,
      track: 0,
      codec: 'subrip',
      language: 'eng',
      text: true,
    });
  });
});
