// npm run bench: every figure of the performance issue in one run, each beside its baseline (raw FFmpeg, nginx,
// no viewers), medians of BENCH_RUNS repetitions (default 3). Prints a table and writes bench/results/latest.json.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { makeMedia } from '../test/helpers/media.js';
import { measureCgroup } from './cgroup.js';
import { measureCopy } from './copy.js';
import { measureFootprint } from './footprint.js';
import { measureJit } from './jit.js';
import { measureLowMemory } from './low-memory.js';
import { MB } from './measure.js';
import { measureOverhead } from './overhead.js';
import { measurePoolJobs } from './pool-jobs.js';
import { measurePool } from './pool.js';
import { markdownTable, printTable, rows, type Figures } from './report.js';
import { makeSeekMedia, measureSeek } from './seek.js';
import { measureServing } from './serving.js';
import { measureViewers } from './viewers.js';
import {
  forgetHardwareProfile,
  startWorker,
  warmHardwareProfile,
  type WorkerProcess,
} from './worker-process.js';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
// BENCH_ONLY=serving,viewers,seek runs just those figures (names as in the JSON: overhead, footprint, jit, serving,
// viewers, copy, cgroup, lowMemory, seek, pool, poolJobs), so a change can be measured before and after on a quiet machine quickly.
const ONLY = new Set((process.env.BENCH_ONLY ?? '').split(',').filter((name) => name !== ''));
// serving reads the stream the jit figure made, so asking for serving runs jit too.
const wanted = (name: keyof Figures): boolean =>
  ONLY.size === 0 || ONLY.has(name) || (name === 'jit' && ONLY.has('serving'));
const started = performance.now();

function say(message: string): void {
  console.log(`bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s: ${message}`);
}

/** Runs one figure; a failure is reported and the bench goes on with the others. */
async function figure<T>(
  key: keyof Figures,
  name: string,
  measure: () => Promise<T>,
): Promise<T | undefined> {
  if (!wanted(key)) return undefined;
  say(name);
  try {
    return await measure();
  } catch (err) {
    console.error(`bench: ${name} failed:`, err);
    process.exitCode = 1;
    return undefined;
  }
}

async function main(): Promise<void> {
  const machine = {
    cpu: cpus()[0]?.model ?? '?',
    threads: cpus().length,
    memoryMB: Math.round(totalmem() / MB),
    kernel: release(),
    node: process.version,
    ffmpeg: execFileSync('ffmpeg', ['-hide_banner', '-version'], { encoding: 'utf8' }).split(' ')[2] ?? '?',
  };
  say(
    `${RUNS} runs per figure on ${machine.cpu} × ${machine.threads}, ${machine.memoryMB} MB, Node ${machine.node}`,
  );
  const film = await makeMedia({ seconds: 20, width: 1920, height: 1080, rate: 30 });
  const mount = mkdtempSync(path.join(tmpdir(), 'tw-bench-mount-'));
  copyFileSync(film, path.join(mount, 'film.mp4'));
  copyFileSync(
    await makeMedia({ seconds: 20, width: 1280, height: 720, rate: 30 }),
    path.join(mount, 'film720.mp4'),
  );
  await warmHardwareProfile(mount);

  const f: Figures = {};
  const workers: WorkerProcess[] = [];
  try {
    f.overhead = await figure('overhead', '1-2 overhead over raw FFmpeg', () => measureOverhead(mount, RUNS));
    f.footprint = await figure('footprint', '6 start-up and idle memory', () =>
      measureFootprint(mount, RUNS),
    );

    const hot = await startWorker({ mount });
    workers.push(hot);
    f.jit = await figure('jit', '3 just-in-time latency', () => measureJit(hot, RUNS));
    f.serving = await figure('serving', '4 serving throughput against nginx', async () => {
      // Cache bypass: serving.cache_mb 0 sends every request from disk.
      const cold = await startWorker({ mount, cacheMb: 0 });
      workers.push(cold);
      await cold.submit({
        id: 'cold',
        input: 'film.mp4',
        video: { codec: 'h264', height: 720 },
        segmentSeconds: 2,
      });
      await cold.finished('cold');
      return measureServing({ worker: hot, id: 'jit-0' }, { worker: cold, id: 'cold' }, RUNS);
    });
    for (const w of workers.splice(0)) await w.stop();

    f.viewers = await figure('viewers', '5 200 live viewers while 2 jobs run', async () => {
      const fresh = await startWorker({ mount });
      workers.push(fresh);
      return measureViewers(fresh, RUNS);
    });
    for (const w of workers.splice(0)) await w.stop();
    f.copy = await figure(
      'copy',
      'stream copy against a 720p transcode (CPU per minute of media)',
      async () => {
        copyFileSync(
          await makeMedia({ seconds: 60, width: 1920, height: 1080, rate: 30 }),
          path.join(mount, 'film60.mp4'),
        );
        const w = await startWorker({ mount });
        workers.push(w);
        return measureCopy(w, 60, RUNS);
      },
    );
    for (const w of workers.splice(0)) await w.stop();
    f.cgroup = await figure('cgroup', '7 1 GiB / 1 CPU cgroup', () => measureCgroup(mount, RUNS));
    f.lowMemory = await figure('lowMemory', 'FFmpeg peak memory with and without the ≤ 1 GiB caps', () =>
      measureLowMemory(film, RUNS),
    );
    f.seek = await figure(
      'seek',
      'seek, VOD playlist and throttling (10-minute and two-hour films)',
      async () => {
        makeSeekMedia(
          mount,
          await makeMedia({ seconds: 600, width: 1280, height: 720, rate: 24 }),
          await makeMedia({ seconds: 600, width: 160, height: 90, rate: 24 }),
        );
        return measureSeek(mount, RUNS);
      },
    );
    f.pool = await figure('pool', 'pool: placements while 50 simulated workers beat', () =>
      measurePool(RUNS),
    );
    f.poolJobs = await figure('poolJobs', 'pool: time to first segment through the pool and direct', () =>
      measurePoolJobs(mount, RUNS),
    );
  } finally {
    for (const w of workers) await w.stop();
    rmSync(mount, { recursive: true, force: true });
    forgetHardwareProfile();
  }

  const table = rows(f);
  console.log(`\n${printTable(table)}\n`);
  console.log(markdownTable(table));
  const date = new Date().toISOString();
  const out = path.join(import.meta.dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    path.join(out, 'latest.json'),
    `${JSON.stringify({ date, machine, runs: RUNS, figures: f, table }, null, 2)}\n`,
  );
  say(`done; wrote bench/results/latest.json`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
