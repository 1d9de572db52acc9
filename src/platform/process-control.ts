// How FFmpeg is stopped, forced, paused and prioritised on each platform. Pure: every function takes the platform.
// Linux and macOS: a process group, SIGTERM then SIGKILL, SIGSTOP/SIGCONT. Windows has no process groups, no
// SIGTERM and no SIGSTOP: FFmpeg is asked to quit with "q" on its stdin (it finalises the playlist as on SIGTERM),
// then forced with `taskkill /T /F` (the whole tree), and throttling is off.

/** How a graceful stop is asked for. */
export type StopMethod = 'sigterm-group' | 'stdin-q';

/** SIGTERM to the group on POSIX; "q" on stdin on Windows (Node's SIGTERM there is TerminateProcess: no finalising). */
export function stopMethod(platform: NodeJS.Platform): StopMethod {
  return platform === 'win32' ? 'stdin-q' : 'sigterm-group';
}

/** FFmpeg's stdin: a pipe where it is the stop channel (Windows), else closed. */
export function ffmpegStdin(platform: NodeJS.Platform): 'pipe' | 'ignore' {
  return stopMethod(platform) === 'stdin-q' ? 'pipe' : 'ignore';
}

/**
 * The job's arguments as run on this platform. On Windows `-nostdin` is dropped: it would make FFmpeg ignore the
 * "q" that stops it. Elsewhere the arguments are unchanged (stdin is closed and -nostdin keeps it from reading it).
 */
export function ffmpegArgsFor(platform: NodeJS.Platform, args: readonly string[]): string[] {
  return stopMethod(platform) === 'stdin-q' ? args.filter((a) => a !== '-nostdin') : [...args];
}

/** Whether a running FFmpeg can be paused and resumed (SIGSTOP/SIGCONT): not on Windows, which has neither. */
export function canPause(platform: NodeJS.Platform): boolean {
  return platform !== 'win32';
}

/** Whether the signal can reach FFmpeg on this platform (Windows: only the ones Node turns into TerminateProcess). */
export function canSignal(platform: NodeJS.Platform, signal: NodeJS.Signals): boolean {
  if (platform !== 'win32') return true;
  return signal === 'SIGTERM' || signal === 'SIGKILL' || signal === 'SIGINT';
}

/** A command as an argument array: run without a shell. */
export interface CommandLine {
  readonly file: string;
  readonly args: readonly string[];
}

/**
 * How to force a process tree that did not stop in time; null where a signal does it (SIGKILL to the group).
 * taskkill /T ends the process and every child it started, /F without asking it.
 */
export function forceKillCommand(platform: NodeJS.Platform, pid: number): CommandLine | null {
  if (platform !== 'win32') return null;
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`not a pid: ${pid}`);
  return { file: 'taskkill', args: ['/T', '/F', '/PID', String(pid)] };
}

/** Windows priority classes, as SetPriorityClass names them. */
export type WindowsPriorityClass =
  | 'REALTIME_PRIORITY_CLASS'
  | 'HIGH_PRIORITY_CLASS'
  | 'ABOVE_NORMAL_PRIORITY_CLASS'
  | 'NORMAL_PRIORITY_CLASS'
  | 'BELOW_NORMAL_PRIORITY_CLASS'
  | 'IDLE_PRIORITY_CLASS';

/**
 * The class os.setPriority(pid, nice) gives a process on Windows. libuv's uv_os_setpriority (src/win/util.c) maps
 * nice ranges by its UV_PRIORITY_* constants (HIGHEST -20, HIGH -14, ABOVE_NORMAL -7, NORMAL 0, BELOW_NORMAL 10,
 * LOW 19): -20..-15 realtime (reduced to high unless elevated), -14..-8 high, -7..-1 above normal, 0..9 normal,
 * 10..18 below normal, 19 idle. The default nice 10 is below normal.
 */
export function windowsPriorityClass(nice: number): WindowsPriorityClass {
  if (!Number.isInteger(nice) || nice < -20 || nice > 19)
    throw new RangeError(`nice out of -20..19: ${nice}`);
  if (nice < -14) return 'REALTIME_PRIORITY_CLASS';
  if (nice < -7) return 'HIGH_PRIORITY_CLASS';
  if (nice < 0) return 'ABOVE_NORMAL_PRIORITY_CLASS';
  if (nice < 10) return 'NORMAL_PRIORITY_CLASS';
  if (nice < 19) return 'BELOW_NORMAL_PRIORITY_CLASS';
  return 'IDLE_PRIORITY_CLASS';
}
