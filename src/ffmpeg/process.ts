// FFmpeg as a child process: argument array (never a shell), niced, always awaited so no zombie remains.
// Linux and macOS: its own process group, stopped with SIGTERM then SIGKILL. Windows: stopped with "q" on stdin, then
// `taskkill /T /F` (src/platform/process-control.ts says why). If the worker itself is SIGKILLed, its FFmpeg outlives
// it (setpriv --pdeathsig did not fire for exec'd children on this kernel): the pid records reap them at the next
// start, and under systemd KillMode=control-group kills them with the service.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import {
  canPause as platformCanPause,
  canSignal,
  ffmpegArgsFor,
  ffmpegStdin,
  forceKillCommand,
  stopMethod,
} from '../platform/process-control.js';
import { choosePriority, setChildPriority } from '../process/priority.js';
import { runCommand as realRunCommand, type RunCommand } from '../process/run-command.js';
import { ProgressParser, type Progress } from './progress.js';

/** How the process is launched: a prefix of exec-wrappers before the ffmpeg binary. */
export interface Launcher {
  /** e.g. ['nice', '-n', '10'] where `nice` exists; [] elsewhere. */
  readonly prefix: readonly string[];
  /** Set the priority with os.setPriority after spawn (when no `nice` wrapper is used). */
  readonly niceAfterSpawn: number | null;
  /** Put FFmpeg in its own process group so one signal reaches it and anything it starts. */
  readonly processGroup: boolean;
  /** Decides how FFmpeg is stopped and forced (absent: this process's platform). */
  readonly platform?: NodeJS.Platform;
  /** Runs the force-kill command where one is needed (taskkill on Windows); the real runner by default. */
  readonly runCommand?: RunCommand;
}

/** Whether FFmpeg can be paused (SIGSTOP/SIGCONT) on this platform; throttling is off where it cannot. */
export function canPause(platform: NodeJS.Platform): boolean {
  return platformCanPause(platform);
}

/** Chooses how to start FFmpeg: at `nice` as process/priority.ts does it, in its own process group off Windows. */
export function chooseLauncher(
  platform: NodeJS.Platform,
  nice: number,
  has: (command: string) => boolean,
  runCommand: RunCommand = realRunCommand,
): Launcher {
  const { prefix, niceAfterSpawn } = choosePriority(platform, nice, () => has('nice'));
  // Windows has no process groups: FFmpeg is stopped with "q" and taskkill /T (platform/process-control.ts).
  return { prefix, niceAfterSpawn, processGroup: platform !== 'win32', platform, runCommand };
}

export interface FfmpegExit {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stop() was called. */
  readonly cancelled: boolean;
  /** It did not exit on the graceful stop (SIGTERM, or "q" on Windows) within the grace period and was killed. */
  readonly forced: boolean;
  /** The last few KiB of stderr (FFmpeg's reason on failure). */
  readonly stderrTail: string;
  readonly spawnError?: string;
}

export interface FfmpegRun {
  readonly pid: number;
  readonly exited: Promise<FfmpegExit>;
  /** Graceful stop, forced after graceMs, resolves once the process has been reaped. Idempotent. */
  stop(graceMs?: number): Promise<FfmpegExit>;
  /** Sends a signal to the whole group (SIGSTOP/SIGCONT for throttling); ignored where the platform has no such signal. */
  signalGroup(signal: NodeJS.Signals): void;
}

export interface StartFfmpegOptions {
  readonly launcher: Launcher;
  readonly ffmpegPath: string;
  readonly args: readonly string[];
  readonly onProgress?: (p: Progress) => void;
  /** Raw stdout instead of -progress blocks: an ffprobe started this way (niced, in its group) reports on it. */
  readonly onStdout?: (chunk: string) => void;
  readonly defaultGraceMs?: number;
}

const STDERR_TAIL = 8192;
const FORCE_KILL_TIMEOUT_MS = 5000;

/** Starts FFmpeg. Never throws: a spawn failure resolves `exited` with spawnError and pid -1. */
export function startFfmpeg(options: StartFfmpegOptions): FfmpegRun {
  const { launcher } = options;
  const platform = launcher.platform ?? process.platform;
  const runCommand = launcher.runCommand ?? realRunCommand;
  const argv = [...launcher.prefix, options.ffmpegPath, ...ffmpegArgsFor(platform, options.args)];
  const [file, ...rest] = argv as [string, ...string[]];
  const child = spawn(file, rest, {
    stdio: [ffmpegStdin(platform), 'pipe', 'pipe'],
    detached: launcher.processGroup,
    windowsHide: true,
  });
  // A stdin write to an FFmpeg that has just exited fails with EPIPE: the exit itself is what matters.
  child.stdin?.on('error', () => undefined);
  let stderrTail = '';
  let cancelled = false;
  let forced = false;
  let done = false;
  const parser = new ProgressParser();
  // Both are pipes on every platform (stdio below); only stdin's mode varies.
  const stdout = child.stdout as Readable;
  const stderr = child.stderr as Readable;
  stdout.setEncoding('utf8');
  stdout.on('data', (chunk: string) => {
    if (options.onStdout !== undefined) options.onStdout(chunk);
    else for (const p of parser.push(chunk)) options.onProgress?.(p);
  });
  stderr.setEncoding('utf8');
  stderr.on('data', (chunk: string) => {
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
  if (launcher.niceAfterSpawn !== null) setChildPriority(pid, launcher.niceAfterSpawn);
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (pid <= 0 || done || !canSignal(platform, signal)) return;
    try {
      if (launcher.processGroup) process.kill(-pid, signal);
      else child.kill(signal);
    } catch {
      // Already gone.
    }
  };
  const askToStop = (): void => {
    switch (stopMethod(platform)) {
      case 'sigterm-group':
        // SIGCONT first: a throttled (stopped) FFmpeg cannot act on SIGTERM.
        signalGroup('SIGCONT');
        signalGroup('SIGTERM');
        return;
      case 'stdin-q':
        // FFmpeg's interactive "q": it stops reading, finishes the segment muxer and exits 0 or 255.
        child.stdin?.end('q\n');
        return;
    }
  };
  const force = async (): Promise<void> => {
    if (pid <= 0 || done) return;
    forced = true;
    const command = forceKillCommand(platform, pid);
    if (command === null) {
      signalGroup('SIGKILL');
      return;
    }
    const r = await runCommand(command.file, command.args, { timeoutMs: FORCE_KILL_TIMEOUT_MS });
    // taskkill could not run or failed (access denied): TerminateProcess on FFmpeg itself is the last resort
    // (a no-op if it has exited meanwhile).
    if (r.exitCode !== 0) child.kill('SIGKILL');
  };
  let stopping: Promise<FfmpegExit> | null = null;
  const stop = (graceMs = options.defaultGraceMs ?? 500): Promise<FfmpegExit> => {
    if (stopping) return stopping;
    cancelled = true;
    stopping = (async () => {
      if (!done) {
        askToStop();
        const forcing: { done: Promise<void> | null } = { done: null };
        const timer = setTimeout(() => {
          forcing.done = force();
        }, graceMs);
        try {
          await exited;
        } finally {
          clearTimeout(timer);
        }
        await forcing.done;
      }
      const result = await exited;
      return { ...result, cancelled: true, forced };
    })();
    return stopping;
  };
  return { pid, exited, stop, signalGroup };
}
