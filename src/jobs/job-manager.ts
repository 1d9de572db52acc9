// Owns every job: admission, the FFmpeg run of each, cancellation and drain. The only place job state changes.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { WorkerError } from '../errors.js';
import { buildHlsArgs, PLAYLIST_NAME, segmentIndex } from '../ffmpeg/hls-args.js';
import type { PidRecords } from '../ffmpeg/pid-records.js';
import { startFfmpeg, type FfmpegExit, type FfmpegRun, type Launcher } from '../ffmpeg/process.js';
import { FileArrivals } from '../hls/file-arrivals.js';
import { resolveInputPath } from '../media/input-path.js';
import { lastLines, probeSource } from '../media/source-info.js';
import type { RunCommand } from '../process/run-command.js';
import { admissionError, capacityState, type CapacityState } from './capacity.js';
import { canTransition, isLive, type JobOutput, type JobStatus, type JobView } from './job.js';
import type { JobRequest } from './job-request.js';
import { planJob, type EncoderChoice } from './plan.js';

export interface JobManagerDeps {
  readonly config: Config;
  readonly runCommand: RunCommand;
  readonly launcher: Launcher;
  readonly pidRecords: PidRecords;
  readonly streamsDir: string;
  /** Base URL for playlistUrl (known once the server is bound). */
  readonly advertiseUrl: () => string;
  readonly availableMemoryBytes: () => number;
  /** Encoder threads for software encoders (null: the encoder decides). */
  readonly threads: () => number | null;
  readonly lowMemory: () => boolean;
  readonly chooseEncoder: (codec: 'h264' | 'hevc') => EncoderChoice;
  readonly log: Logger;
  /** Called whenever the worker's status may have changed (the heartbeat sends a beat at once). */
  readonly onChange: () => void;
}

/** Internal, mutable record of one job. */
interface JobEntry {
  readonly id: string;
  readonly request: JobRequest;
  readonly dir: string;
  readonly arrivals: FileArrivals;
  readonly abort: AbortController;
  readonly createdAt: Date;
  status: JobStatus;
  progress: number;
  error: string | undefined;
  cancelReason: string | undefined;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationSeconds: number | null;
  speed: number | null;
  output: JobOutput | null;
  segmentsReady: number;
  run: FfmpegRun | null;
  task: Promise<void>;
}

const RETRY_AFTER_SECONDS = 10;

/** What the HLS layer needs to know about a stream. */
export interface StreamHandle {
  readonly dir: string;
  readonly live: boolean;
  /** Segments the finished stream will have; null until the source was probed. */
  readonly segmentCount: number | null;
  readonly arrivals: FileArrivals;
}

export class JobManager {
  readonly #deps: JobManagerDeps;
  readonly #jobs = new Map<string, JobEntry>();
  #draining = false;

  constructor(deps: JobManagerDeps) {
    this.#deps = deps;
  }

