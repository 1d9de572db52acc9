// FFmpeg as a child process: argument array (never a shell), its own process group, niced, stopped with SIGTERM
// then SIGKILL, and always awaited so no zombie remains. If the worker itself is SIGKILLed, its FFmpeg outlives it
// (setpriv --pdeathsig did not fire for exec'd children on this kernel): the pid records reap them at the next start,
// and under systemd KillMode=control-group kills them with the service.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { ProgressParser, type Progress } from './progress.js';

/** How the process is launched: a prefix of exec-wrappers before the ffmpeg binary. */
export interface Launcher {
  /** e.g. ['nice', '-n', '10'] where `nice` exists; [] elsewhere. */
  readonly prefix: readonly string[];
  /** Set the priority with os.setPriority after spawn (when no `nice` wrapper is used). */
  readonly niceAfterSpawn: number | null;
  /** Put FFmpeg in its own process group so one signal reaches it and anything it starts. */
  readonly processGroup: boolean;
}

/** Chooses how to start FFmpeg: `nice` (priority for every thread) where it exists, else os.setPriority after spawn. */
export function chooseLauncher(
  platform: NodeJS.Platform,
  nice: number,
  has: (command: string) => boolean,
): Launcher {
  if (platform === 'win32') return { prefix: [], niceAfterSpawn: nice, processGroup: false };
  // nice -n before exec: the niceness holds for every thread FFmpeg creates, not just its first.
  const niceWrap = has('nice') ? ['nice', '-n', String(nice)] : [];
  return { prefix: niceWrap, niceAfterSpawn: niceWrap.length > 0 ? null : nice, processGroup: true };
}

export interface FfmpegExit {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stop() was called. */
  readonly cancelled: boolean;
  /** It did not exit on SIGTERM within the grace period and was killed. */
  readonly forced: boolean;
  /** The last few KiB of stderr (FFmpeg's reason on failure). */
  readonly stderrTail: string;
  readonly spawnError?: string;
}

export interface FfmpegRun {
  readonly pid: number;
  readonly exited: Promise<FfmpegExit>;
  /** SIGTERM to the group, SIGKILL after graceMs, resolves once the process has been reaped. Idempotent. */
  stop(graceMs?: number): Promise<FfmpegExit>;
  /** Sends a signal to the whole group (SIGSTOP/SIGCONT for throttling). */
  signalGroup(signal: NodeJS.Signals): void;
}

export interface StartFfmpegOptions {
  readonly launcher: Launcher;
  readonly ffmpegPath: string;
  readonly args: readonly string[];
  readonly onProgress?: (p: Progress) => void;
  readonly defaultGraceMs?: number;
}

const STDERR_TAIL = 8192;

/** Starts FFmpeg. Never throws: a spawn failure resolves `exited` with spawnError and pid -1. */
export function startFfmpeg(options: StartFfmpegOptions): FfmpegRun {
  const { launcher } = options;
  const argv = [...launcher.prefix, options.ffmpegPath, ...options.args];
  const [file, ...rest] = argv as [string, ...string[]];
  const child = spawn(file, rest, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: launcher.processGroup,
    windowsHide: true,
  });
  let stderrTail = '';
  let cancelled = false;
  let forced = false;
  let done = false;
  const parser = new ProgressParser();
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    for (const p of parser.push(chunk)) options.onProgress?.(p);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL);
  });
  const exited = new Promise<FfmpegExit>((resolve) => {
    child.once('error', (err) => {
      done = true;
      resolve({ exitCode: null, signal: null, cancelled, forced, stderrTail, spawnError: err.message });
    });
    // 'close' comes after the process was reaped and its pipes drained: no zombie, full stderr.
    child.once('close', (exitCode, signal) => {
      done = true;
      resolve({ exitCode, signal, cancelled, forced, stderrTail });
    });
  });
  const pid = child.pid ?? -1;
  if (pid > 0 && launcher.niceAfterSpawn !== null) {
    try {
      setPriority(pid, launcher.niceAfterSpawn);
    } catch {
      // Not fatal: the job runs at normal priority.
    }
  }
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (pid <= 0 || done) return;
    try {
      if (launcher.processGroup) process.kill(-pid, signal);
      else child.kill(signal);
    } catch {
      // Already gone.
    }
  };
  let stopping: Promise<FfmpegExit> | null = null;
  const stop = (graceMs = options.defaultGraceMs ?? 500): Promise<FfmpegExit> => {
    if (stopping) return stopping;
    cancelled = true;
    stopping = (async () => {
      if (!done) {
        // SIGCONT first: a throttled (stopped) FFmpeg cannot act on SIGTERM.
        signalGroup('SIGCONT');
        signalGroup('SIGTERM');
        const timer = setTimeout(() => {
          forced = true;
          signalGroup('SIGKILL');
        }, graceMs);
        try {
          await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      const result = await exited;
      return { ...result, cancelled: true, forced };
    })();
    return stopping;
  };
  return { pid, exited, stop, signalGroup };
}
