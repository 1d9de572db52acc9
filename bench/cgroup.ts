// Figure 7: the whole worker and its FFmpeg inside a cgroup of 1 GiB memory and one CPU's worth of quota. cgroup v2
// when /sys/fs/cgroup is the unified hierarchy, else v1 (memory + cpu controllers); skipped unless root.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseSelfCgroup } from '../src/hardware/parse-cgroup.js';
import { MB, median } from './measure.js';
import { jobSpeed, startWorker } from './worker-process.js';

const LIMIT_BYTES = 1024 * 1024 * 1024;
const ROOT = '/sys/fs/cgroup';

export type CgroupResult =
  | { readonly skipped: string }
  | {
      readonly version: 'v2' | 'v1';
      /** FFmpeg speed as a multiple of real time (median of runs). */
      readonly speed: number;
      /** Jobs that did not complete (an OOM kill of FFmpeg shows here). */
      readonly failedJobs: number;
      readonly oomKills: number;
      readonly peakMemoryMB: number;
      readonly peakFrom: string;
    };

interface Group {
  readonly version: 'v2' | 'v1';
  /** cgroup.procs files the worker's pid is written to before it execs. */
  readonly procs: string[];
  oomKills(): number;
  /** Peak memory (bytes) and which file said so; null when the kernel keeps no peak. */
  peak(): { bytes: number; from: string } | null;
  current(): number;
  remove(): void;
}

const read = (file: string): string => readFileSync(file, 'utf8');
const counter = (text: string, key: string): number =>
  Number(new RegExp(`^${key} (\\d+)`, 'm').exec(text)?.[1] ?? 0);

function createV2(name: string): Group {
  const ctl = read(path.join(ROOT, 'cgroup.subtree_control'));
  // The root cgroup may take processes and still delegate controllers; enable the two we need if they are off.
  if (!/\bmemory\b/.test(ctl) || !/\bcpu\b/.test(ctl)) {
    writeFileSync(path.join(ROOT, 'cgroup.subtree_control'), '+memory +cpu');
  }
  const dir = path.join(ROOT, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'memory.max'), String(LIMIT_BYTES));
  if (existsSync(path.join(dir, 'memory.swap.max'))) writeFileSync(path.join(dir, 'memory.swap.max'), '0');
  writeFileSync(path.join(dir, 'cpu.max'), '100000 100000');
  return {
    version: 'v2',
    procs: [path.join(dir, 'cgroup.procs')],
    oomKills: () => counter(read(path.join(dir, 'memory.events')), 'oom_kill'),
    peak: () =>
      existsSync(path.join(dir, 'memory.peak'))
        ? { bytes: Number(read(path.join(dir, 'memory.peak'))), from: 'memory.peak' }
        : null,
    current: () => Number(read(path.join(dir, 'memory.current'))),
    remove: () => rmdirSync(dir),
  };
}

function createV1(name: string): Group {
  // Children of this process's own cgroups, so nothing outside what we were given is touched.
  const self = read('/proc/self/cgroup');
  const cpuPath = /^\d+:(?:[^:]*,)?cpu(?:,[^:]*)?:(.*)$/m.exec(self)?.[1] ?? '/';
  const memDir = path.join(ROOT, 'memory', parseSelfCgroup(self).v1MemoryPath ?? '/', name);
  const cpuDir = path.join(ROOT, 'cpu', cpuPath, name);
  mkdirSync(memDir);
  mkdirSync(cpuDir);
  writeFileSync(path.join(memDir, 'memory.limit_in_bytes'), String(LIMIT_BYTES));
  // With swap accounting, memory + swap is capped too: swapping does not hide memory use.
  const memsw = path.join(memDir, 'memory.memsw.limit_in_bytes');
  if (existsSync(memsw)) writeFileSync(memsw, String(LIMIT_BYTES));
  writeFileSync(path.join(cpuDir, 'cpu.cfs_period_us'), '100000');
  writeFileSync(path.join(cpuDir, 'cpu.cfs_quota_us'), '100000');
  return {
    version: 'v1',
    procs: [path.join(memDir, 'cgroup.procs'), path.join(cpuDir, 'cgroup.procs')],
    oomKills: () => counter(read(path.join(memDir, 'memory.oom_control')), 'oom_kill'),
    peak: () => ({
      bytes: Number(read(path.join(memDir, 'memory.max_usage_in_bytes'))),
      from: 'memory.max_usage_in_bytes',
    }),
    current: () => Number(read(path.join(memDir, 'memory.usage_in_bytes'))),
    remove: () => {
      rmdirSync(memDir);
      rmdirSync(cpuDir);
    },
  };
}

/** Creates the limited cgroup, or says why it cannot. */
function createGroup(): Group | string {
  if (process.getuid?.() !== 0)
    return 'not root: cannot create a cgroup (run the bench as root for this figure)';
  const name = `tw-bench-${process.pid}`;
  try {
    if (existsSync(path.join(ROOT, 'cgroup.controllers'))) return createV2(name);
    if (
      existsSync(path.join(ROOT, 'memory', 'cgroup.procs')) &&
      existsSync(path.join(ROOT, 'cpu', 'cgroup.procs'))
    )
      return createV1(name);
    return `${ROOT} has neither cgroup v2 nor the v1 memory and cpu controllers`;
  } catch (err) {
    return `cannot set up a cgroup under ${ROOT}: ${(err as Error).message}`;
  }
}

/** `runs` 20 s 720p → 480p jobs in one worker started inside the cgroup; `mount` holds film720.mp4. */
export async function measureCgroup(mount: string, runs: number): Promise<CgroupResult> {
  const group = createGroup();
  if (typeof group === 'string') return { skipped: group };
  let sampled = 0;
  const sampler = setInterval(() => {
    sampled = Math.max(sampled, group.current());
  }, 100);
  try {
    // The shell writes its own pid into the cgroup(s), then becomes the worker: nothing runs outside the limit.
    const enter = 'while [ "$1" != -- ]; do echo $$ > "$1"; shift; done; shift; exec "$@"';
    const worker = await startWorker({
      mount,
      wrapper: ['/bin/sh', '-c', enter, 'sh', ...group.procs, '--'],
    });
    const speeds: number[] = [];
    let failedJobs = 0;
    try {
      for (let i = 0; i < runs; i++) {
        const id = `cg-${i}`;
        await worker.submit({
          id,
          input: 'film720.mp4',
          video: { codec: 'h264', height: 480 },
          segmentSeconds: 2,
        });
        const view = await worker.finished(id);
        if (view.status === 'completed') speeds.push(jobSpeed(view).speed);
        else failedJobs++;
      }
    } finally {
      await worker.stop();
    }
    const peak = group.peak();
    return {
      version: group.version,
      speed: median(speeds),
      failedJobs,
      oomKills: group.oomKills(),
      peakMemoryMB: (peak?.bytes ?? sampled) / MB,
      peakFrom: peak?.from ?? 'max of memory.current sampled every 100 ms',
    };
  } finally {
    clearInterval(sampler);
    group.remove();
  }
}
