// Several qualities from one decode: an ABR ladder, its master playlist, aligned variants, a copy beside encodes
// (real FFmpeg, real HTTP).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestDaemon, testConfig, waitForJobEnd, type TestDaemon } from '../helpers/daemon.js';
import { videoPackets } from '../helpers/ffprobe.js';
import { downloadStream, fetchBytes } from '../helpers/hls.js';
import { makeIrregularKeyframes, makeMedia, makeMountDir, run } from '../helpers/media.js';

interface StreamInf {
  readonly attrs: Record<string, string>;
  readonly uri: string;
}

/** The #EXT-X-STREAM-INF entries of a master playlist, attributes unquoted. */
function streamInfs(text: string): StreamInf[] {
  const lines = text.split('\n');
  const out: StreamInf[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return;
    const attrs: Record<string, string> = {};
    for (const m of line.slice(18).matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g))
      attrs[m[1] ?? ''] = (m[2] ?? '').replace(/^"|"$/g, '');
    out.push({ attrs, uri: lines[i + 1] ?? '' });
  });
  return out;
}

/** profile, level and codec tag of the first video stream, as ffprobe reports them. */
async function probeVideo(
  file: string,
): Promise<{ codec: string; profile: string; level: number; tag: string }> {
  const { stdout: out } = await run('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,profile,level,codec_tag_string',
    '-of',
    'json',
    file,
  ]);
  const s = (JSON.parse(out) as { streams: Record<string, string | number>[] }).streams[0] ?? {};
  return {
    codec: String(s.codec_name),
    profile: String(s.profile),
    level: Number(s.level),
    tag: String(s.codec_tag_string),
  };
}

const H264_PROFILES: Record<string, number> = { 'Constrained Baseline': 0x42, Main: 0x4d, High: 0x64 };

