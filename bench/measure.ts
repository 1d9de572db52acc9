// Small measuring tools shared by the bench figures: medians and percentiles, process CPU and memory from /proc.
import { readFileSync } from 'node:fs';
import { readProcStat } from '../src/process/proc-stat.js';

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

/** CPU seconds of this process's reaped children (cutime + cstime). */
export function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 (cutime, cstime) are at index 13 and 14 after the comm field.
  return (Number(rest[13]) + Number(rest[14])) / TICKS_PER_SECOND;
}

/** Resident memory of a process from /proc/PID/status: now (VmRSS) and its peak (VmHWM), in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 };
}

export const MB = 1024 * 1024;
