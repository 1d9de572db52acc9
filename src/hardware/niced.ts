// Measurements (test encodes, speed runs) run at the lowest CPU priority: below every job, whatever its
// `ffmpeg.nice`, so the kernel gives a job's probe and FFmpeg the CPU first while one is going. How a priority is
// lowered is process/priority.ts's, the same as for a job's FFmpeg.
import { choosePriority } from '../process/priority.js';
import type { RunCommand } from '../process/run-command.js';

/** The lowest priority `nice` gives: a job's FFmpeg (niced 10 by default, at most 19) never runs behind it. */
export const MEASUREMENT_NICE = 19;

/**
 * A RunCommand that starts each command at MEASUREMENT_NICE: under `nice -n 19`, or, where `nice` cannot start
 * (missing; Windows has none), with os.setPriority just after spawn, from then on without trying `nice` again.
 */
export function nicedRunner(run: RunCommand, platform: NodeJS.Platform): RunCommand {
  // Learnt by trying: the profiler has no PATH lookup, and a missing `nice` fails at spawn, before any work.
  let hasNice = true;
  return async (file, args, options) => {
    const [wrapper, ...wrapperArgs] = choosePriority(platform, MEASUREMENT_NICE, () => hasNice).prefix;
    if (wrapper !== undefined) {
      const r = await run(wrapper, [...wrapperArgs, file, ...args], options);
      if (r.spawnError === undefined) return r;
      hasNice = false;
    }
    return run(file, args, { ...options, niceAfterSpawn: MEASUREMENT_NICE });
  };
}
