// `transcode-worker probe`: the full hardware profile (test encodes and speed runs included), for the CLI to print.
import { runCommand as realRunCommand, type RunCommand } from '../process/run-command.js';
import { createHardwareProfiler, type ProfilerLog } from './profiler.js';
import type { HardwareProfile } from './types.js';

export interface ProbeCommandOptions {
  readonly ffmpegPath: string;
  readonly workDir: string;
  /** Ignore hardware-profile.json and test and measure again. */
  readonly refresh: boolean;
  /** Stops the probe early (its FFmpeg runs are killed); the profile so far is returned. */
  readonly signal?: AbortSignal;
  /** Progress lines; by default one line each on stderr, so stdout carries only the JSON. */
  readonly log?: ProfilerLog;
  readonly runCommand?: RunCommand;
  readonly platform?: NodeJS.Platform;
}

// Errors print as their message (JSON.stringify turns an Error into {}).
const fields = (obj: object): string =>
  JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.message : v));

const stderrLog: ProfilerLog = {
  info: (obj, msg) => process.stderr.write(`probe: ${msg} ${fields(obj)}\n`),
  warn: (obj, msg) => process.stderr.write(`probe: warning: ${msg} ${fields(obj)}\n`),
};

/** Profiles this machine (cache unless refresh), waits for test encodes and speed runs, returns the final snapshot. */
export async function probeCommand(opts: ProbeCommandOptions): Promise<HardwareProfile> {
  const profiler = createHardwareProfiler({
    ffmpegPath: opts.ffmpegPath,
    workDir: opts.workDir,
    platform: opts.platform ?? process.platform,
    runCommand: opts.runCommand ?? realRunCommand,
    log: opts.log ?? stderrLog,
    signal: opts.signal ?? new AbortController().signal,
    measureSpeed: true,
    refresh: opts.refresh,
  });
  await profiler.settled;
  return profiler.snapshot();
}
