// The bench's table: each figure beside its baseline, the target, and whether it was met; printed and kept as JSON.
import type { CgroupResult } from './cgroup.js';
import type { CopyResult } from './copy.js';
import type { FootprintResult } from './footprint.js';
import type { JitResult } from './jit.js';
import type { LowMemoryFigures } from './low-memory.js';
import type { OverheadResult } from './overhead.js';
import type { PoolJobsResult } from './pool-jobs.js';
import type { PoolResult } from './pool.js';
import type { SeekResult } from './seek.js';
import type { ServingResult } from './serving.js';
import type { ViewersResult } from './viewers.js';

export interface Figures {
  overhead?: OverheadResult | undefined;
  jit?: JitResult | undefined;
  serving?: ServingResult | undefined;
  viewers?: ViewersResult | undefined;
  footprint?: FootprintResult | undefined;
  cgroup?: CgroupResult | undefined;
  lowMemory?: LowMemoryFigures | undefined;
  seek?: SeekResult | undefined;
  copy?: CopyResult | undefined;
  pool?: PoolResult | undefined;
  poolJobs?: PoolJobsResult | undefined;
}

export interface Row {
  readonly figure: string;
  readonly worker: string;
  readonly baseline: string;
  readonly value: string;
  readonly target: string;
  /** null: not measured (skipped or failed). */
  readonly met: boolean | null;
}

const ms = (x: number): string => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const s = (x: number): string => `${x.toFixed(2)} s`;
const signed = (x: number, unit: string): string => `${x >= 0 ? '+' : ''}${x.toFixed(0)} ${unit}`;
const rps = (x: number): string => `${x.toFixed(0)} req/s`;
const perGB = (x: number): string => `${x.toFixed(2)} CPU s/GB`;

