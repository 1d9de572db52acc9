// npm run bench: the worker against raw FFmpeg with the identical argument list, measured side by side in one run.
// Figures are medians of RUNS repetitions, reported as ratios; results go to bench/results/latest.json.
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { buildHlsArgs } from '../src/ffmpeg/hls-args.js';
import { planJob } from '../src/jobs/plan.js';
import { probeSource } from '../src/media/source-info.js';
import { runCommand } from '../src/process/run-command.js';
import { startTestDaemon, testConfig, waitFor } from '../test/helpers/daemon.js';
import { makeMedia } from '../test/helpers/media.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SEGMENT_SECONDS = 2;
const HEIGHT = 720;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};

/** CPU seconds of this process's reaped children (utime + stime of every waited-for child). */
function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 (cutime, cstime) are at index 13 and 14 after the comm field.
  return (Number(rest[13]) + Number(rest[14])) / 100;
}

async function rawRun(
  args: string[],
  outDir: string,
): Promise<{ wallMs: number; firstSegmentMs: number; cpuS: number }> {
  const playlist = path.join(outDir, 'run-0.m3u8');
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
  const child = spawn('nice', ['-n', '10', 'ffmpeg', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.resume();
  let firstSegmentMs = NaN;
  const poll = setInterval(() => {
    if (
      Number.isNaN(firstSegmentMs) &&
      existsSync(playlist) &&
      readFileSync(playlist, 'utf8').includes('seg-0.ts')
    ) {
      firstSegmentMs = performance.now() - started;
    }
  }, 2);
  await new Promise((resolve) => child.once('close', resolve));
  clearInterval(poll);
  return { wallMs: performance.now() - started, firstSegmentMs, cpuS: childrenCpuSeconds() - cpuBefore };
}

async function main(): Promise<void> {
  console.log(`bench: ${RUNS} runs each; machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}`);
  const source = makeMedia({ seconds: 20, width: 1920, height: 1080, rate: 30 });
  const mount = mkdtempSync(path.join(tmpdir(), 'tw-bench-mount-'));
  copyFileSync(source, path.join(mount, 'film.mp4'));
  const daemon = await startTestDaemon(testConfig(mount, { limits: { max_jobs: 4 } }));
  await daemon.hardware.settled;
  const threads = daemon.hardware.snapshot().cpu.threads;

  const probe = await probeSource(runCommand, 'ffprobe', path.join(mount, 'film.mp4'));
  if (!probe.ok) throw new Error(probe.reason);
  const request = {
    input: 'film.mp4',
    video: { codec: 'h264' as const, height: HEIGHT },
    segmentSeconds: SEGMENT_SECONDS,
  };

  const raw = { wall: [] as number[], first: [] as number[], cpu: [] as number[] };
  const worker = {
    wall: [] as number[],
    first: [] as number[],
    ownCpu: [] as number[],
    ffmpegCpu: [] as number[],
  };
  for (let i = 0; i < RUNS; i++) {
    // Raw FFmpeg with the exact argument list the worker builds.
    const outDir = mkdtempSync(path.join(tmpdir(), 'tw-bench-raw-'));
    const { plan } = planJob(request, probe.info, {
      inputPath: path.join(mount, 'film.mp4'),
      outputDir: outDir,
      encoder: { name: 'libx264', accelerator: null, device: null },
      threads,
      lowMemory: false,
      startSegment: 0,
    });
    const r = await rawRun(buildHlsArgs(plan), outDir);
    raw.wall.push(r.wallMs);
    raw.first.push(r.firstSegmentMs);
    raw.cpu.push(r.cpuS);
    rmSync(outDir, { recursive: true, force: true });

    // The same job through the worker: POST → playlist (answered once segment 0 is listed) → completed.
    const id = `bench-${i}`;
    const cpuBefore = process.cpuUsage();
    const childBefore = childrenCpuSeconds();
    const started = performance.now();
    const res = await daemon.api('POST', '/jobs', { ...request, id });
    if (res.status !== 202) throw new Error(`POST /jobs: ${res.status} ${await res.text()}`);
    const pl = await fetch(`${daemon.localUrl}/streams/${id}/stream.m3u8`);
    const text = await pl.text();
    if (!text.includes('seg-0.ts')) throw new Error('playlist without segment 0');
    worker.first.push(performance.now() - started);
    await waitFor(() => daemon.jobs.view(id).status === 'completed', 120_000, 'bench job');
    worker.wall.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuBefore);
    worker.ownCpu.push((cpu.user + cpu.system) / 1e6);
    worker.ffmpegCpu.push(childrenCpuSeconds() - childBefore);
  }
  await daemon.stop();

  const results = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? '?', threads: cpus().length },
    runs: RUNS,
    job: '20 s 1080p30 testsrc2+sine → 720p H.264 veryfast HLS, 2 s segments',
    raw: { wallMs: median(raw.wall), firstSegmentMs: median(raw.first), cpuSeconds: median(raw.cpu) },
    worker: {
      wallMs: median(worker.wall),
      firstSegmentMs: median(worker.first),
      ownCpuSeconds: median(worker.ownCpu),
      ffmpegCpuSeconds: median(worker.ffmpegCpu),
    },
  };
  const ratios = {
    wallTime: results.worker.wallMs / results.raw.wallMs,
    workerCpuPerFfmpegCpu: results.worker.ownCpuSeconds / results.worker.ffmpegCpuSeconds,
    firstSegmentDeltaMs: results.worker.firstSegmentMs - results.raw.firstSegmentMs,
  };
  const table = [
    ['figure', 'worker', 'raw FFmpeg', 'ratio / delta', 'target', 'met'],
    [
      'job wall time',
      `${(results.worker.wallMs / 1000).toFixed(2)} s`,
      `${(results.raw.wallMs / 1000).toFixed(2)} s`,
      ratios.wallTime.toFixed(3),
      '≤ 1.02',
      ratios.wallTime <= 1.02 ? 'yes' : 'no',
    ],
    [
      'worker CPU ÷ FFmpeg CPU',
      `${results.worker.ownCpuSeconds.toFixed(2)} s`,
      `${results.worker.ffmpegCpuSeconds.toFixed(1)} s`,
      ratios.workerCpuPerFfmpegCpu.toFixed(4),
      '≤ 0.02',
      ratios.workerCpuPerFfmpegCpu <= 0.02 ? 'yes' : 'no',
    ],
    [
      'POST → segment 0 listed',
      `${results.worker.firstSegmentMs.toFixed(0)} ms`,
      `${results.raw.firstSegmentMs.toFixed(0)} ms`,
      `${ratios.firstSegmentDeltaMs >= 0 ? '+' : ''}${ratios.firstSegmentDeltaMs.toFixed(0)} ms`,
      '≤ +100 ms',
      ratios.firstSegmentDeltaMs <= 100 ? 'yes' : 'no',
    ],
  ];
  for (const row of table) console.log(row.map((c, i) => c.padEnd(i === 0 ? 26 : 14)).join(' '));
  mkdirSync(path.join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(
    path.join(import.meta.dirname, 'results', 'latest.json'),
    `${JSON.stringify({ ...results, ratios }, null, 2)}\n`,
  );
  console.log('bench: wrote bench/results/latest.json');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
