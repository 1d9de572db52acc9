// Figures 1 and 2: a job through the worker (its own process), then a bare FFmpeg with the very argument list the
// worker ran (read from /proc/PID/cmdline), alternated. Completion is observed with inotify, not by polling the worker.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { childrenCpuSeconds, ffmpegChildren, median, processCpu } from './measure.js';
import { startWorker, type WorkerProcess } from './worker-process.js';

export interface OverheadResult {
  readonly raw: { wallMs: number; firstSegmentMs: number; cpuSeconds: number };
  readonly worker: {
    wallMs: number;
    firstSegmentMs: number;
    ownCpuSeconds: number;
    ffmpegCpuSeconds: number;
  };
}

const JOB = { input: 'film.mp4', video: { codec: 'h264', height: 720 }, segmentSeconds: 2 };

/** The argument list of the worker's running FFmpeg. */
function ffmpegArgsOf(workerPid: number): string[] | null {
  return ffmpegChildren(workerPid)[0]?.args ?? null;
}

/** Resolves when FFmpeg's own playlist in `dir` (hN.m3u8, not the worker's stream.m3u8) contains `text`. */
function playlistHas(dir: string, text: string): { done: Promise<number>; stop: () => void } {
  let resolve: (at: number) => void = () => undefined;
  const done = new Promise<number>((r) => (resolve = r));
  const check = (name: string | null): void => {
    if (name === null || !/^h\d+\.m3u8$/.test(name)) return;
    const file = path.join(dir, name);
    if (existsSync(file) && readFileSync(file, 'utf8').includes(text)) resolve(performance.now());
  };
  const watcher = watch(dir, (_e, name) => check(name));
  // fs.watch may coalesce FFmpeg's last rename of its playlist into an event already handled: a slow look catches it.
  const poll = setInterval(() => {
    for (const name of readdirSync(dir)) check(name);
  }, 250);
  void done.then(() => clearInterval(poll));
  return {
    done,
    stop: () => {
      watcher.close();
      clearInterval(poll);
    },
  };
}

async function workerRun(
  worker: WorkerProcess,
  id: string,
): Promise<{ args: string[]; first: number; wall: number; own: number; ffmpeg: number }> {
  const before = processCpu(worker.pid);
  const started = performance.now();
  await worker.submit({ ...JOB, id });
  // FFmpeg's own playlist ends with ENDLIST when it is done: watched, so the job view is only polled at the end.
  const ended = playlistHas(path.join(worker.workDir, 'streams', id), '#EXT-X-ENDLIST');
  const seen: { args: string[] | null } = { args: null };
  const sniff = setInterval(() => (seen.args ??= ffmpegArgsOf(worker.pid)), 20);
  try {
    // A viewer's first segment: answered by the worker the moment FFmpeg has finished it (the VOD playlist lists
    // every segment before any exists, so the playlist alone says nothing about segment 0).
    const res = await fetch(`${worker.url}/streams/${id}/seg-0.ts`);
    if (res.status !== 200) throw new Error(`segment 0 answered ${res.status}`);
    await res.arrayBuffer();
    const first = performance.now() - started;
    await ended.done;
    for (;;) {
      const view = await worker.job(id);
      if (view.status === 'completed') break;
      if (view.status !== 'running') throw new Error(`job ${id} ${view.status}: ${view.error ?? ''}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const wall = performance.now() - started;
    const after = processCpu(worker.pid);
    if (seen.args === null) throw new Error('did not see the worker’s ffmpeg');
    return {
      args: seen.args,
      first,
      wall,
      own: after.own - before.own,
      ffmpeg: after.children - before.children,
    };
  } finally {
    clearInterval(sniff);
    ended.stop();
  }
}

/** The worker's FFmpeg arguments with its stream folder swapped for `outDir`, run bare (niced alike). */
async function rawRun(
  args: string[],
  from: string,
  outDir: string,
): Promise<{ wall: number; first: number; cpu: number }> {
  // FFmpeg lists a segment in its playlist once the segment file is complete.
  const segment0 = playlistHas(outDir, 'h0-0.ts');
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
  try {
    const child = spawn('nice', ['-n', '10', 'ffmpeg', ...args.map((a) => a.replaceAll(from, outDir))], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`raw ffmpeg exited with ${code}`);
    const wall = performance.now() - started;
    return { wall, first: (await segment0.done) - started, cpu: childrenCpuSeconds() - cpuBefore };
  } finally {
    segment0.stop();
  }
}

/** 20 s 1080p30 → 720p HLS with 2 s segments (`film.mp4` in `mount`), `runs` times each way. */
export async function measureOverhead(mount: string, runs: number): Promise<OverheadResult> {
  const worker = await startWorker({ mount, maxJobs: 4 });
  const raw = { wall: [] as number[], first: [] as number[], cpu: [] as number[] };
  const w = { wall: [] as number[], first: [] as number[], own: [] as number[], ffmpeg: [] as number[] };
  try {
    for (let i = 0; i < runs; i++) {
      const id = `overhead-${i}`;
      const r1 = await workerRun(worker, id);
      w.wall.push(r1.wall);
      w.first.push(r1.first);
      w.own.push(r1.own);
      w.ffmpeg.push(r1.ffmpeg);
      const outDir = mkdtempSync(path.join(tmpdir(), 'tw-bench-raw-'));
      const r2 = await rawRun(r1.args, path.join(worker.workDir, 'streams', id), outDir);
      rmSync(outDir, { recursive: true, force: true });
      raw.wall.push(r2.wall);
      raw.first.push(r2.first);
      raw.cpu.push(r2.cpu);
    }
  } finally {
    await worker.stop();
  }
  return {
    raw: { wallMs: median(raw.wall), firstSegmentMs: median(raw.first), cpuSeconds: median(raw.cpu) },
    worker: {
      wallMs: median(w.wall),
      firstSegmentMs: median(w.first),
      ownCpuSeconds: median(w.own),
      ffmpegCpuSeconds: median(w.ffmpeg),
    },
  };
}
