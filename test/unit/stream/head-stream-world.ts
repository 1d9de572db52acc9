// A HeadStream under test, with FFmpeg faked (test/helpers/fake-ffmpeg-run.ts) and everything else real: a temp
// stream folder watched by a real FileArrivals, a plan from planStream, a report and deps that record what the
// stream did. Used by head-stream.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import type { JobFallback, JobOutput } from '../../../src/contract/job-view.js';
import type { JobRequest } from '../../../src/contract/job-request.js';
import { FileArrivals } from '../../../src/hls/file-arrivals.js';
import { segmentName } from '../../../src/hls/stream-folder.js';
import type { SourceInfo } from '../../../src/media/source-info.js';
import type { EncoderChoice } from '../../../src/stream/encoder-choice.js';
import { HeadStream, type StreamEnd } from '../../../src/stream/head-stream.js';
import { planStream } from '../../../src/stream/plan.js';
import type { StreamDeps, StreamReport } from '../../../src/stream/ports.js';
import { FakeFfmpeg } from '../../helpers/fake-ffmpeg-run.js';

export const X264: EncoderChoice = { name: 'libx264', accelerator: null, device: null };
export const VAAPI: EncoderChoice = {
  name: 'h264_vaapi',
  accelerator: 'vaapi',
  device: '/dev/dri/renderD128',
};

/** A 1080p25 film of `seconds` (no audio: the heads' arguments stay short). */
function film(seconds: number): SourceInfo {
  return {
    durationSeconds: seconds,
    formatName: 'matroska,webm',
    video: {
      index: 0,
      codec: 'h264',
      width: 1920,
      height: 1080,
      fps: 25,
      pixFmt: 'yuv420p',
      startSeconds: 0,
      durationSeconds: seconds,
      profile: 'High',
      level: 41,
      bitRate: 0,
    },
    audioTracks: [],
    subtitleTracks: [],
  };
}

/** Everything the stream told its job, in order. */
class Recorder {
  readonly started: number[] = [];
  readonly exited: number[] = [];
  readonly made: [number, number | null][] = [];
  readonly fallbacks: [JobFallback, EncoderChoice][] = [];
  readonly outputs: JobOutput[] = [];
}

export interface Options {
  readonly seconds?: number;
  readonly segmentSeconds?: number;
  readonly encoder?: EncoderChoice;
  readonly seek?: Partial<StreamDeps['seek']>;
  /** Heads exit on stop() only when the test ends them. */
  readonly manualStop?: boolean;
}

export interface World {
  readonly stream: HeadStream;
  readonly ffmpeg: FakeFfmpeg;
  readonly report: Recorder;
  readonly dir: string;
  readonly arrivals: FileArrivals;
  /** The stream's clock (deps.now): real time plus what the test moved it on by. */
  readonly clock: { skew: number };
  /** Hardware encoders the stream marked unusable, with the reason. */
  readonly unusable: [string, string][];
  /** The stream's log lines (what it says of heads it stops: the 'ffmpeg ended' line's `stopped`). */
  readonly logs: Record<string, unknown>[];
}

const worlds: World[] = [];

/** A started stream of a transcode to 720p (10 segments of 4 s by default), its first head running. */
export async function world(options: Options = {}): Promise<World> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-head-stream-'));
  const arrivals = new FileArrivals(dir);
  arrivals.start();
  const request: JobRequest = {
    input: 'a.mkv',
    video: { codec: 'h264', height: 720 },
    ...(options.segmentSeconds === undefined ? {} : { segmentSeconds: options.segmentSeconds }),
  };
  const plan = planStream(request, film(options.seconds ?? 40));
  if ('error' in plan) throw new Error(plan.error);
  const ffmpeg = new FakeFfmpeg();
  ffmpeg.manualStop = options.manualStop ?? false;
  const report = new Recorder();
  const clock = { skew: 0 };
  const unusable: [string, string][] = [];
  const logs: Record<string, unknown>[] = [];
  const encoder = options.encoder ?? X264;
  const deps: StreamDeps = {
    seek: { aheadSegments: 2, idleMs: 0, maxHeads: 2, ...options.seek },
    // Throttling off: a head's signals here are the hold's alone.
    throttle: { aheadSeconds: 0 },
    segmentWaitMs: 10_000,
    startHead: ffmpeg.startHead,
    threads: () => null,
    lowMemory: () => false,
    canPause: true,
    markUnusable: (name, reason) => {
      unusable.push([name, reason]);
    },
    forgetFile: () => undefined,
    diskFull: () => Promise.resolve(null),
    now: () => Date.now() + clock.skew,
    log: pino(
      { level: 'info' },
      {
        write: (line: string) => {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    ),
  };
  const job = {
    id: 'job-1',
    request,
    inputPath: '/media/a.mkv',
    dir,
    arrivals,
    encoder,
    encoders: new Map([['h264' as const, encoder]]),
  };
  const stream = new HeadStream(job, reportOf(report), plan, deps);
  await stream.start();
  const w = { stream, ffmpeg, report, dir, arrivals, clock, unusable, logs };
  worlds.push(w);
  return w;
}

function reportOf(r: Recorder): StreamReport {
  return {
    started: (pid) => r.started.push(pid),
    exited: (pid) => r.exited.push(pid),
    output: (o) => r.outputs.push(o),
    made: (count, progress) => r.made.push([count, progress]),
    speed: () => undefined,
    fallback: (fallback, encoder) => r.fallbacks.push([fallback, encoder]),
    changed: () => undefined,
  };
}

/** Ends every world made so far: its stream, its fake runs, its folder (after each test). */
export async function closeWorlds(): Promise<void> {
  for (const w of worlds.splice(0)) {
    w.stream.abort();
    await w.stream.stopAll('the test ended');
    for (const run of w.ffmpeg.live) run.exit(255);
    await w.arrivals.close();
    rmSync(w.dir, { recursive: true, force: true });
  }
}

/** Waits until `check` holds (effects that follow a file event or an exit). */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

/**
 * The stream's end, within `timeoutMs`. The folder's watcher does not keep the process alive (persistent: false):
 * without this timer the test runner would find an empty event loop while a file event is on its way.
 */
export async function endOf(w: World, timeoutMs = 5000): Promise<StreamEnd> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error('timed out waiting for the stream to end'));
    }, timeoutMs);
  });
  try {
    return await Promise.race([w.stream.ended, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until segment `index` is published under its public name, and returns its bytes. */
export async function published(w: World, index: number): Promise<Buffer> {
  const name = segmentName(index);
  assert.equal(await w.arrivals.waitFor(name, 5000), 'ready', `${name} published`);
  return readFileSync(path.join(w.dir, name));
}

/** Why the stream stopped head `id`, as its 'ffmpeg ended' log line says. */
export function stoppedBecause(w: World, id: number): unknown {
  return w.logs.find((l) => l.msg === 'ffmpeg ended' && l.head === id)?.stopped;
}
