// How a child process runs at a lower CPU priority: the one place that knows it, for a job's FFmpeg (the Launcher in
// ffmpeg/process.ts) and for the hardware measurements (hardware/niced.ts) alike. `nice -n N` before exec where `nice`
// exists, so the niceness holds for every thread the child creates; elsewhere os.setPriority on its pid just after
// spawn, which on Windows sets the whole process's priority class (windowsPriorityClass() says which).
import { setPriority } from 'node:os';

/** How one child is started at a niceness. */
export interface Priority {
  /** ['nice', '-n', 'N'] to put before the command, or [] where the priority is set after spawn. */
  readonly prefix: readonly string[];
  /** The niceness to set with os.setPriority after spawn; null when the prefix sets it. */
  readonly niceAfterSpawn: number | null;
}

/** `nice -n N` where the platform has `nice` and it is there (asked only off Windows); else os.setPriority after spawn. */
export function choosePriority(platform: NodeJS.Platform, nice: number, hasNice: () => boolean): Priority {
  if (platform !== 'win32' && hasNice())
    return { prefix: ['nice', '-n', String(nice)], niceAfterSpawn: null };
  return { prefix: [], niceAfterSpawn: nice };
}

/** Sets a started child's niceness; not fatal when it cannot (the child runs at normal priority). */
export function setChildPriority(pid: number | undefined, nice: number): void {
  if (pid === undefined || pid <= 0) return;
  try {
    setPriority(pid, nice);
  } catch {
    // Gone already, or not permitted: the command still runs.
  }
}
