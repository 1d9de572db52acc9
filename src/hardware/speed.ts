// How fast each usable encoder really is: 2 s of generated 1080p30 through the job's own chain at 720p and 1080p,
// timed on the wall clock. One run at a time, niced, so the runs neither disturb each other nor the jobs.
import { videoEncoderArgs } from '../ffmpeg/video-encoder.js';
import type { RunCommand } from '../process/run-command.js';
import type { EncoderCandidate } from './encoder-catalog.js';
import type { EncoderCheck } from './types.js';

export type SpeedHeight = 720 | 1080;
export const SPEED_HEIGHTS: readonly SpeedHeight[] = [720, 1080];

export interface SpeedDeps {
  readonly ffmpegPath: string;
  readonly runCommand: RunCommand;
  readonly platform: NodeJS.Platform;
  readonly signal: AbortSignal;
  /** Monotonic milliseconds; performance.now by default. */
  readonly now?: () => number;
  /** Seconds of source per run; 2 by default. */
  readonly seconds?: number;
  /** Per run; 60 s by default (a run slower than 1/30 of real time says enough). */
  readonly timeoutMs?: number;
  readonly log?: { warn(obj: object, msg: string): void };
  /** Jobs share the CPU and GPU with a speed run and make it read low: runs wait for quiet and are redone if a
   * job started meanwhile. Absent: always quiet. */
  readonly quiet?: QuietGate;
}

export interface QuietGate {
  /** Resolves once no job runs (or at abort). */
  wait(signal: AbortSignal): Promise<void>;
  /** Counts job starts, so a run can tell whether one began while it measured. */
  starts(): number;
}

/** A bitrate that looks right at the height, as a job would ask for it. */
function bitrateFor(height: SpeedHeight): number {
  return height === 720 ? 3000 : 6000;
}

/** FFmpeg arguments (without the binary) for one speed run of a candidate at an output height. */
export function speedArgs(c: EncoderCandidate, height: SpeedHeight, seconds: number): string[] {
  const v = videoEncoderArgs({
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
  });
  // Flags stay next to their values.
  // prettier-ignore
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    ...v.beforeInput,
    // A 1080p30 source generated in the same process: no file, and the decode cost of a simple source.
    '-f', 'lavfi', '-t', String(seconds), '-i', 'testsrc2=size=1920x1080:rate=30',
    ...(v.filter === '' ? [] : ['-vf', v.filter]),
    ...v.output,
    '-an', '-f', 'null', '-',
  ];
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

/**
 * Measures every usable check at 720p and 1080p, one run at a time, reporting each figure as it arrives.
 * Stops at abort. Never throws: a failed run leaves that figure out and logs FFmpeg's exit.
 */
export async function measureSpeeds(
  checks: readonly EncoderCheck[],
  deps: SpeedDeps,
  onSpeed: (check: EncoderCheck, height: SpeedHeight, speed: number) => void,
): Promise<void> {
  const now = deps.now ?? (() => performance.now());
  const seconds = deps.seconds ?? 2;
  // `nice -n 10`: the jobs' FFmpeg gets the CPU first while a measurement runs. Windows has no nice.
  let niced = deps.platform !== 'win32';
  // A function, not a narrowed property: the signal can abort during any await below.
  const aborted = (): boolean => deps.signal.aborted;
  for (const check of speedOrder(checks)) {
    for (let h = 0; h < SPEED_HEIGHTS.length; h++) {
      const height = SPEED_HEIGHTS[h] ?? 720;
      await deps.quiet?.wait(deps.signal);
      if (aborted()) return;
      const startsBefore = deps.quiet?.starts() ?? 0;
      const args = speedArgs(check, height, seconds);
      const options = { timeoutMs: deps.timeoutMs ?? 60_000, signal: deps.signal };
      let started = now();
      let r = niced
        ? await deps.runCommand('nice', ['-n', '10', deps.ffmpegPath, ...args], options)
        : await deps.runCommand(deps.ffmpegPath, args, options);
      if (niced && r.spawnError !== undefined) {
        // No `nice` on this system: measure un-niced rather than not at all.
        niced = false;
        started = now();
        r = await deps.runCommand(deps.ffmpegPath, args, options);
      }
      const wallMs = now() - started;
      if ((deps.quiet?.starts() ?? 0) !== startsBefore) {
        // A job ran during the measurement: its figure is not this encoder's speed. Measure again when quiet.
        h--;
        continue;
      }
      const speed = r.exitCode === 0 && !r.timedOut ? speedMultiple(seconds, wallMs) : null;
      if (speed === null) {
        if (!aborted()) {
          deps.log?.warn(
            { encoder: check.name, height, exitCode: r.exitCode, timedOut: r.timedOut },
            'speed run failed',
          );
        }
        continue;
      }
      onSpeed(check, height, speed);
    }
  }
}
