// Drives one job: probe the source, plan, run FFmpeg, and when a hardware encoder fails, go on in software from
// the next segment so viewers keep their stream. Mutates only its own entry.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { buildHlsArgs, runPlaylistStart, segmentIndex } from '../ffmpeg/hls-args.js';
import type { PidRecords } from '../ffmpeg/pid-records.js';
import { startFfmpeg, type FfmpegExit, type Launcher } from '../ffmpeg/process.js';
import { StreamPlaylistFile } from '../hls/stream-playlist-file.js';
import { contiguousSegments, resumeSegment } from '../hls/stream-playlist.js';
import { lastLines, probeSource, type SourceInfo } from '../media/source-info.js';
import type { RunCommand } from '../process/run-command.js';
import { softwareEncoder } from './encoder-choice.js';
import { finish, transition, type JobEntry } from './job-entry.js';
import { DEFAULT_SEGMENT_SECONDS, planJob } from './plan.js';

export interface JobRunnerDeps {
  readonly config: Config;
  readonly runCommand: RunCommand;
  readonly launcher: Launcher;
  readonly pidRecords: PidRecords;
  /** Encoder threads for software encoders (null: the encoder decides). */
  readonly threads: () => number | null;
  readonly lowMemory: () => boolean;
  /** A hardware encoder failed in a job: the profile (and the heartbeat) say so until the next refresh. */
  readonly markUnusable: (encoder: string, reason: string) => void;
  /** A segment file was replaced: drop it from the serving cache. */
  readonly forgetFile: (file: string) => void;
  readonly log: Logger;
  readonly onChange: () => void;
}

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

/** Removes the segments a failed run wrote from `from` on (and its unfinished temp files). */
async function removeSegmentsFrom(dir: string, from: number, forget: (file: string) => void): Promise<void> {
  for (const name of await readdir(dir)) {
    const index = segmentIndex(name.replace(/\.tmp$/, ''));
    if (index === null || index < from) continue;
    const file = path.join(dir, name);
    await rm(file, { force: true });
    forget(file);
  }
}

/** Read through a call: the flag changes while awaiting, which narrowing cannot see. */
function cancelled(entry: JobEntry): boolean {
  return entry.abort.signal.aborted;
}

