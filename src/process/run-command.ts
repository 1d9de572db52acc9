import { spawn } from 'node:child_process';
import { setChildPriority } from './priority.js';

/** How a short-lived helper command (ffprobe, nvidia-smi, a test encode) ended, and what it printed. */
export interface CommandResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Set when the command could not be started at all (ENOENT, EACCES). */
  readonly spawnError?: string;
}

export interface RunCommandOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Cap on captured bytes per stream; the tail is kept, since errors come last. */
  readonly maxOutputBytes?: number;
  /** Niceness set with os.setPriority just after spawn, where no `nice` wrapper could (process/priority.ts). */
  readonly niceAfterSpawn?: number;
}

/** Signature shared by every caller so tests can inject a fake runner where the real tool cannot exist. */
export type RunCommand = (
  file: string,
  args: readonly string[],
  options: RunCommandOptions,
) => Promise<CommandResult>;

/** Runs a command with an argument array (never a shell), kills it on timeout or abort, never rejects. */
export const runCommand: RunCommand = (file, args, options) =>
  new Promise((resolve) => {
    const max = options.maxOutputBytes ?? 1 << 20;
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(file, [...args], { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    if (options.niceAfterSpawn !== undefined) setChildPriority(child.pid, options.niceAfterSpawn);
    const keepTail = (acc: string, chunk: Buffer): string => {
      const next = acc + chunk.toString('utf8');
      return next.length > max ? next.slice(next.length - max) : next;
    };
    child.stdout.on('data', (c: Buffer) => (stdout = keepTail(stdout, c)));
    child.stderr.on('data', (c: Buffer) => (stderr = keepTail(stderr, c)));
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    options.signal?.addEventListener('abort', kill, { once: true });
    const finish = (result: CommandResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      resolve(result);
    };
    child.on('error', (err) => {
      finish({ exitCode: null, signal: null, stdout, stderr, timedOut, spawnError: err.message });
    });
    child.on('close', (exitCode, signal) => {
      finish({ exitCode, signal, stdout, stderr, timedOut });
    });
  });
