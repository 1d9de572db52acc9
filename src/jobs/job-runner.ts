// Drives one job: probe the source, then let its HeadStream run encoder heads until the stream is complete, fails,
// or the job is cancelled. Mutates only its own entry: the stream reports through StreamReport, written here.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { PidRecords } from '../ffmpeg/pid-records.js';
import { startFfmpeg, type Launcher } from '../ffmpeg/process.js';
import type { ProbeCache } from '../media/probe-cache.js';
import { probeSource, type ProbeResult } from '../media/source-info.js';
import type { RunCommand } from '../process/run-command.js';
import { readKeyframes, type KeyframeIndex } from '../media/keyframe-index.js';
import { planStream } from '../stream/plan.js';
import { checkInterlace } from '../media/interlace-check.js';
import { needsInterlaceCheck } from '../stream/picture-plan.js';
import { extractBurnText } from '../stream/burn-text.js';
import { startSubtitles } from '../stream/start-subtitles.js';
import { COPY_CHOICE } from '../stream/encoder-choice.js';
import { HeadStream, type StreamEnd } from '../stream/head-stream.js';
import { finish, recordOf, transition, type JobEntry } from './job-entry.js';
import { fullDisk } from './job-failure.js';
import type { StreamDeps, StreamReport } from '../stream/ports.js';
import type { DiskState } from './sweep-rules.js';

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
  /** Free space on work_dir's filesystem: a run that ends early on a full disk says so. */
  readonly readDisk: () => Promise<DiskState>;
  /** Whether FFmpeg can be paused on this platform (SIGSTOP); throttling is off where it cannot. */
  readonly canPause: boolean;
  readonly probes: ProbeCache;
}

/** ffprobe's description of the source, from the cache while the file is unchanged. */
async function describeSource(entry: JobEntry, inputPath: string, deps: JobRunnerDeps): Promise<ProbeResult> {
  const key = await deps.probes.key(inputPath);
  const known = key === null ? undefined : deps.probes.get(key);
  if (known !== undefined) return { ok: true, info: known };
  const probe = await probeSource(
    deps.runCommand,
    deps.config.ffmpeg.ffprobePath,
    inputPath,
    entry.abort.signal,
  );
  if (probe.ok && key !== null) deps.probes.set(key, probe.info);
  return probe;
}

/** The world a job's stream acts on, from the runner's. */
function streamDeps(deps: JobRunnerDeps): StreamDeps {
  const { config, launcher } = deps;
  return {
    seek: config.seek,
    throttle: config.throttle,
    segmentWaitMs: config.streams.segmentWaitMs,
    startHead: (args, onProgress) =>
      startFfmpeg({ launcher, ffmpegPath: config.ffmpeg.path, args, onProgress }),
    threads: deps.threads,
    lowMemory: deps.lowMemory,
    canPause: deps.canPause,
    markUnusable: deps.markUnusable,
    forgetFile: deps.forgetFile,
    diskFull: () => fullDisk(deps.readDisk),
    now: Date.now,
    log: deps.log,
  };
}

/** How the stream's news reaches the job's record: the only writer of the entry's stream fields. */
function reportTo(entry: JobEntry, deps: JobRunnerDeps): StreamReport {
  return {
    started(pid) {
      if (transition(entry, 'running')) entry.startedAt = new Date();
      // The request goes into the record too: after a crash the next start reports the job as lost.
      const unrecorded = pid > 0 ? deps.pidRecords.add(entry.id, pid, entry.dir, recordOf(entry)) : null;
      if (unrecorded !== null)
        deps.log.warn({ jobId: entry.id, err: unrecorded }, 'could not write the pid record');
    },
    exited(pid) {
      deps.pidRecords.remove(entry.id, pid);
    },
    output(output) {
      entry.output = output;
    },
    made(segmentsReady, progress) {
      entry.segmentsReady = segmentsReady;
      if (progress !== null) entry.progress = progress;
    },
    speed(speed) {
      entry.speed = speed;
    },
    fallback(fallback, encoder) {
      entry.fallback = fallback;
      entry.encoder = encoder;
    },
    changed: deps.onChange,
  };
}

/** Applies a stream's end to its job entry. */
function applyEnd(entry: JobEntry, end: StreamEnd): void {
  if (end.status === 'failed') finish(entry, 'failed', end.reason);
  else if (end.status === 'completed') {
    entry.progress = 1;
    finish(entry, 'completed');
  } else finish(entry, 'cancelled');
}

/** Read through a call: the flag changes while awaiting, which narrowing cannot see. */
function cancelled(entry: JobEntry): boolean {
  return entry.abort.signal.aborted;
}

