// How fast each usable encoder really is: 2 s of generated 1080p30 through the job's own chain at 720p and 1080p,
// timed on the wall clock. One run at a time, at nice 19, only while the worker has nothing else to do, and a figure
// is published only when nothing else (a job, another program) took the CPU during its run (speed-trust.ts).
import { setTimeout as delay } from 'node:timers/promises';
import type { RunCommand } from '../process/run-command.js';
import { assertNever } from '../errors.js';
import type { EncoderCandidate } from './encoder-catalog.js';
import { measureArgs } from './measure-args.js';
import type { EncoderCheck } from './types.js';
import {
  cpuBetween,
  judgeSpeedRun,
  nextStep,
  parseBench,
  type CpuTimes,
  type SpeedRunFacts,
} from './speed-trust.js';
import { workBegan, type QuietGate } from './work-gate.js';

export type SpeedHeight = 720 | 1080;
export const SPEED_HEIGHTS: readonly SpeedHeight[] = [720, 1080];

export interface SpeedDeps {
  readonly ffmpegPath: string;
  /** Runs each speed run; the profiler's runs every command at nice 19 (nicedRunner). */
  readonly runCommand: RunCommand;
  readonly signal: AbortSignal;
  /** Monotonic milliseconds; performance.now by default. */
  readonly now?: () => number;
  /** Seconds of source per run; 2 by default. */
  readonly seconds?: number;
  /** Per run; 60 s by default (a run slower than 1/30 of real time says enough). */
  readonly timeoutMs?: number;
  readonly log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** The worker's own work comes first: runs wait for quiet and are aborted when work begins. Absent: always quiet. */
  readonly quiet?: QuietGate;
  /** The machine's CPU times (/proc/stat); absent or null where it cannot be read (no check for other programs). */
  readonly readCpu?: () => CpuTimes | null;
  /** Waits before measuring a figure again that other programs disturbed (BUSY_RETRY_DELAYS_MS by default). */
  readonly busyRetryDelaysMs?: readonly number[];
}

/** A bitrate that looks right at the height, as a job would ask for it. */
function bitrateFor(height: SpeedHeight): number {
  return height === 720 ? 3000 : 6000;
}

/** FFmpeg arguments (without the binary) for one speed run of a candidate at an output height. */
export function speedArgs(c: EncoderCandidate, height: SpeedHeight, seconds: number): string[] {
  const settings = {
    encoder: c.name,
    accelerator: c.accelerator,
    device: c.device,
    codec: c.codec,
    height,
    bitrateKbps: bitrateFor(height),
    gopFrames: 120,
    segmentSeconds: 4,
    threads: null,
    lowMemory: false,
  };
  // A 1080p30 source, as a job's would be; -benchmark's CPU time tells whether other programs took the CPU.
  return measureArgs({ settings, sourceSize: '1920x1080', seconds, report: 'benchmark' });
}

/** Pure: seconds of video over wall seconds, rounded to 2 decimals; null for a zero or negative wall time. */
export function speedMultiple(videoSeconds: number, wallMs: number): number | null {
  if (wallMs <= 0) return null;
  return Math.round((videoSeconds / (wallMs / 1000)) * 100) / 100;
}

/** Hardware first: those are the ones a job will prefer, so their figures should arrive first. */
export function speedOrder(checks: readonly EncoderCheck[]): EncoderCheck[] {
  const usable = checks.filter((c) => c.usable);
  return [...usable.filter((c) => c.accelerator !== null), ...usable.filter((c) => c.accelerator === null)];
}