/** One row per target of the issue, in its order. */
export function rows(f: Figures): Row[] {
  const out: Row[] = [];
  const missing = (figure: string, target: string, why: string): void => {
    out.push({ figure, worker: why, baseline: '', value: '', target, met: null });
  };
  if (f.overhead === undefined) {
    missing('job wall time, worker ÷ raw FFmpeg', '≤ 1.02', 'not measured');
  } else {
    const { raw, worker } = f.overhead;
    const wall = worker.wallMs / raw.wallMs;
    const cpu = worker.ownCpuSeconds / worker.ffmpegCpuSeconds;
    const first = worker.firstSegmentMs - raw.firstSegmentMs;
    out.push(
      {
        figure: 'job wall time, worker ÷ raw FFmpeg',
        worker: s(worker.wallMs / 1000),
        baseline: s(raw.wallMs / 1000),
        value: wall.toFixed(3),
        target: '≤ 1.02',
        met: wall <= 1.02,
      },
      {
        figure: 'worker CPU ÷ FFmpeg CPU',
        worker: s(worker.ownCpuSeconds),
        baseline: `${worker.ffmpegCpuSeconds.toFixed(1)} s`,
        value: cpu.toFixed(4),
        target: '≤ 0.02',
        met: cpu <= 0.02,
      },
      {
        figure: 'time to first segment, worker − raw',
        worker: ms(worker.firstSegmentMs),
        baseline: ms(raw.firstSegmentMs),
        value: signed(first, 'ms'),
        target: '≤ +100 ms',
        met: first <= 100,
      },
    );
  }
  if (f.jit === undefined) missing('JIT completion → first byte, p99', '≤ 20 ms', 'not measured');
  else {
    const j = f.jit;
    out.push({
      figure: 'JIT completion → first byte, p99',
      worker: `p50 ${ms(j.p50Ms)}`,
      baseline: `${j.samplesPerRun} waits/run`,
      value: ms(j.p99Ms),
      target: '≤ 20 ms',
      met: j.p99Ms <= 20 && j.errors === 0,
    });
  }
  if (f.serving === undefined) missing('hot segment req/s, worker ÷ nginx', '≥ 1.2', 'not measured');
  else {
    for (const [name, c, goal] of [
      ['hot', f.serving.hot, 1.2],
      ['cold', f.serving.cold, 0.8],
    ] as const) {
      out.push({
        figure: `${name} segment req/s, worker ÷ nginx`,
        worker: `${rps(c.worker.rps)}, ${perGB(c.worker.cpuSecondsPerGB)}`,
        baseline: `${rps(c.nginx.rps)}, ${perGB(c.nginx.cpuSecondsPerGB)}`,
        value: c.ratio.toFixed(2),
        target: `≥ ${goal}`,
        met: c.ratio >= goal && c.worker.errors === 0,
      });
    }
  }
  if (f.viewers === undefined)
    missing('200 live viewers', '0 errors, p99 ≤ 50 ms, speed within 5 %', 'not measured');
  else {
    const v = f.viewers;
    out.push(
      {
        figure: `${v.viewers} live viewers: errors`,
        worker: `${v.errors} of ${v.requests} requests`,
        baseline: '',
        value: String(v.errors),
        target: '0',
        met: v.errors === 0,
      },
      {
        figure: `${v.viewers} live viewers: segment p99`,
        worker: `p50 ${ms(v.segmentP50Ms)}`,
        baseline: `players' own loop delay p99 ${ms(v.playersLoopDelayP99Ms)}`,
        value: ms(v.segmentP99Ms),
        target: '≤ 50 ms',
        met: v.segmentP99Ms <= 50,
      },
      {
        figure: `${v.viewers} live viewers: FFmpeg speed`,
        worker: `${v.speedWatched.toFixed(2)}×`,
        baseline: `${v.speedAlone.toFixed(2)}× alone; CPU s: worker ${v.workerCpuAloneSeconds.toFixed(1)} → ${v.workerCpuSeconds.toFixed(1)}, players ${v.playersCpuSeconds.toFixed(1)}`,
        value: v.speedRatio.toFixed(3),
        target: '≥ 0.95',
        met: v.speedRatio >= 0.95,
      },
      {
        figure: `peak RSS during ${v.viewers} viewers`,
        worker: `${v.peakRssMB.toFixed(0)} MB`,
        baseline: '',
        value: `${v.peakRssMB.toFixed(0)} MB`,
        target: 'reported',
        met: true,
      },
    );
  }
  if (f.footprint === undefined) missing('idle RSS', '≤ 60 MB', 'not measured');
  else {
    const p = f.footprint;
    out.push(
      {
        figure: 'idle RSS',
        worker: `${p.idleRssMB.toFixed(1)} MB`,
        baseline: `${p.bareNodeRssMB.toFixed(1)} MB bare Node.js`,
        value: `${p.idleRssMB.toFixed(1)} MB`,
        target: '≤ 60 MB',
        met: p.idleRssMB <= 60,
      },
      {
        figure: 'start-up to /health 200',
        worker: ms(p.startupMs),
        baseline: '',
        value: ms(p.startupMs),
        target: '≤ 300 ms',
        met: p.startupMs <= 300,
      },
    );
  }
  const cg = f.cgroup;
  if (cg === undefined) missing('1 GiB / 1 CPU cgroup, 720p→480p', '≥ 1× real time, no OOM', 'not measured');
  else if ('skipped' in cg)
    missing('1 GiB / 1 CPU cgroup, 720p→480p', '≥ 1× real time, no OOM', `skipped: ${cg.skipped}`);
  else {
    out.push({
      figure: `1 GiB / 1 CPU cgroup (${cg.version}), 720p→480p`,
      worker: `${cg.speed.toFixed(2)}× real time, ${cg.oomKills} OOM kills`,
      baseline: `peak ${cg.peakMemoryMB.toFixed(0)} MB (${cg.peakFrom})`,
      value: `${cg.speed.toFixed(2)}×`,
      target: '≥ 1×, no OOM',
      met: cg.speed >= 1 && cg.oomKills === 0 && cg.failedJobs === 0,
    });
  }
  if (f.lowMemory !== undefined) {
    const m = f.lowMemory;
    out.push({
      figure: 'FFmpeg peak RSS 1080p→720p, quad board',
      worker: `${(m.capped / 2 ** 20).toFixed(0)} MB with the ≤ 1 GiB caps`,
      baseline: `${(m.uncapped / 2 ** 20).toFixed(0)} MB without`,
      value: (m.capped / m.uncapped).toFixed(2),
      target: 'reported',
      met: true,
    });
  }
  const sk = f.seek;
  if (sk === undefined) {
    missing('seek to 80 % → last byte, worker − raw FFmpeg', '≤ +150 ms', 'not measured');
    missing('POST → complete VOD playlist (2 h source)', '≤ 200 ms', 'not measured');
  } else {
    out.push(
      {
        figure: 'seek to 80 % → last byte, worker − raw FFmpeg',
        worker: ms(sk.seekMs),
        baseline: `${ms(sk.rawSeekMs)} raw FFmpeg, same seek args`,
        value: signed(sk.seekMs - sk.rawSeekMs, 'ms'),
        target: '≤ +150 ms',
        met: sk.seekMs - sk.rawSeekMs <= 150,
      },
      {
        figure: 'POST → complete VOD playlist (2 h source)',
        worker: ms(sk.playlistMs),
        baseline: '',
        value: ms(sk.playlistMs),
        target: '≤ 200 ms',
        met: sk.playlistMs <= 200,
      },
      {
        figure: `FFmpeg CPU, 1-minute viewer, first ${sk.windowSeconds.toFixed(0)} s`,
        worker: `${s(sk.throttledCpuSeconds)} throttled`,
        baseline: `${s(sk.unthrottledCpuSeconds)} not throttled`,
        value: `${((1 - sk.throttledCpuSeconds / sk.unthrottledCpuSeconds) * 100).toFixed(0)} % saved`,
        target: 'reported',
        met: true,
      },
    );
  }
  const cp = f.copy;
  if (cp === undefined)
    missing('FFmpeg CPU per minute of media, copy ÷ 720p transcode', '< 0.02', 'not measured');
  else {
    const ratio = cp.copyCpuPerMinute / cp.transcodeCpuPerMinute;
    out.push({
      figure: 'FFmpeg CPU per minute of media, copy ÷ 720p transcode',
      worker: `${s(cp.copyCpuPerMinute)} copy`,
      baseline: `${s(cp.transcodeCpuPerMinute)} transcode`,
      value: ratio.toFixed(4),
      target: '< 0.02',
      met: ratio < 0.02,
    });
    out.push({
      figure: 'FFmpeg CPU per minute, ABR ladder (copy+720+480+360) ÷ the same as 4 jobs',
      worker: `${s(cp.ladderCpuPerMinute)} ladder`,
      baseline: `${s(cp.separateCpuPerMinute)} separate`,
      value: (cp.ladderCpuPerMinute / cp.separateCpuPerMinute).toFixed(2),
      target: 'reported',
      met: true,
    });
  }
  const po = f.pool;
  if (po === undefined) missing('pool: POST /placements p99, 50 workers beating', '≤ 5 ms', 'not measured');
  else {
    out.push(
      {
        figure: `pool: POST /placements p99, ${po.workers} workers beating every second`,
        worker: `p50 ${ms(po.placementP50Ms)}`,
        baseline: `${po.placements} placements/run, ${po.beatsFailed} of ${po.beatsSent + po.beatsFailed} beats failed`,
        value: ms(po.placementP99Ms),
        target: '≤ 5 ms',
        met: po.placementP99Ms <= 5 && po.beatsFailed === 0,
      },
      {
        figure: `pool: CPU share and RSS while ${po.workers} workers beat`,
        worker: `${(po.beatCpuShare * 100).toFixed(1)} % of a core, ${(po.rssBytes / 2 ** 20).toFixed(0)} MB`,
        baseline: `${(po.placementCpuShare * 100).toFixed(1)} % with placements, peak ${(po.peakRssBytes / 2 ** 20).toFixed(0)} MB`,
        value: `${(po.beatCpuShare * 100).toFixed(1)} %`,
        target: 'reported',
        met: true,
      },
    );
  }
  const pj = f.poolJobs;
  if (pj === undefined)
    missing('time to first segment, through the pool − direct', '≤ +20 ms', 'not measured');
  else
    out.push({
      figure: 'time to first segment, through the pool − direct',
      worker: `${ms(pj.throughPoolMs)} through the pool`,
      baseline: `${ms(pj.directMs)} direct`,
      value: signed(pj.throughPoolMs - pj.directMs, 'ms'),
      target: '≤ +20 ms',
      met: pj.throughPoolMs - pj.directMs <= 20,
    });
  return out;
}

const mark = (met: boolean | null): string => (met === null ? '—' : met ? 'yes' : 'NO');

/** A plain-text table for the terminal. */
export function printTable(table: readonly Row[]): string {
  const cells = [
    ['figure', 'worker', 'baseline', 'value', 'target', 'met'],
    ...table.map((r) => [r.figure, r.worker, r.baseline, r.value, r.target, mark(r.met)]),
  ];
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length))) ?? [];
  return cells.map((c) => c.map((x, i) => x.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}

/** The same table in Markdown, for the README. */
export function markdownTable(table: readonly Row[]): string {
  const lines = [
    '| figure | worker | baseline | value | target | met |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of table)
    lines.push(`| ${r.figure} | ${r.worker} | ${r.baseline} | ${r.value} | ${r.target} | ${mark(r.met)} |`);
  return lines.join('\n');
}
