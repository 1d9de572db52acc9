// Why a head's FFmpeg failed or ended too soon, in words an operator can act on.
import type { FfmpegExit } from '../ffmpeg/process.js';
import { lastLines } from '../media/source-info.js';

/** Why FFmpeg failed, in FFmpeg's own words where it printed any. */
export function exitReason(exit: FfmpegExit): string {
  if (exit.spawnError !== undefined) return `ffmpeg could not start: ${exit.spawnError}`;
  return (
    lastLines(exit.stderrTail) ||
    (exit.signal !== null
      ? `ffmpeg was killed by ${exit.signal}`
      : `ffmpeg exited with code ${String(exit.exitCode)}`)
  );
}

/**
 * FFmpeg exits 0 when its input simply ends, also when the file was truncated or the NAS went away mid-read. A
 * head that stopped more than two segments short of the probed source's end met such a failure, not the film's end.
 */
export function endedEarlyReason(
  reached: number,
  count: number | null,
  segmentSeconds: number,
  durationSeconds: number,
): string | null {
  if (count === null || reached >= count - 2) return null;
  const made = reached * segmentSeconds;
  return `the input ended after ${made.toFixed(1)} s of its ${durationSeconds.toFixed(1)} s: the file was truncated or became unreadable while it was read (NAS gone?)`;
}
