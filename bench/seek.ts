// Issue 7's figures: a seek to 80 % of a 10-minute film against raw FFmpeg started with the very same seek
// arguments writing that one segment; POST → the complete VOD playlist of a two-hour film; and the FFmpeg CPU a
// viewer who watches one minute and leaves costs with and without throttling.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ffmpegChildren, median, processCpu } from './measure.js';
import { startWorker, type WorkerOptions, type WorkerProcess } from './worker-process.js';

export interface SeekResult {
  /** Request for a segment at 80 % (nothing made there) → its last byte. */
  readonly seekMs: number;
  /** Raw FFmpeg with the seek head's arguments: spawn → that segment complete on disk. */
  readonly rawSeekMs: number;
  /** POST /jobs answered → complete VOD playlist of a two-hour source received. */
  readonly playlistMs: number;
  /** FFmpeg CPU seconds in the window after a one-minute viewer, with and without throttling. */
  readonly throttledCpuSeconds: number;
  readonly unthrottledCpuSeconds: number;
  readonly windowSeconds: number;
}

const SEGMENT = 4;
const JOB = { video: { codec: 'h264', height: 480 }, segmentSeconds: SEGMENT };

/** FFmpeg CPU of a worker so far: reaped children plus the running ones. */
function ffmpegCpu(workerPid: number): number {
  let live = 0;
  for (const c of ffmpegChildren(workerPid)) {
    try {
      live += processCpu(c.pid).own;
    } catch {
      // Exited between the listing and the read: counted in children once reaped.
    }
  }
  return processCpu(workerPid).children + live;
}

async function waitPlaylist(w: WorkerProcess, id: string): Promise<void> {
  const res = await fetch(`${w.url}/streams/${id}/stream.m3u8`);
  if (res.status !== 200) throw new Error(`playlist of ${id}: ${res.status}`);
  await res.arrayBuffer();
}

/** Raw FFmpeg with the given arguments, its output moved to a temp folder: spawn → segment `k` renamed into place. */
async function rawSegment(args: readonly string[], workerDir: string, k: number): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-bench-rawseek-'));
  const moved = args.map((a) => (a.startsWith(workerDir) ? path.join(dir, path.basename(a)) : a));
  try {
    let resolve: () => void = () => undefined;
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    const watcher = watch(dir, (_e, name) => {
      if (name !== null && new RegExp(`^h\\d+-${k}\\.ts$`).test(name)) resolve();
    });
    const started = performance.now();
    const child = spawn('ffmpeg', moved, { stdio: 'ignore' });
    await done;
    const ms = performance.now() - started;
    watcher.close();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One seek to 80 % in a fresh worker, and raw FFmpeg started with that head's own arguments. */
export async function seekOnce(
  mount: string,
  run: number,
  worker: Omit<WorkerOptions, 'mount'> = {},
): Promise<{ seekMs: number; rawMs: number }> {
  const w = await startWorker({ mount, ...worker });
  try {
    const id = `seek-${run}`;
    await w.submit({ id, input: 'film10.mp4', ...JOB });
    await waitPlaylist(w, id);
    const k = Math.floor((600 / SEGMENT) * 0.8);
    const started = performance.now();
    const res = await fetch(`${w.url}/streams/${id}/seg-${k}.ts`);
    await res.arrayBuffer();
    const seekMs = performance.now() - started;
    if (res.status !== 200) throw new Error(`seek answered ${res.status}`);
    const head = ffmpegChildren(w.pid).find((c) => c.args.includes('-ss'));
    if (head === undefined) throw new Error('no seek head running');
    await w.api('DELETE', `/jobs/${id}`);
    const rawMs = await rawSegment(head.args, path.join(w.workDir, 'streams', id), k);
    return { seekMs, rawMs };
  } finally {
    await w.stop();
  }
}

async function playlistOnce(mount: string, run: number): Promise<number> {
  const w = await startWorker({ mount });
  try {
    const id = `long-${run}`;
    await w.submit({ id, input: 'film2h.mp4', ...JOB });
    const started = performance.now();
    const res = await fetch(`${w.url}/streams/${id}/stream.m3u8`);
    const text = await res.text();
    const ms = performance.now() - started;
    if (!text.includes('#EXT-X-ENDLIST')) throw new Error('the playlist is not complete');
    return ms;
  } finally {
    await w.stop();
  }
}

/** A viewer fetches the first minute, then leaves; FFmpeg CPU over the window from POST on. */
async function throttleOnce(mount: string, aheadSeconds: number, windowMs: number): Promise<number> {
  const w = await startWorker({ mount, extraConfig: { throttle: { ahead_seconds: aheadSeconds } } });
  try {
    const before = ffmpegCpu(w.pid);
    const started = performance.now();
    await w.submit({
      id: 'minute',
      input: 'film10.mp4',
      video: { codec: 'h264', height: 240 },
      segmentSeconds: SEGMENT,
    });
    for (let k = 0; k < 60 / SEGMENT; k++) {
      const res = await fetch(`${w.url}/streams/minute/seg-${k}.ts`);
      await res.arrayBuffer();
    }
    await new Promise((r) => setTimeout(r, Math.max(0, windowMs - (performance.now() - started))));
    return ffmpegCpu(w.pid) - before;
  } finally {
    await w.stop();
  }
}

/** The 10-minute 720p film and a two-hour one (a small clip concatenated by stream copy) in the mount. */
export function makeSeekMedia(mount: string, film10: string, clip: string): void {
  execFileSync('ln', ['-f', film10, path.join(mount, 'film10.mp4')]);
  const list = path.join(mount, 'concat.txt');
  writeFileSync(list, Array.from({ length: 12 }, () => `file '${clip}'\n`).join(''));
  // prettier-ignore
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list,
    '-c', 'copy', path.join(mount, 'film2h.mp4'),
  ]);
  rmSync(list);
}

export async function measureSeek(mount: string, runs: number): Promise<SeekResult> {
  const seek: number[] = [];
  const raw: number[] = [];
  const playlist: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await seekOnce(mount, i);
    seek.push(r.seekMs);
    raw.push(r.rawMs);
    playlist.push(await playlistOnce(mount, i));
  }
  const windowMs = 25_000;
  const throttled: number[] = [];
  const unthrottled: number[] = [];
  for (let i = 0; i < runs; i++) {
    throttled.push(await throttleOnce(mount, 90, windowMs));
    unthrottled.push(await throttleOnce(mount, 0, windowMs));
  }
  return {
    seekMs: median(seek),
    rawSeekMs: median(raw),
    playlistMs: median(playlist),
    throttledCpuSeconds: median(throttled),
    unthrottledCpuSeconds: median(unthrottled),
    windowSeconds: windowMs / 1000,
  };
}