  /** Live jobs (queued or running): what counts against max_jobs. */
  liveIds(): string[] {
    return [...this.#jobs.values()].filter((j) => isLive(j.status)).map((j) => j.id);
  }

  capacity(): CapacityState {
    return capacityState(this.#capacityInputs());
  }

  get draining(): boolean {
    return this.#draining;
  }

  #capacityInputs() {
    return {
      draining: this.#draining,
      running: this.liveIds().length,
      maxJobs: this.#deps.config.limits.maxJobs,
      availableMemoryBytes: this.#deps.availableMemoryBytes(),
      minFreeMemoryBytes: this.#deps.config.limits.minFreeMemoryBytes,
    };
  }

  /** Validates and admits a job, then starts it in the background. Throws WorkerError for every refusal. */
  async submit(request: JobRequest): Promise<JobView> {
    if (this.#draining)
      throw (
        admissionError(this.#capacityInputs(), RETRY_AFTER_SECONDS) ?? new WorkerError('DRAINING', 'draining')
      );
    const id = request.id ?? randomBytes(16).toString('base64url');
    if (this.#jobs.has(id)) throw new WorkerError('JOB_EXISTS', `a job with id ${id} exists already`);
    const inputPath = await resolveInputPath(this.#deps.config.nasMountPath, request.input);
    // Checked after the await and immediately before insertion, so concurrent POSTs cannot both take the last slot.
    if (this.#jobs.has(id)) throw new WorkerError('JOB_EXISTS', `a job with id ${id} exists already`);
    const refusal = admissionError(this.#capacityInputs(), RETRY_AFTER_SECONDS);
    if (refusal !== null) throw refusal;
    const dir = path.join(this.#deps.streamsDir, id);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const arrivals = new FileArrivals(dir);
    const entry: JobEntry = {
      id,
      request,
      dir,
      arrivals,
      abort: new AbortController(),
      createdAt: new Date(),
      status: 'queued',
      progress: 0,
      error: undefined,
      cancelReason: undefined,
      startedAt: null,
      finishedAt: null,
      durationSeconds: null,
      speed: null,
      output: null,
      segmentsReady: 0,
      run: null,
      task: Promise.resolve(),
    };
    arrivals.onArrival = (name) => {
      const index = segmentIndex(name);
      if (index !== null && index + 1 > entry.segmentsReady) entry.segmentsReady = index + 1;
    };
    arrivals.start();
    this.#jobs.set(id, entry);
    entry.task = this.#run(entry, inputPath);
    this.#deps.log.info({ jobId: id, input: request.input }, 'job accepted');
    this.#deps.onChange();
    return this.#view(entry);
  }

  async #run(entry: JobEntry, inputPath: string): Promise<void> {
    const deps = this.#deps;
    try {
      const probe = await probeSource(
        deps.runCommand,
        deps.config.ffmpeg.ffprobePath,
        inputPath,
        entry.abort.signal,
      );
      if (entry.abort.signal.aborted) {
        this.#finish(entry, 'cancelled');
        return;
      }
      if (!probe.ok) {
        this.#finish(entry, 'failed', probe.reason);
        return;
      }
      entry.durationSeconds = probe.info.durationSeconds > 0 ? probe.info.durationSeconds : null;
      const { plan, output } = planJob(entry.request, probe.info, {
        inputPath,
        outputDir: entry.dir,
        encoder: deps.chooseEncoder(entry.request.video.codec),
        threads: deps.threads(),
        lowMemory: deps.lowMemory(),
      });
      entry.output = output;
      const run = startFfmpeg({
        launcher: deps.launcher,
        ffmpegPath: deps.config.ffmpeg.path,
        args: buildHlsArgs(plan),
        onProgress: (p) => {
          if (entry.durationSeconds !== null) {
            entry.progress = Math.min(
              0.999,
              Math.max(entry.progress, p.outTimeSeconds / entry.durationSeconds),
            );
          }
          entry.speed = p.speed;
          // A progress block is a cheap moment to catch a file event that inotify may have coalesced.
          entry.arrivals.recheck();
        },
      });
      entry.run = run;
      if (run.pid > 0) deps.pidRecords.add(entry.id, run.pid, entry.dir);
      this.#transition(entry, 'running');
      entry.startedAt = new Date();
      deps.log.info(
        { jobId: entry.id, pid: run.pid, encoder: output.encoder, height: output.height },
        'ffmpeg started',
      );
      const exit = await run.exited;
      if (run.pid > 0) deps.pidRecords.remove(entry.id, run.pid);
      this.#finishFromExit(entry, exit);
    } catch (err) {
      deps.log.error({ jobId: entry.id, err }, 'job runner failed');
      this.#finish(entry, 'failed', `internal error: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await entry.arrivals.close();
      deps.onChange();
    }
  }

  #finishFromExit(entry: JobEntry, exit: FfmpegExit): void {
    if (entry.abort.signal.aborted) {
      this.#finish(entry, 'cancelled');
    } else if (exit.exitCode === 0) {
      entry.progress = 1;
      this.#finish(entry, 'completed');
    } else {
      const reason =
        exit.spawnError !== undefined
          ? `ffmpeg could not start: ${exit.spawnError}`
          : lastLines(exit.stderrTail) ||
            (exit.signal !== null
              ? `ffmpeg was killed by ${exit.signal}`
              : `ffmpeg exited with code ${String(exit.exitCode)}`);
      this.#finish(entry, 'failed', reason);
    }
    this.#deps.log.info(
      {
        jobId: entry.id,
        status: entry.status,
        exitCode: exit.exitCode,
        signal: exit.signal,
        forced: exit.forced,
      },
      'ffmpeg ended',
    );
  }

  #transition(entry: JobEntry, to: JobStatus): boolean {
    if (!canTransition(entry.status, to)) return false;
    entry.status = to;
    return true;
  }

  #finish(entry: JobEntry, to: 'completed' | 'failed' | 'cancelled', error?: string): void {
    if (!this.#transition(entry, to)) return;
    entry.finishedAt = new Date();
    entry.speed = null;
    if (error !== undefined) entry.error = error;
    if (to === 'cancelled') entry.cancelReason ??= 'cancelled';
  }

  /** Cancels a live job: FFmpeg gets SIGTERM, then SIGKILL, and is reaped before this resolves. Terminal jobs are left as they are. */
  async cancel(id: string, reason = 'cancelled by request'): Promise<JobView> {
    const entry = this.#jobs.get(id);
    if (entry === undefined) throw new WorkerError('JOB_NOT_FOUND', `no job with id ${id}`);
    if (isLive(entry.status)) {
      entry.cancelReason = reason;
      entry.abort.abort();
      await entry.run?.stop();
      await entry.task;
      this.#deps.log.info({ jobId: id, reason }, 'job cancelled');
    }
    return this.#view(entry);
  }

  /** Stops taking jobs, cancels every live one and waits until every FFmpeg has been reaped. */
  async drain(reason = 'worker shutting down'): Promise<void> {
    this.#draining = true;
    this.#deps.onChange();
    await Promise.all(this.liveIds().map((id) => this.cancel(id, reason)));
    await Promise.all([...this.#jobs.values()].map((j) => j.task));
  }

  view(id: string): JobView {
    const entry = this.#jobs.get(id);
    if (entry === undefined) throw new WorkerError('JOB_NOT_FOUND', `no job with id ${id}`);
    return this.#view(entry);
  }

  list(): JobView[] {
    return [...this.#jobs.values()].map((e) => this.#view(e));
  }

  /** The stream behind a job id, or null when there is none. */
  stream(id: string): StreamHandle | null {
    const entry = this.#jobs.get(id);
    if (entry === undefined) return null;
    return {
      dir: entry.dir,
      live: isLive(entry.status),
      segmentCount: entry.output?.segmentCount ?? null,
      arrivals: entry.arrivals,
    };
  }

  /** Pids of running FFmpeg processes (for metrics and tests). */
  pids(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.#jobs.values()) if (e.run !== null && isLive(e.status)) out[e.id] = e.run.pid;
    return out;
  }

  playlistUrl(id: string): string {
    return `${this.#deps.advertiseUrl()}/streams/${id}/${PLAYLIST_NAME}`;
  }

  #view(e: JobEntry): JobView {
    return {
      id: e.id,
      status: e.status,
      progress: Math.round(e.progress * 1000) / 1000,
      ...(e.error === undefined ? {} : { error: e.error }),
      ...(e.status === 'cancelled' && e.cancelReason !== undefined ? { cancelReason: e.cancelReason } : {}),
      playlistUrl: this.playlistUrl(e.id),
      input: e.request.input,
      createdAt: e.createdAt.toISOString(),
      startedAt: e.startedAt?.toISOString() ?? null,
      finishedAt: e.finishedAt?.toISOString() ?? null,
      durationSeconds: e.durationSeconds,
      speed: e.speed,
      output: e.output,
      segmentsReady: e.segmentsReady,
      request: e.request,
    };
  }
}
