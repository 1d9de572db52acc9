// Measurements (test encodes, speed runs) run at the lowest CPU priority: below every job, whatever its
// `ffmpeg.nice`, so the kernel gives a job's probe and FFmpeg the CPU first while one is going.
import type { RunCommand } from '../process/run-command.js';

/** The lowest priority `nice` gives: a job's FFmpeg (niced 10 by default, at most 19) never runs behind it. */
export const MEASUREMENT_NICE = 19;

/**
 * A RunCommand that starts each command under `nice -n 19`. Where `nice` cannot start (missing) it runs the command
 * as it is from then on, rather than not at all; Windows has no nice.
 */
export function nicedRunner(run: RunCommand, platform: NodeJS.Platform): RunCommand {
  let niced = platform !== 'win32';
  return async (file, args, options) => {
    if (niced) {
      const r = await run('nice', ['-n', String(MEASUREMENT_NICE), file, ...args], options);
      if (r.spawnError === undefined) return r;
      niced = false;
    }
    return run(file, args, options);
  };
}