/** What CODECS must say for an H.264 stream ffprobe describes: avc1 + profile_idc + (flags) + level_idc. */
async function assertAvcMatches(codecs: string, file: string): Promise<void> {
  const p = await probeVideo(file);
  assert.equal(p.codec, 'h264');
  const m = /^avc1\.([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(codecs.split(',')[0] ?? '');
  assert.ok(m, `an avc1 string: ${codecs}`);
  assert.equal(parseInt(m[1] ?? '', 16), H264_PROFILES[p.profile], `profile ${p.profile} in ${codecs}`);
  assert.equal(parseInt(m[3] ?? '', 16), p.level, `level ${p.level} in ${codecs}`);
}

describe('adaptive bitrate ladder', () => {
  let d: TestDaemon;
  let mount = '';
  before(async () => {
    mount = makeMountDir();
    execFileSync('cp', [
      await makeMedia({ seconds: 12, width: 1280, height: 720, rate: 25 }),
      path.join(mount, 'film.mp4'),
    ]);
    execFileSync('cp', [
      await makeMedia({ seconds: 30, width: 640, height: 360, rate: 25 }),
      path.join(mount, 'long.mp4'),
    ]);
    // Main profile: the copy's CODECS must say 4d where the encodes' say 64.
    await makeIrregularKeyframes(mount, [0, 1.3, 4.1, 5, 9.7], { size: '640x360', profile: 'main' });
    // HEVC Main 10 in Matroska, as a film rip would be.
    // prettier-ignore
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=6',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=6',
      '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le',
      '-x265-params', 'keyint=25:min-keyint=25:log-level=error', '-c:a', 'aac',
      path.join(mount, 'hevc10.mkv'),
    ]);
    d = await startTestDaemon(testConfig(mount));
  });
  after(async () => {
    await d.stop();
  });

  it('makes every variant from one FFmpeg, aligned, and a master whose CODECS are what was encoded', async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'ladder',
      input: 'film.mp4',
      video: { codec: 'h264' },
      variants: [{ height: 1080 }, { height: 540, bitrateKbps: 1500 }, { height: 360 }],
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    const body = (await res.json()) as {
      playlistUrl: string;
      variants: { height: number; playlist: string }[];
      droppedVariants: { requested: { height: number }; reason: string }[];
    };
    assert.match(body.playlistUrl, /\/streams\/ladder\/master\.m3u8$/);
    // 1080 is taller than the 720-line source: dropped, and the answer says so.
    assert.deepEqual(
      body.variants.map((v) => v.height),
      [540, 360],
    );
    assert.equal(body.droppedVariants.length, 1);
    const [dropped] = body.droppedVariants;
    assert.ok(dropped !== undefined);
    assert.equal(dropped.requested.height, 1080);
    assert.match(dropped.reason, /taller than the source \(720 lines\)/);
    const running = (await (await d.api('GET', '/jobs/ladder')).json()) as { cost: number; heads: unknown[] };
    assert.equal(running.heads.length, 1, 'one FFmpeg for the whole ladder');
    assert.equal(running.cost, 2, 'the job weighs two encodes');

    const done = await waitForJobEnd(d, 'ladder', 90_000);
    assert.equal(done.status, 'completed', done.error);
    const master = (await fetchBytes(`${d.localUrl}/streams/ladder/master.m3u8`)).toString('utf8');
    const infs = streamInfs(master);
    assert.deepEqual(
      infs.map((i) => [i.uri, i.attrs.RESOLUTION]),
      [
        ['v0.m3u8', '960x540'],
        ['v1.m3u8', '640x360'],
      ],
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-abr-'));
    const streams = [];
    for (const inf of infs) {
      assert.equal(inf.attrs['FRAME-RATE'], '25.000');
      assert.match(inf.attrs.CODECS ?? '', /,mp4a\.40\.2$/);
      const sub = mkdtempSync(path.join(dir, 'v-'));
      const stream = await downloadStream(`${d.localUrl}/streams/ladder/${inf.uri}`, sub);
      await assertAvcMatches(inf.attrs.CODECS ?? '', stream.files[0] ?? '');
      // The bandwidth promised holds: no segment above BANDWIDTH, the whole below AVERAGE-BANDWIDTH (+10 %).
      const rates = stream.files.map(
        (f, k) => (readFileSync(f).length * 8) / (stream.playlist.segments[k]?.duration ?? 1),
      );
      const peak = Math.max(...rates.slice(0, -1));
      const bytes = stream.files.reduce((sum, f) => sum + readFileSync(f).length, 0);
      const total = stream.playlist.segments.reduce((sum, s) => sum + s.duration, 0);
      assert.ok(
        peak <= Number(inf.attrs.BANDWIDTH),
        `peak ${Math.round(peak)} > BANDWIDTH ${inf.attrs.BANDWIDTH}`,
      );
      assert.ok(
        (bytes * 8) / total <= Number(inf.attrs['AVERAGE-BANDWIDTH']) * 1.1,
        `average ${Math.round((bytes * 8) / total)} vs ${inf.attrs['AVERAGE-BANDWIDTH']}`,
      );
      streams.push(stream);
    }
    // Aligned: the same segments, each starting at the same time in every variant.
    const [a, b] = streams;
    assert.ok(a !== undefined && b !== undefined);
    assert.equal(a.files.length, 6);
    assert.deepEqual(
      a.playlist.segments.map((s) => s.duration),
      b.playlist.segments.map((s) => s.duration),
    );
    for (const [k, f] of a.files.entries()) {
      const pa = (await videoPackets(f))[0]?.pts ?? NaN;
      const pb = (await videoPackets(b.files[k] ?? ''))[0]?.pts ?? NaN;
      assert.ok(Math.abs(pa - pb) < 0.001, `segment ${k}: ${pa} vs ${pb}`);
    }
  });

  it('puts the source itself (copy) beside encodes, all cut at the source keyframes', async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'original',
      input: 'irregular.ts',
      video: { codec: 'h264' },
      variants: [{ codec: 'copy' }, { height: 240, bitrateKbps: 400 }],
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    const done = await waitForJobEnd(d, 'original', 90_000);
    assert.equal(done.status, 'completed', done.error);
    assert.deepEqual(
      done.output?.variants?.map((v) => [v.copied, v.encoder, v.height]),
      [
        [true, 'copy', 360],
        [false, 'libx264', 240],
      ],
    );
    const master = (await fetchBytes(`${d.localUrl}/streams/original/master.m3u8`)).toString('utf8');
    const infs = streamInfs(master);
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-orig-'));
    const copy = await downloadStream(
      `${d.localUrl}/streams/original/v0.m3u8`,
      mkdtempSync(path.join(dir, 'c')),
    );
    const enc = await downloadStream(
      `${d.localUrl}/streams/original/v1.m3u8`,
      mkdtempSync(path.join(dir, 'e')),
    );
    // The copy's CODECS are the source's own Main profile; the encode's are High.
    await assertAvcMatches(infs[0]?.attrs.CODECS ?? '', copy.files[0] ?? '');
    assert.match(infs[0]?.attrs.CODECS ?? '', /^avc1\.4d/);
    await assertAvcMatches(infs[1]?.attrs.CODECS ?? '', enc.files[0] ?? '');
    // Cut at the first keyframe at or after each multiple of 2 s (keyframes 0, 1.3, 4.1, 5, 9.7): both variants alike.
    const durations = copy.playlist.segments.map((s) => s.duration);
    assert.equal(durations.length, 4, `durations ${durations.join(',')}`);
    assert.deepEqual(
      enc.playlist.segments.map((s) => s.duration),
      durations,
    );
    // Each segment starts on the same frame. FFmpeg offsets an encode's timeline and a copy's differently (by ~20 ms
    // here, under a frame): the shift must be the same for every segment.
    const shift =
      ((await videoPackets(enc.files[0] ?? ''))[0]?.pts ?? NaN) -
      ((await videoPackets(copy.files[0] ?? ''))[0]?.pts ?? NaN);
    assert.ok(Math.abs(shift) < 0.04, `encode and copy timelines ${shift} s apart`);
    for (const [k, f] of enc.files.entries()) {
      const pe = (await videoPackets(f))[0]?.pts ?? NaN;
      const pc = (await videoPackets(copy.files[k] ?? ''))[0]?.pts ?? NaN;
      assert.ok(Math.abs(pe - pc - shift) < 0.001, `segment ${k}: encode starts ${pe}, copy ${pc}`);
    }
    // The copy is the source's video bit for bit.
    const source = (await videoPackets(path.join(mount, 'irregular.ts'))).slice(0, 40);
    const copied = (await Promise.all(copy.files.map((f) => videoPackets(f)))).flat().slice(0, 40);
    assert.deepEqual(
      copied.map((p) => p.size),
      source.map((p) => p.size),
    );
  });

  it('starts a seek head for a far segment of any variant, and it makes every variant of it', async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'seek-ladder',
      input: 'long.mp4',
      video: { codec: 'h264' },
      variants: [
        { height: 360, bitrateKbps: 800 },
        { height: 180, bitrateKbps: 300 },
      ],
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    // Segment 12 of the small variant, long before the head at 0 gets there.
    const far = await fetch(`${d.localUrl}/streams/seek-ladder/v1-seg-12.ts`);
    assert.equal(far.status, 200);
    await far.arrayBuffer();
    const view = (await (await d.api('GET', '/jobs/seek-ladder')).json()) as {
      heads: { start: number }[];
      cost: number;
    };
    assert.ok(
      view.heads.some((h) => h.start === 12),
      `a head at 12: ${JSON.stringify(view.heads)}`,
    );
    const done = await waitForJobEnd(d, 'seek-ladder', 120_000);
    assert.equal(done.status, 'completed', done.error);
    // Every segment of both variants is there and starts at the same time in each.
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-seekabr-'));
    const a = await downloadStream(
      `${d.localUrl}/streams/seek-ladder/v0.m3u8`,
      mkdtempSync(path.join(dir, 'a')),
    );
    const b = await downloadStream(
      `${d.localUrl}/streams/seek-ladder/v1.m3u8`,
      mkdtempSync(path.join(dir, 'b')),
    );
    assert.equal(a.files.length, 15);
    for (const [k, f] of a.files.entries()) {
      const pa = (await videoPackets(f))[0]?.pts ?? NaN;
      const pb = (await videoPackets(b.files[k] ?? ''))[0]?.pts ?? NaN;
      assert.ok(Math.abs(pa - pb) < 0.001, `segment ${k}: ${pa} vs ${pb}`);
      assert.ok(
        Math.abs(pa - k * 2 - ((await videoPackets(a.files[0] ?? ''))[0]?.pts ?? 0)) < 0.05,
        `segment ${k} starts at ${pa}`,
      );
    }
  });

  it('serves an HEVC 10-bit original beside an H.264 encode in fMP4, each init carrying its codec', async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'hevc10',
      input: 'hevc10.mkv',
      video: { codec: 'h264' },
      variants: [{ codec: 'copy' }, { height: 144, bitrateKbps: 300 }],
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    const done = await waitForJobEnd(d, 'hevc10', 90_000);
    assert.equal(done.status, 'completed', done.error);
    assert.equal(done.output?.container, 'fmp4', 'HEVC in the ladder: fMP4 for every variant');
    const infs = streamInfs((await fetchBytes(`${d.localUrl}/streams/hevc10/master.m3u8`)).toString('utf8'));
    assert.equal(infs.length, 2);
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-hevc10-'));
    const copy = await downloadStream(
      `${d.localUrl}/streams/hevc10/v0.m3u8`,
      mkdtempSync(path.join(dir, 'c')),
    );
    const enc = await downloadStream(
      `${d.localUrl}/streams/hevc10/v1.m3u8`,
      mkdtempSync(path.join(dir, 'e')),
    );
    assert.ok(copy.init?.includes('hvc1'), 'the copy init segment carries the hvc1 sample entry');
    const hevc = await probeVideo(copy.files[0] ?? '');
    assert.deepEqual([hevc.codec, hevc.profile, hevc.tag], ['hevc', 'Main 10', 'hvc1']);
    // Main 10 is general_profile_idc 2 (compatibility flag 2 → "4" bit-reversed), level × 30 as ffprobe reports it.
    const codecs = infs[0]?.attrs.CODECS ?? '';
    assert.match(codecs, new RegExp(`^hvc1\\.2\\.4\\.L${hevc.level}\\.`), codecs);
    await assertAvcMatches(infs[1]?.attrs.CODECS ?? '', enc.files[0] ?? '');
    assert.equal(copy.files.length, enc.files.length);
  });

  it('refuses ladders it cannot make, and 404s files of variants a job does not have', async () => {
    for (const [variants, pattern] of [
      [[], /variants/],
      [Array.from({ length: 7 }, () => ({ height: 240 })), /variants/],
      [[{ codec: 'copy' }, { codec: 'copy' }], /at most one copy variant/],
      [[{ height: 240, codec: 'av1' }], /container: ts cannot carry AV1/],
    ] as const) {
      const res = await d.api('POST', '/jobs', {
        input: 'film.mp4',
        video: { codec: 'h264' },
        variants,
        ...(pattern.source.includes('AV1') ? { container: 'ts' } : {}),
      });
      assert.equal(res.status, 400, JSON.stringify(variants));
      const err = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(err.error.code, 'INVALID_BODY');
      assert.match(err.error.message, pattern);
    }
    const started = Date.now();
    const res = await fetch(`${d.localUrl}/streams/ladder/v5-seg-0.ts`);
    assert.equal(res.status, 404);
    const single = await fetch(`${d.localUrl}/streams/ladder/seg-0.ts`);
    assert.equal(single.status, 404);
    assert.ok(Date.now() - started < 1000, 'answered at once, not after a wait');
  });
});
