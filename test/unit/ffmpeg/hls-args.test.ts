import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildHlsArgs, gopFrames, type HlsJobPlan } from '../../../src/ffmpeg/hls-args.js';
import { initName, parseInitName, segmentIndex, segmentName } from '../../../src/hls/stream-folder.js';

const plan: HlsJobPlan = {
  inputPath: '/mnt/media/movies/film.mkv',
  outputDir: '/var/lib/tw/streams/abc',
  videoStreamIndex: 0,
  video: {
    encoder: 'libx264',
    accelerator: null,
    device: null,
    codec: 'h264',
    height: 720,
    bitrateKbps: 3000,
    gopFrames: 96,
    segmentSeconds: 4,
    threads: 2,
    lowMemory: false,
  },
  audio: { streamIndex: 1, bitrateKbps: 128, channels: 2 },
  segmentSeconds: 4,
  head: 0,
  startSegment: 0,
  firstFrameSeconds: 0,
};

function valueOf(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe('buildHlsArgs', () => {
  it('builds the full argument list for a libx264 job', () => {
    const args = buildHlsArgs(plan);
    // prettier-ignore
    assert.deepEqual(args, [
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1',
      '-protocol_whitelist', 'file', '-format_whitelist', valueOf(args, '-format_whitelist'),
      '-i', 'file:/mnt/media/movies/film.mkv',
      '-map', '0:0', '-map', '0:1', '-sn', '-dn',
      '-vf', 'scale=-2:720,format=yuv420p',
      '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high',
      '-b:v', '3000k', '-maxrate', '3000k', '-bufsize', '6000k',
      '-force_key_frames', 'expr:gte(t,n_forced*4)', '-sc_threshold', '0', '-g', '96', '-keyint_min', '96',
      '-threads', '2',
      '-c:a', 'aac', '-b:a', '128k', '-ac', '2',
      '-max_muxing_queue_size', '1024',
      '-output_ts_offset', '1.000000',
      '-f', 'hls', '-hls_time', '4', '-hls_list_size', '0', '-hls_playlist_type', 'event',
      '-hls_flags', 'temp_file+independent_segments', '-hls_segment_type', 'mpegts', '-start_number', '0',
      '-hls_segment_filename', '/var/lib/tw/streams/abc/h0-%d.ts',
      '/var/lib/tw/streams/abc/h0.m3u8',
    ]);
    assert.ok(valueOf(args, '-format_whitelist')?.split(',').includes('matroska'));
    assert.ok(!valueOf(args, '-format_whitelist')?.split(',').includes('hls'));
  });

  it('maps no audio when the source has none', () => {
    const args = buildHlsArgs({ ...plan, audio: null });
    assert.equal(args.filter((a) => a === '-map').length, 1);
    assert.ok(!args.includes('-c:a'));
  });

  it('uses x265 parameters instead of -sc_threshold for HEVC', () => {
    const args = buildHlsArgs({ ...plan, video: { ...plan.video, encoder: 'libx265', codec: 'hevc' } });
    assert.equal(valueOf(args, '-c:v'), 'libx265');
    assert.equal(valueOf(args, '-forced-idr'), '1');
    assert.match(valueOf(args, '-x265-params') ?? '', /keyint=96:min-keyint=96:scenecut=0:open-gop=0/);
    assert.ok(!args.includes('-sc_threshold'));
  });

  it('caps x264 lookahead and the decoder threads on a small-memory machine', () => {
    const args = buildHlsArgs({ ...plan, video: { ...plan.video, lowMemory: true } });
    assert.equal(valueOf(args, '-x264-params'), 'rc-lookahead=10:sync-lookahead=0');
    // Decoder threads go before -i; the encoder's after it.
    assert.deepEqual(args.slice(args.indexOf('-threads'), args.indexOf('-threads') + 2), ['-threads', '2']);
    assert.ok(args.indexOf('-threads') < args.indexOf('-i'));
  });

  it('starts a head at a later segment: input seek, source timestamps, the same cuts, its own files', () => {
    // 23.976 fps: segment 5's first frame is frame 480 at 20.020 s.
    const args = buildHlsArgs({ ...plan, head: 3, startSegment: 5, firstFrameSeconds: 20.02 });
    const input = args.indexOf('-i');
    assert.equal(valueOf(args, '-ss'), '20');
    assert.ok(args.indexOf('-ss') < input, '-ss is an input option (fast, accurate seek)');
    // FFmpeg makes the first frame time 0: offset by its source time plus the base every head has.
    assert.equal(valueOf(args, '-output_ts_offset'), '21.020000');
    assert.ok(args.indexOf('-output_ts_offset') > input);
    assert.equal(valueOf(args, '-force_key_frames'), 'expr:gte(t+20.020000,(n_forced+5)*4)');
    assert.equal(valueOf(args, '-start_number'), '5');
    assert.equal(valueOf(args, '-hls_segment_filename'), '/var/lib/tw/streams/abc/h3-%d.ts');
    assert.equal(args.at(-1), '/var/lib/tw/streams/abc/h3.m3u8');
    // A head at 0 keeps the source's times (plus the base) and does not seek.
    const first = buildHlsArgs(plan);
    assert.ok(!first.includes('-ss'));
    assert.equal(valueOf(first, '-output_ts_offset'), '1.000000');
    assert.equal(valueOf(first, '-force_key_frames'), 'expr:gte(t,n_forced*4)');
  });
});

describe('segment names', () => {
  it('round-trips indexes and rejects other names', () => {
    for (const i of [0, 1, 9, 10, 12345]) assert.equal(segmentIndex(segmentName(i)), i);
    for (const bad of [
      'seg-012.ts',
      'seg-1.ts.tmp',
      'seg--1.ts',
      'seg-1.mp4',
      '../seg-1.ts',
      'seg-.ts',
      'seg-1e3.ts',
    ]) {
      assert.equal(segmentIndex(bad), null, bad);
    }
  });
  it('names init segments per variant and generation, and knows only those names', () => {
    assert.deepEqual(
      [initName(), initName(null, 1), initName(2), initName(2, 1)],
      ['init.mp4', 'init-1.mp4', 'v2-init.mp4', 'v2-init-1.mp4'],
    );
    for (const [name, variant] of [
      ['init.mp4', null],
      ['init-1.mp4', null],
      ['v2-init-1.mp4', 2],
    ] as const)
      assert.equal(parseInitName(name), variant, name);
    for (const bad of ['init-0.mp4', 'init-10.mp4', 'init-1.mp4.part', 'h0-init.mp4', 'v2-init-.mp4'])
      assert.equal(parseInitName(bad), undefined, bad);
  });
  it('computes the GOP of one segment, rounding up at fractional rates', () => {
    assert.equal(gopFrames(30, 4), 120);
    assert.equal(gopFrames(24000 / 1001, 4), 96);
    assert.equal(gopFrames(25, 2), 50);
    assert.equal(gopFrames(30000 / 1001, 6), 180);
  });
});
