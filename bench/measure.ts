// Small measuring tools shared by the bench figures: medians and percentiles, process CPU and memory from /proc.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readCmdline, readProcStat } from '../src/process/proc-stat.js';

// Linux reports CPU times in USER_HZ ticks, 100 per second on every architecture Node.js runs on.
const TICKS_PER_SECOND = 100;

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100); NaN for no samples. */
export function percentile(xs: readonly number[], p: number): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  if (p === 50 && s.length % 2 === 0) return ((s[s.length / 2 - 1] ?? NaN) + (s[s.length / 2] ?? NaN)) / 2;
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[Math.min(s.length, rank) - 1] ?? NaN;
}

/** utime + stime of a live process, in seconds (NaN when it is gone). */
export function cpuSecondsOf(pid: number): number {
  const stat = readProcStat(pid);
  return stat === null ? NaN : (stat.utimeTicks + stat.stimeTicks) / TICKS_PER_SECOND;
}

/** A process's own CPU seconds (utime + stime) and its reaped children's (cutime + cstime). Throws once it is gone. */
export function processCpu(pid: number | 'self'): { own: number; children: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  // Fields 14–17 (utime, stime, cutime, cstime) are at index 11–14 after the comm field.
  return {
    own: ((f[11] ?? NaN) + (f[12] ?? NaN)) / TICKS_PER_SECOND,
    children: ((f[13] ?? NaN) + (f[14] ?? NaN)) / TICKS_PER_SECOND,
  };
}

/** CPU seconds of this process's reaped children (cutime + cstime). */
export function childrenCpuSeconds(): number {
  return processCpu('self').children;
}

/** A worker's running FFmpeg children: pid and the arguments after the ffmpeg binary. */
export function ffmpegChildren(workerPid: number): { pid: number; args: string[] }[] {
  const out: { pid: number; args: string[] }[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readProcStat(pid);
    if (stat?.ppid !== workerPid || stat.comm !== 'ffmpeg') continue;
    try {
      const argv = readCmdline(pid);
      const at = argv.findIndex((a) => path.basename(a) === 'ffmpeg');
      if (at >= 0) out.push({ pid, args: argv.slice(at + 1) });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** Resident memory of a process from /proc/PID/status: now (VmRSS) and its peak (VmHWM), in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 };
}

export const MB = 1024 * 1024;