/** One run and what judging it needs. */
async function runOnce(
  check: EncoderCheck,
  height: SpeedHeight,
  deps: SpeedDeps,
): Promise<SpeedRunFacts & { readonly exitCode: number | null; readonly timedOut: boolean }> {
  const now = deps.now ?? (() => performance.now());
  const seconds = deps.seconds ?? 2;
  const before = deps.quiet?.state();
  const watch = deps.quiet?.watch();
  // A function, not a narrowed property: work can begin during the await below.
  const interrupted = (): boolean => watch?.signal.aborted === true;
  try {
    // Work began between the wait and now: the runner would not kill a run started on an aborted signal.
    if (interrupted())
      return {
        ok: false,
        workBegan: true,
        wallMs: 0,
        machine: null,
        bench: null,
        exitCode: null,
        timedOut: false,
      };
    const signal = watch === undefined ? deps.signal : AbortSignal.any([deps.signal, watch.signal]);
    const cpuBefore = deps.readCpu?.() ?? null;
    const started = now();
    const r = await deps.runCommand(deps.ffmpegPath, speedArgs(check, height, seconds), {
      timeoutMs: deps.timeoutMs ?? 60_000,
      signal,
      maxOutputBytes: 64 * 1024,
    });
    const wallMs = now() - started;
    const cpuAfter = deps.readCpu?.() ?? null;
    const after = deps.quiet?.state();
    return {
      ok: r.exitCode === 0 && !r.timedOut,
      workBegan: interrupted() || (before !== undefined && after !== undefined && workBegan(before, after)),
      wallMs,
      machine: cpuBefore === null || cpuAfter === null ? null : cpuBetween(cpuBefore, cpuAfter),
      bench: parseBench(r.stderr),
      exitCode: r.exitCode,
      timedOut: r.timedOut,
    };
  } finally {
    watch?.release();
  }
}

/**
 * Measures every usable check at 720p and 1080p that has no figure yet, one run at a time, reporting each trusted
 * figure as it arrives. A run the worker's work disturbed is done again once quiet; one other programs disturbed,
 * again after a wait, a few times at most. Stops at abort. Never throws. Resolves true when every figure is there.
 */
export async function measureSpeeds(
  checks: readonly EncoderCheck[],
  deps: SpeedDeps,
  onSpeed: (check: EncoderCheck, height: SpeedHeight, speed: number) => void,
): Promise<boolean> {
  const seconds = deps.seconds ?? 2;
  // A function, not a narrowed property: the signal can abort during any await below.
  const aborted = (): boolean => deps.signal.aborted;
  let complete = true;
  for (const check of speedOrder(checks)) {
    for (const height of SPEED_HEIGHTS) {
      if (check.speed?.[`${height}p`] !== undefined) continue;
      let busyRuns = 0;
      for (let done = false; !done;) {
        await deps.quiet?.wait(deps.signal);
        if (aborted()) return false;
        const run = await runOnce(check, height, deps);
        if (aborted()) return false;
        const verdict = judgeSpeedRun(run);
        const step = nextStep(verdict, busyRuns, deps.busyRetryDelaysMs);
        const about = { encoder: check.name, height };
        switch (step.action) {
          case 'publish': {
            const speed = speedMultiple(seconds, run.wallMs);
            if (speed !== null) onSpeed(check, height, speed);
            done = true;
            break;
          }
          case 'again-when-quiet':
            deps.log?.info(about, 'speed run stopped: the worker has work; measuring again when it is quiet');
            break;
          case 'again-after':
            busyRuns++;
            deps.log?.info(
              { ...about, ...(verdict.kind === 'busy' ? verdict : {}), retryInMs: step.delayMs },
              'speed run disturbed by other programs: not published, measuring again later',
            );
            await delay(step.delayMs, undefined, { signal: deps.signal }).catch(() => undefined);
            break;
          case 'leave-out':
            complete = false;
            done = true;
            if (verdict.kind === 'busy')
              deps.log?.warn(
                { ...about, ...verdict },
                'speed not published: other programs kept the CPU busy at every try (measured again at the next start)',
              );
            else
              deps.log?.warn(
                { ...about, exitCode: run.exitCode, timedOut: run.timedOut },
                'speed run failed',
              );
            break;
          default:
            assertNever(step);
        }
      }
    }
  }
  return complete;
}