/** Runs the job to its end; never rejects (an unexpected error fails the job). */
export async function runJob(entry: JobEntry, inputPath: string, deps: JobRunnerDeps): Promise<void> {
  // A copy's keyframe index (an ffprobe reading the whole file) ends with the job, however the job ends.
  let index: KeyframeIndex | null = null;
  try {
    const probe = await describeSource(entry, inputPath, deps);
    if (cancelled(entry)) {
      finish(entry, 'cancelled');
      return;
    }
    if (!probe.ok) {
      finish(entry, 'failed', probe.reason);
      return;
    }
    entry.durationSeconds = probe.info.durationSeconds > 0 ? probe.info.durationSeconds : null;
    let plan = planStream(entry.request, probe.info);
    if ('error' in plan) {
      finish(entry, 'failed', plan.error);
      return;
    }
    // A source whose container does not state its field order: idet looks at its first frames (never for one tagged
    // progressive, so a normal file's first segment is not delayed). A failed check decides nothing.
    if (needsInterlaceCheck(entry.request, plan.sourceVideo, plan.video.copy)) {
      const check = await checkInterlace(
        deps.runCommand,
        deps.config.ffmpeg.path,
        inputPath,
        entry.abort.signal,
      );
      if (cancelled(entry)) {
        finish(entry, 'cancelled');
        return;
      }
      if (!check.ok) deps.log.warn({ jobId: entry.id, reason: check.reason }, 'interlace check failed');
      const facts = { interlace: check.ok ? check.verdict : null };
      const replanned = planStream(entry.request, probe.info, facts);
      if ('error' in replanned) {
        finish(entry, 'failed', replanned.error);
        return;
      }
      plan = replanned;
    }
    // A text track burned in is read by libass from an .ass file: written whole before any head starts.
    if (plan.burn?.text === true) {
      const burnDeps = {
        launcher: deps.launcher,
        ffmpegPath: deps.config.ffmpeg.path,
        pidRecords: deps.pidRecords,
        log: deps.log,
      };
      const job = { jobId: entry.id, record: recordOf(entry), dir: entry.dir };
      const extracted = await extractBurnText(
        burnDeps,
        job,
        inputPath,
        plan.burn.streamIndex,
        entry.abort.signal,
      );
      if (cancelled(entry)) {
        finish(entry, 'cancelled');
        return;
      }
      if (!extracted.ok) {
        finish(entry, 'failed', extracted.reason);
        return;
      }
    }
    if (plan.video.copy) entry.encoder = COPY_CHOICE;
    // A copy's VOD playlist comes from the source's keyframes, read while the copy already runs.
    if (plan.copyCuts && plan.vod) {
      const { launcher, pidRecords, log } = deps;
      const indexDeps = { launcher, ffprobePath: deps.config.ffmpeg.ffprobePath, pidRecords, log };
      const job = { jobId: entry.id, record: recordOf(entry) };
      index = readKeyframes(indexDeps, job, inputPath, entry.abort.signal);
    }
    const job = {
      id: entry.id,
      request: entry.request,
      inputPath,
      dir: entry.dir,
      arrivals: entry.arrivals,
      encoder: entry.encoder,
      encoders: entry.encoders,
    };
    const stream = new HeadStream(job, reportTo(entry, deps), plan, streamDeps(deps), index?.times);
    entry.stream = stream;
    const subtitles = startSubtitles({ ...job, record: recordOf(entry) }, inputPath, probe.info, stream, {
      launcher: deps.launcher,
      ffmpegPath: deps.config.ffmpeg.path,
      pidRecords: deps.pidRecords,
      log: deps.log,
      segmentWaitMs: deps.config.streams.segmentWaitMs,
    });
    entry.subtitles = subtitles;
    const onAbort = (): void => {
      stream.abort();
    };
    entry.abort.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await stream.start();
      entry.markPlanned();
      // A viewer who asked for a far segment while the source was being probed gets a head there now.
      if (entry.earlyRequest !== null) stream.request(entry.earlyRequest);
      const end = await stream.ended;
      // Before the job reads as ended: nothing of it runs on (a failed copy's index would read to the file's end).
      await Promise.all([stream.stopAll('the job ended'), index?.stop()]);
      // A completed stream keeps its subtitles whole: the extraction reads on to the end first.
      if (end.status === 'completed') await subtitles?.finished();
      await subtitles?.stop();
      applyEnd(entry, end);
    } finally {
      entry.abort.signal.removeEventListener('abort', onAbort);
      await subtitles?.stop();
    }
  } catch (err) {
    deps.log.error({ jobId: entry.id, err }, 'job runner failed');
    finish(entry, 'failed', `internal error: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await index?.stop();
    entry.markPlanned();
  }
}
