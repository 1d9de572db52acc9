// Whether a speed run's figure is the encoder's speed, and what to do when it is not. Pure: the facts come from
// FFmpeg's `-benchmark` line, /proc/stat before and after the run, and the worker's own work before and after.
import { assertNever } from '../errors.js';

/** Machine-wide CPU time in ms, summed over every CPU (from the `cpu` line of /proc/stat). */
export interface CpuTimes {
  readonly busyMs: number;
  readonly totalMs: number;
}

/** FFmpeg's own account of its run (`-benchmark`): CPU time of all its threads, and wall time of the transcode. */
export interface Bench {
  readonly cpuMs: number;
  readonly realMs: number;
}

// /proc/stat counts in USER_HZ ticks, 100 per second on every Linux architecture user space sees.
const TICK_MS = 10;

/** Pure: the machine's busy and total CPU time from /proc/stat's text; null when it has no `cpu` line. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) return null;
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice).
  const n = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map((v) => Number(v));
  if (n.length < 4 || n.some((v) => !Number.isFinite(v))) return null;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = n;
  const busy = user + nice + system + irq + softirq + steal;
  return { busyMs: busy * TICK_MS, totalMs: (busy + idle + iowait) * TICK_MS };
}

/** Pure: the CPU the machine spent between two readings. */
export function cpuBetween(before: CpuTimes, after: CpuTimes): CpuTimes {
  return { busyMs: after.busyMs - before.busyMs, totalMs: after.totalMs - before.totalMs };
}

/** Pure: FFmpeg's `bench: utime=…s stime=…s rtime=…s` line (printed at -loglevel info); null when absent. */
export function parseBench(stderr: string): Bench | null {
  const m = /bench: utime=([\d.]+)s stime=([\d.]+)s rtime=([\d.]+)s/.exec(stderr);
  if (m === null) return null;
  const [, utime = '', stime = '', rtime = ''] = m;
  return { cpuMs: (Number(utime) + Number(stime)) * 1000, realMs: Number(rtime) * 1000 };
}

/** Share of the machine's CPU others may take during a run while some sat idle, before the figure is suspect. */
export const OTHERS_MAX_SHARE = 0.15;
/** Below this idle share the run had to compete for the CPU: others' share then counts against it. */
export const IDLE_MIN_SHARE = 0.15;

export interface SpeedRunFacts {
  /** FFmpeg exited 0 within its time limit. */
  readonly ok: boolean;
  /** A job started, or any of the worker's own work ran, during the run (it was then aborted). */
  readonly workBegan: boolean;
  readonly wallMs: number;
  /** The machine's CPU during the run; null where /proc/stat does not exist. */
  readonly machine: CpuTimes | null;
  /** FFmpeg's own CPU; null when it printed no bench line. */
  readonly bench: Bench | null;
}

export type SpeedVerdict =
  | { readonly kind: 'trusted' }
  /** The worker's own work came: measure again once it is quiet. */
  | { readonly kind: 'work' }
  /** Other programs took the CPU the run needed. */
  | { readonly kind: 'busy'; readonly othersShare: number; readonly idleShare: number }
  | { readonly kind: 'failed' };

/** Pure: the CPU shares of other programs and of idle time during a run; null when they cannot be told. */
export function machineShares(
  wallMs: number,
  machine: CpuTimes | null,
  bench: Bench | null,
): { othersShare: number; idleShare: number } | null {
  if (machine === null || bench === null || machine.totalMs <= 0) return null;
  // Before its transcode FFmpeg starts up (loads, opens the input) on one thread: count that as its own too.
  const own = bench.cpuMs + Math.max(0, wallMs - bench.realMs);
  const others = Math.max(0, machine.busyMs - own);
  const idle = Math.max(0, machine.totalMs - machine.busyMs);
  const round = (x: number): number => Math.round(x * 100) / 100;
  return { othersShare: round(others / machine.totalMs), idleShare: round(idle / machine.totalMs) };
}

/**
 * Pure: whether a run's figure is the encoder's speed. Not when it failed, when the worker's own work began, or when
 * other programs took a real share of a CPU the run had to compete for (spare idle time means it did not have to).
 */
export function judgeSpeedRun(f: SpeedRunFacts): SpeedVerdict {
  if (f.workBegan) return { kind: 'work' };
  if (!f.ok) return { kind: 'failed' };
  const shares = machineShares(f.wallMs, f.machine, f.bench);
  if (shares !== null && shares.othersShare > OTHERS_MAX_SHARE && shares.idleShare < IDLE_MIN_SHARE)
    return { kind: 'busy', ...shares };
  return { kind: 'trusted' };
}

/** Waits before measuring again after a run the machine's other programs disturbed; then the figure is left out. */
export const BUSY_RETRY_DELAYS_MS: readonly number[] = [15_000, 60_000];

export type NextStep =
  | { readonly action: 'publish' }
  /** Wait for the worker to be quiet, then run again (not counted: the worker's own work always ends). */
  | { readonly action: 'again-when-quiet' }
  | { readonly action: 'again-after'; readonly delayMs: number }
  /** No figure for this encoder and height this time: left out, measured again at the next start. */
  | { readonly action: 'leave-out' };

/** Pure: what follows a verdict, given how many runs of this figure other programs have disturbed before. */
export function nextStep(
  verdict: SpeedVerdict,
  busyRunsBefore: number,
  delays: readonly number[] = BUSY_RETRY_DELAYS_MS,
): NextStep {
  switch (verdict.kind) {
    case 'trusted':
      return { action: 'publish' };
    case 'work':
      return { action: 'again-when-quiet' };
    case 'busy': {
      const delayMs = delays[busyRunsBefore];
      return delayMs === undefined ? { action: 'leave-out' } : { action: 'again-after', delayMs };
    }
    case 'failed':
      return { action: 'leave-out' };
    default:
      return assertNever(verdict);
  }
}
