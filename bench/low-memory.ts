// Peak memory (VmHWM) of one 1080p → 720p job with the worker's own argument list, as a quad-core board would run
// it with and without the ≤ 1 GiB caps (x264 threads ≤ 3, 10-frame lookahead, 2 decoder threads).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildHlsArgs } from '../src/ffmpeg/hls-args.js';
import { planJob } from '../src/stream/head-plan.js';
import { probeSource } from '../src/media/source-info.js';
import { runCommand } from '../src/process/run-command.js';

/** Threads a quad-core board's FFmpeg would be given (ffmpeg.threads: auto = logical CPUs). */
const BOARD_THREADS = 4;

function vmHwmBytes(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'));
    return m?.[1] === undefined ? null : Number(m[1]) * 1024;
  } catch {
    return null;
  }
}

/** Runs FFmpeg to its end, sampling VmHWM every 20 ms; returns the highest value seen. */
async function peakOf(args: string[]): Promise<number> {
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  let peak = 0;
  const timer = setInterval(() => {
    const v = child.pid === undefined ? null : vmHwmBytes(child.pid);
    if (v !== null) peak = Math.max(peak, v);
  }, 20);
  await new Promise((resolve) => child.once('close', resolve));
  clearInterval(timer);
  return peak;
}

export interface LowMemoryFigures {
  readonly capped: number;
  readonly uncapped: number;
}

/** Medians of `runs` runs each, in bytes. */
export async function measureLowMemory(source: string, runs: number): Promise<LowMemoryFigures> {
  const probe = await probeSource(runCommand, 'ffprobe', source);
  if (!probe.ok) throw new Error(probe.reason);
  const request = { input: 'film.mp4', video: { codec: 'h264' as const, height: 720 }, segmentSeconds: 2 };
  const peaks = { capped: [] as number[], uncapped: [] as number[] };
  for (let i = 0; i < runs; i++) {
    for (const lowMemory of [true, false]) {
      const outDir = mkdtempSync(path.join(tmpdir(), 'tw-bench-mem-'));
      const { plan } = planJob(request, probe.info, {
        inputPath: source,
        outputDir: outDir,
        encoder: { name: 'libx264', accelerator: null, device: null },
        threads: BOARD_THREADS,
        lowMemory,
        head: 0,
        video: { copy: false, codec: 'h264', reason: 'h264 requested' },
        startSegment: 0,
      });
      // The quad board's decoder picks 5 frame threads by itself; here we have 2 cores, so say it explicitly.
      const args = buildHlsArgs(plan);
      const decoderThreads = lowMemory ? args : ['-threads', String(BOARD_THREADS + 1), ...args];
      (lowMemory ? peaks.capped : peaks.uncapped).push(await peakOf(decoderThreads));
      rmSync(outDir, { recursive: true, force: true });
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  return { capped: median(peaks.capped), uncapped: median(peaks.uncapped) };
}
