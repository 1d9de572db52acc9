// Figures 5 and 6b: 200 players following two live streams while both jobs run, beside the same two jobs with no
// viewers. Each player polls the playlist once a second and fetches every newly listed segment, as hls.js does live.
import { parseMediaPlaylist } from '../test/helpers/hls.js';
import { LeanConnection } from './lean-client.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MB, cpuSecondsOf, median, memoryOf, percentile } from './measure.js';
import { jobSpeed, type WorkerProcess } from './worker-process.js';

export interface ViewersResult {
  readonly viewers: number;
  readonly errors: number;
  readonly requests: number;
  readonly segmentP50Ms: number;
  readonly segmentP99Ms: number;
  /** FFmpeg speed (× real time, mean of the two jobs) without and with viewers, medians over runs. */
  readonly speedAlone: number;
  readonly speedWatched: number;
  readonly speedRatio: number;
  /** Worker CPU seconds per run with viewers (serving included), and for the same two jobs alone. */
  readonly workerCpuSeconds: number;
  readonly workerCpuAloneSeconds: number;
  /** CPU seconds the simulated players themselves used per run, on the same cores as FFmpeg. */
  readonly playersCpuSeconds: number;
  /** p99 of the players' own event-loop delay: latency the load generator adds to every figure above. */
  readonly playersLoopDelayP99Ms: number;
  readonly peakRssMB: number;
}

const POLL_MS = 1000;
// An event playlist: the players follow it as it grows, as they do a live stream.
const JOB = {
  input: 'film.mp4',
  video: { codec: 'h264', height: 720 },
  segmentSeconds: 2,
  playlist: 'event',
};

interface PlayerLog {
  segmentMs: number[];
  errors: number;
  requests: number;
}

/** One player: playlist, new segments, wait, until the playlist ends. Errors are counted, never thrown. */
async function play(playlistUrl: string, log: PlayerLog): Promise<void> {
  const url = new URL(playlistUrl);
  let next = 0;
  // Players do not start in lockstep.
  await new Promise((r) => setTimeout(r, Math.random() * POLL_MS));
  let conn = new LeanConnection(playlistUrl);
  try {
    for (;;) {
      let ended = false;
      try {
        log.requests++;
        const pl = await conn.get(url.pathname, true);
        if (pl.status !== 200) throw new Error(`playlist ${pl.status}`);
        const playlist = parseMediaPlaylist(pl.text);
        ended = playlist.ended;
        for (; next < playlist.segments.length; next++) {
          log.requests++;
          const uri = playlist.segments[next]?.uri ?? '';
          const seg = await conn.get(new URL(uri, url).pathname);
          if (seg.status !== 200 || seg.bytes === 0) throw new Error(`segment ${seg.status}`);
          log.segmentMs.push(seg.endAt - seg.sentAt);
        }
      } catch {
        log.errors++;
        if (log.errors > 1000) return;
        // A player reconnects after an error.
        conn.close();
        conn = new LeanConnection(playlistUrl);
      }
      if (ended) return;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    conn.close();
  }
}

/** Starts two jobs and waits for both; with `viewers`, that many players split over the two streams. */
async function pair(
  worker: WorkerProcess,
  tag: string,
  viewers: number,
  log: PlayerLog,
): Promise<{ speed: number; cpu: number; playersCpu: number; loopP99: number; peakRss: number }> {
  const ids = [`${tag}-a`, `${tag}-b`];
  const cpuBefore = cpuSecondsOf(worker.pid);
  const selfBefore = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, memoryOf(worker.pid).rss);
  }, 100);
  try {
    for (const id of ids) await worker.submit({ ...JOB, id });
    const players = Array.from({ length: viewers }, (_, i) =>
      play(`${worker.url}/streams/${ids[i % 2] ?? ''}/stream.m3u8`, log),
    );
    const views = await Promise.all(ids.map((id) => worker.finished(id)));
    await Promise.all(players);
    const speeds = views.map((v) => jobSpeed(v).speed);
    const self = process.cpuUsage(selfBefore);
    return {
      loopP99: loop.percentile(99) / 1e6,
      playersCpu: (self.user + self.system) / 1e6,
      speed: speeds.reduce((a, b) => a + b, 0) / speeds.length,
      cpu: cpuSecondsOf(worker.pid) - cpuBefore,
      peakRss,
    };
  } finally {
    clearInterval(sampler);
    loop.disable();
  }
}

export async function measureViewers(
  worker: WorkerProcess,
  runs: number,
  viewers = 200,
): Promise<ViewersResult> {
  const alone: number[] = [];
  const cpuAlone: number[] = [];
  const watched: number[] = [];
  const cpu: number[] = [];
  const playersCpu: number[] = [];
  const loopP99: number[] = [];
  const p50: number[] = [];
  const p99: number[] = [];
  let peakRss = 0;
  let errors = 0;
  let requests = 0;
  for (let i = 0; i < runs; i++) {
    const quiet = await pair(worker, `alone-${i}`, 0, { segmentMs: [], errors: 0, requests: 0 });
    alone.push(quiet.speed);
    cpuAlone.push(quiet.cpu);
    const log: PlayerLog = { segmentMs: [], errors: 0, requests: 0 };
    const r = await pair(worker, `watched-${i}`, viewers, log);
    watched.push(r.speed);
    cpu.push(r.cpu);
    playersCpu.push(r.playersCpu);
    loopP99.push(r.loopP99);
    peakRss = Math.max(peakRss, r.peakRss);
    p50.push(percentile(log.segmentMs, 50));
    p99.push(percentile(log.segmentMs, 99));
    errors += log.errors;
    requests += log.requests;
  }
  return {
    viewers,
    errors,
    requests,
    segmentP50Ms: median(p50),
    segmentP99Ms: median(p99),
    speedAlone: median(alone),
    speedWatched: median(watched),
    speedRatio: median(watched) / median(alone),
    workerCpuSeconds: median(cpu),
    workerCpuAloneSeconds: median(cpuAlone),
    playersCpuSeconds: median(playersCpu),
    playersLoopDelayP99Ms: median(loopP99),
    peakRssMB: Math.max(peakRss, memoryOf(worker.pid).peak) / MB,
  };
}
