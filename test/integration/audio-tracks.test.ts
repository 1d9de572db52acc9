// The audio a job plays: by language or index, copied or encoded, on a source with two languages (real FFmpeg).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestDaemon, testConfig, waitForJobEnd, type TestDaemon } from '../helpers/daemon.js';
import { makeMountDir, run } from '../helpers/media.js';

/** An MKV with an English AAC stereo track and a French AC-3 5.1 track, the French one the default. */
function twoLanguages(dir: string): void {
  // prettier-ignore
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=6',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=6',
    '-f', 'lavfi', '-i', 'sine=frequency=880:sample_rate=48000:duration=6',
    '-map', '0:v', '-map', '1:a', '-map', '2:a',
    '-c:v', 'libx264', '-preset', 'ultrafast',
    '-c:a:0', 'aac', '-ac:a:0', '2', '-c:a:1', 'ac3', '-ac:a:1', '6',
    '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fre',
    '-disposition:a:0', '0', '-disposition:a:1', 'default',
    path.join(dir, 'two.mkv'),
  ]);
}

async function audioOf(file: string): Promise<{ codec: string; channels: number }> {
  const { stdout: out } = await run('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'a',
    '-show_entries',
    'stream=codec_name,channels',
    '-of',
    'json',
    file,
  ]);
  const streams = (JSON.parse(out) as { streams: { codec_name: string; channels: number }[] }).streams;
  assert.equal(streams.length, 1, 'one audio track in the output');
  return { codec: streams[0]?.codec_name ?? '', channels: streams[0]?.channels ?? 0 };
}

describe('audio track and codec', () => {
  let d: TestDaemon;
  const out = mkdtempSync(path.join(tmpdir(), 'tw-audio-'));
  before(async () => {
    const mount = makeMountDir();
    twoLanguages(mount);
    d = await startTestDaemon(testConfig(mount));
  });
  after(async () => {
    await d.stop();
  });

  const run = async (id: string, audio: Record<string, unknown> | undefined) => {
    const res = await d.api('POST', '/jobs', {
      id,
      input: 'two.mkv',
      video: { codec: 'h264', height: 144 },
      segmentSeconds: 2,
      ...(audio === undefined ? {} : { audio }),
    });
    assert.equal(res.status, 202, await res.text());
    const done = await waitForJobEnd(d, id, 60_000);
    assert.equal(done.status, 'completed', done.error);
    const seg = await fetch(`${d.localUrl}/streams/${id}/seg-1.ts`);
    assert.equal(seg.status, 200);
    const file = path.join(out, `${id}.ts`);
    writeFileSync(file, Buffer.from(await seg.arrayBuffer()));
    return { view: done, audio: await audioOf(file) };
  };

  it('plays the French 5.1 track as it is when asked by language and 6 channels are allowed', async () => {
    const { view, audio } = await run('fra-copy', { lang: 'fra', codec: 'auto', channels: 6 });
    assert.deepEqual(audio, { codec: 'ac3', channels: 6 });
    const track = view.output?.audioTrack;
    assert.ok(track);
    assert.equal(track.language, 'fre');
    assert.equal(track.copied, true);
    assert.equal(track.index, 1);
  });

  it('downmixes it to AAC stereo by default', async () => {
    const { view, audio } = await run('fra-aac', { lang: 'fr' });
    assert.deepEqual(audio, { codec: 'aac', channels: 2 });
    assert.equal(view.output?.audioTrack?.copied, false);
  });

  it('picks the English track by index and copies its AAC on auto', async () => {
    const { view, audio } = await run('eng', { track: 0, codec: 'auto' });
    assert.deepEqual(audio, { codec: 'aac', channels: 2 });
    const track = view.output?.audioTrack;
    assert.ok(track);
    assert.equal(track.language, 'eng');
    assert.equal(track.copied, true);
  });

  it('plays the default-disposition track when the request names none, or a missing language', async () => {
    for (const [id, audio] of [
      ['default', undefined],
      ['missing', { lang: 'deu' }],
    ] as const) {
      const { view } = await run(id, audio);
      assert.equal(view.output?.audioTrack?.language, 'fre', id);
    }
  });
});