/** Runs the job to its end; never rejects (an unexpected error fails the job). */
export async function runJob(entry: JobEntry, inputPath: string, deps: JobRunnerDeps): Promise<void> {
  try {
    const probe = await probeSource(
      deps.runCommand,
      deps.config.ffmpeg.ffprobePath,
      inputPath,
      entry.abort.signal,
    );
    if (cancelled(entry)) {
      finish(entry, 'cancelled');
      return;
    }
    if (!probe.ok) {
      finish(entry, 'failed', probe.reason);
      return;
    }
    entry.durationSeconds = probe.info.durationSeconds > 0 ? probe.info.durationSeconds : null;
    await encode(entry, inputPath, probe.info, deps);
  } catch (err) {
    deps.log.error({ jobId: entry.id, err }, 'job runner failed');
    finish(entry, 'failed', `internal error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function encode(
  entry: JobEntry,
  inputPath: string,
  source: SourceInfo,
  deps: JobRunnerDeps,
): Promise<void> {
  const segmentSeconds = entry.request.segmentSeconds ?? DEFAULT_SEGMENT_SECONDS;
  const playlist = new StreamPlaylistFile(entry.dir, segmentSeconds);
  entry.arrivals.onArrival = (name) => {
    if (runPlaylistStart(name) !== null) {
      void playlist.update();
      return;
    }
    const index = segmentIndex(name);
    if (index !== null && index + 1 > entry.segmentsReady) entry.segmentsReady = index + 1;
  };
  let startSegment = 0;
  for (;;) {
    if (cancelled(entry)) {
      finish(entry, 'cancelled');
      return;
    }
    const { plan, output } = planJob(entry.request, source, {
      inputPath,
      outputDir: entry.dir,
      encoder: entry.encoder,
      threads: deps.threads(),
      lowMemory: deps.lowMemory(),
      startSegment,
    });
    entry.output = output;
    playlist.addRun(startSegment);
    const exit = await runOnce(entry, buildHlsArgs(plan), startSegment * segmentSeconds, deps);
    if (cancelled(entry)) {
      finish(entry, 'cancelled');
      return;
    }
    if (exit.exitCode === 0) {
      const short = await endedEarly(playlist, entry.durationSeconds, segmentSeconds);
      if (short !== null) {
        await playlist.update();
        finish(entry, 'failed', short);
        return;
      }
      await playlist.finish();
      entry.progress = 1;
      finish(entry, 'completed');
      return;
    }
    const reason = exitReason(exit);
    await playlist.update();
    if (entry.encoder.accelerator === null) {
      finish(entry, 'failed', reason);
      return;
    }
    // The hardware encoder failed: keep every whole segment it made and go on in software from the next one.
    startSegment = resumeSegment(await playlist.listings(), segmentSeconds, source.video?.fps ?? 0);
    playlist.endRun(startSegment);
    await removeSegmentsFrom(entry.dir, startSegment, deps.forgetFile);
    entry.segmentsReady = Math.min(entry.segmentsReady, startSegment);
    deps.markUnusable(entry.encoder.name, reason);
    entry.fallback = { from: entry.encoder.name, reason, atSegment: startSegment };
    deps.log.warn(
      { jobId: entry.id, encoder: entry.encoder.name, reason, atSegment: startSegment },
      'hardware encoder failed: continuing in software',
    );
    entry.encoder = softwareEncoder(entry.request.video.codec);
    deps.onChange();
  }
}

/**
 * FFmpeg exits 0 when its input simply ends, also when the file was truncated or the NAS went away mid-read. A
 * stream more than two segments shorter than the probed source is such a failure, not a finished film.
 */
async function endedEarly(
  playlist: StreamPlaylistFile,
  durationSeconds: number | null,
  segmentSeconds: number,
): Promise<string | null> {
  if (durationSeconds === null) return null;
  const made = contiguousSegments(await playlist.listings()).reduce((sum, s) => sum + s.duration, 0);
  if (made >= durationSeconds - 2 * segmentSeconds) return null;
  return `the input ended after ${made.toFixed(1)} s of its ${durationSeconds.toFixed(1)} s: the file was truncated or became unreadable while it was read (NAS gone?)`;
}

/** One FFmpeg run: started niced in its own group, recorded for orphan reaping, awaited to its exit. */
async function runOnce(
  entry: JobEntry,
  args: string[],
  startSeconds: number,
  deps: JobRunnerDeps,
): Promise<FfmpegExit> {
  const run = startFfmpeg({
    launcher: deps.launcher,
    ffmpegPath: deps.config.ffmpeg.path,
    args,
    onProgress: (p) => {
      if (entry.durationSeconds !== null) {
        const done = (startSeconds + p.outTimeSeconds) / entry.durationSeconds;
        entry.progress = Math.min(0.999, Math.max(entry.progress, done));
      }
      entry.speed = p.speed;
      // A progress block is a cheap moment to catch a file event that inotify may have coalesced.
      entry.arrivals.recheck();
    },
  });
  entry.run = run;
  if (run.pid > 0) deps.pidRecords.add(entry.id, run.pid, entry.dir);
  if (transition(entry, 'running')) entry.startedAt = new Date();
  deps.log.info(
    { jobId: entry.id, pid: run.pid, encoder: entry.encoder.name, startSeconds },
    'ffmpeg started',
  );
  const exit = await run.exited;
  if (run.pid > 0) deps.pidRecords.remove(entry.id, run.pid);
  deps.log.info(
    { jobId: entry.id, exitCode: exit.exitCode, signal: exit.signal, forced: exit.forced },
    'ffmpeg ended',
  );
  return exit;
}
