// Owns every job: admission, the FFmpeg run of each, cancellation and drain. The only place job state changes.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { mkdirSync, rmSync } from 'node:fs';
import { realpath, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { WorkerError } from '../errors.js';
import { MASTER_NAME, PLAYLIST_NAME } from '../hls/stream-folder.js';
import { segmentWindow } from '../hls/subtitle-playlist.js';
import type { LostJob } from '../ffmpeg/pid-records.js';
import type { EncoderCheck, VideoCodec } from '../hardware/types.js';
import type { FileArrivals } from '../hls/file-arrivals.js';
import { resolveInputPath } from '../media/input-path.js';
import { admissionError, capacityState, type CapacityState } from './capacity.js';
import {
  chooseEncoder,
  COPY_CHOICE,
  softwareEncoder,
  wishedCodecs,
  type EncoderChoice,
  type EncoderSet,
} from '../stream/encoder-choice.js';
import { finish, lostEntry, newEntry, viewOf, type JobEntry } from './job-entry.js';
import type { JobView } from '../contract/job-view.js';
import type { JobRequest } from '../contract/job-request.js';
import { isLive } from './job-state.js';
import { folderSharedWith } from './job-ids.js';
import { runJob, type JobRunnerDeps } from './job-runner.js';
import { publicReason, type InputNames } from './job-failure.js';
import type { DiskState } from './sweep-rules.js';

/** What the manager needs to know about this machine's encoders (the hardware profiler, in the daemon). */
export interface EncoderCatalog {
  /** Usable encoders of a codec, fastest first. */
  usable(codec: VideoCodec): readonly EncoderCheck[];
  /** Every encoder tried, usable or not. */
  known(): readonly EncoderCheck[];
  /** Resolves when the test encodes are done (at once when the profile came from the cache). */
  readonly tested: Promise<void>;
}

export interface JobManagerDeps extends JobRunnerDeps {
  readonly config: Config;
  readonly streamsDir: string;
  /** Base URL for playlistUrl (known once the server is bound). */
  readonly advertiseUrl: () => string;
  readonly availableMemoryBytes: () => number;
  readonly encoders: EncoderCatalog;
  readonly log: Logger;
  /** Called whenever the worker's status may have changed (the heartbeat sends a beat at once). */
  readonly onChange: () => void;
  /** Whose file system rules the stream folders follow (macOS and Windows fold case: Film-1 is film-1). */
  readonly platform: NodeJS.Platform;
}

/** What the sweep needs to know of one job. */
export interface SweepEntry {
  readonly id: string;
  readonly dir: string;
  readonly live: boolean;
  readonly createdAt: number;
  readonly lastActivity: number;
  readonly lastRequest: number | null;
  readonly finishedAt: number | null;
  readonly streamRemoved: boolean;
  /** When the live job was parked (ms), else null; and its FFmpeg processes (a parked one may keep a paused head). */
  readonly parkedAt: number | null;
  readonly processes: number;
}

/** How long a job naming an encoder waits for the start-up test encodes to say whether it works. */
const ENCODER_TEST_WAIT_MS = 10_000;

const RETRY_AFTER_SECONDS = 10;

/** How long POST /jobs of an ABR job waits for the probe, to answer with its variants (a slow NAS: no answer). */
const PLAN_WAIT_MS = 5_000;

/** What the HLS layer needs to know about a stream. */
export interface StreamHandle {
  readonly dir: string;
  readonly live: boolean;
  /** Segments the finished stream will have; null until the source was probed. */
  readonly segmentCount: number | null;
  readonly arrivals: FileArrivals;
  /** A viewer asks for segment k: counts for throttling and may start a head there (a seek). */
  readonly request: (k: number) => void;
  /** The segment container once the source was probed (names ending .ts or .m4s), else null. */
  readonly container: 'ts' | 'fmp4' | null;
  /** An ABR job's variant count once probed (0: one quality, no v{i} files); null before. */
  readonly variants: number | null;
  /** Subtitle rendition j's playlist (null: no such rendition, or not known yet); waits for the VOD durations. */
  readonly subtitlePlaylist: (j: number) => Promise<string | null>;
  /** Subtitle rendition j's segment k as WebVTT; null when there is none (or the wait ran out, or `signal`). */
  readonly subtitleSegment: (j: number, k: number, signal: AbortSignal) => Promise<string | null>;
}

/**
 * The job's VOD segment durations, which its subtitle renditions are cut to; null without (event, or no stream).
 * Asked right after POST, before the probe: they exist once the job is planned.
 */
async function vodDurations(entry: JobEntry): Promise<readonly number[] | null> {
  await entry.planned;
  return (await entry.stream?.durations) ?? null;
}

/** Waits for a promise at most `ms`; the timer does not outlive the wait. */
async function settledWithin(p: Promise<void>, ms: number): Promise<void> {
  const timer = new AbortController();
  try {
    await Promise.race([p, delay(ms, undefined, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}

export class JobManager {
  readonly #deps: JobManagerDeps;
  readonly #jobs = new Map<string, JobEntry>();
  /** Each job's source as posted and as opened: its view names the first, never the NAS path. */
  readonly #inputNames = new WeakMap<JobEntry, InputNames>();
  #draining = false;
  #accepted = 0;
  #disk: DiskState | undefined;

  constructor(deps: JobManagerDeps) {
    this.#deps = deps;
  }

  /** Live jobs (queued or running): what counts against max_jobs. */
  liveIds(): string[] {
    return [...this.#jobs.values()].filter((j) => isLive(j.status)).map((j) => j.id);
  }

  /**
   * What counts against max_jobs: each running FFmpeg head (an ABR head once per encoded variant), and one for a
   * live job without one (probing, or waiting
   * for a viewer to seek). A paused head costs no CPU: a job whose heads are all paused counts nothing.
   */
  load(): number {
    let n = 0;
    for (const e of this.#jobs.values()) {
      if (!isLive(e.status)) continue;
      const heads = e.stream?.heads() ?? [];
      // An ABR head encodes each variant: it weighs as many encodes.
      const active = heads.filter((h) => !h.throttled).reduce((sum, h) => sum + h.cost, 0);
      // A parked job costs nothing until a viewer comes back.
      n += heads.length === 0 && e.stream?.parkedAt == null ? 1 : active;
    }
    return n;
  }

  /** Heads running and paused across jobs, for the heartbeat. */
  headCounts(): { readonly running: number; readonly throttled: number } {
    let running = 0;
    let throttled = 0;
    for (const e of this.#jobs.values()) {
      if (!isLive(e.status)) continue;
      for (const h of e.stream?.heads() ?? []) {
        if (h.throttled) throttled++;
        else running++;
      }
    }
    return { running, throttled };
  }

  /** Live jobs parked (nobody watches: no FFmpeg works for them), for the heartbeat. */
  parkedCount(): number {
    return [...this.#jobs.values()].filter((e) => isLive(e.status) && e.stream?.parkedAt != null).length;
  }

  /** Parks a live job nobody watches (see HeadStream.park); false when it was not (no stream yet, or it cannot be). */
  async park(id: string): Promise<boolean> {
    const entry = this.#jobs.get(id);
    if (entry?.stream == null || !isLive(entry.status)) return false;
    return entry.stream.park();
  }

  capacity(): CapacityState {
    return capacityState(this.#capacityInputs());
  }

  /** Jobs accepted since start (a speed measurement that overlapped one is redone). */
  get accepted(): number {
    return this.#accepted;
  }

  get draining(): boolean {
    return this.#draining;
  }

  #capacityInputs() {
    return {
      draining: this.#draining,
      running: this.load(),
      maxJobs: this.#deps.config.limits.maxJobs,
      availableMemoryBytes: this.#deps.availableMemoryBytes(),
      minFreeMemoryBytes: this.#deps.config.limits.minFreeMemoryBytes,
      ...(this.#disk === undefined ? {} : { disk: this.#disk }),
    };
  }

  /** The sweep's latest look at the disk; a change of status sends a beat. */
  noteDisk(disk: DiskState): void {
    const before = this.capacity().status;
    this.#disk = disk;
    if (this.capacity().status !== before) this.#deps.onChange();
  }

  /** Validates and admits a job, then starts it in the background. Throws WorkerError for every refusal. */
  async submit(request: JobRequest): Promise<JobView> {
    if (this.#draining)
      throw (
        admissionError(this.#capacityInputs(), RETRY_AFTER_SECONDS) ?? new WorkerError('DRAINING', 'draining')
      );
    const id = request.id ?? randomBytes(16).toString('base64url');
    this.#checkIdFree(id);
    const mount = this.#deps.config.nasMountPath;
    const inputPath = await resolveInputPath(mount, request.input);
    const names: InputNames = {
      input: request.input,
      opened: inputPath,
      mounts: [mount, await realpath(mount).catch(() => mount)],
    };
    const { primary: encoder, byCodec } = await this.#chooseEncoders(request);
    this.#disk = await this.#deps.readDisk();
    // Checked after the await and immediately before insertion, so concurrent POSTs cannot both take the last slot.
    this.#checkIdFree(id);
    const refusal = admissionError(this.#capacityInputs(), RETRY_AFTER_SECONDS);
    if (refusal !== null) throw refusal;
    const dir = path.join(this.#deps.streamsDir, id);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const entry = newEntry(id, request, dir, encoder);
    this.#inputNames.set(entry, names);
    entry.encoders = byCodec;
    entry.arrivals.start();
    this.#jobs.set(id, entry);
    this.#accepted++;
    entry.task = this.#run(entry, inputPath);
    this.#deps.log.info({ jobId: id, input: request.input, encoder: encoder.name }, 'job accepted');
    this.#deps.onChange();
    // An ABR job answers with the variants it makes and those the source does not allow: the probe takes ~0.1 s.
    if (request.variants !== undefined) await settledWithin(entry.planned, PLAN_WAIT_MS);
    return this.#view(entry);
  }

  /** Refuses an id in use, or one whose stream folder is another job's on a case-insensitive file system. */
  #checkIdFree(id: string): void {
    if (this.#jobs.has(id)) throw new WorkerError('JOB_EXISTS', `a job with id ${id} exists already`);
    // A kept stream's folder counts as a live one's: the new job would empty it, and its removal delete the new one.
    const holders = [...this.#jobs.values()].filter((e) => !e.streamRemoved).map((e) => e.id);
    const other = folderSharedWith(id, holders, this.#deps.platform);
    if (other !== null)
      throw new WorkerError(
        'JOB_ID_CONFLICT',
        `id ${id} differs from job ${other} only in case: on this file system they would share one stream folder`,
      );
  }

  /**
   * The encoder of each codec the job may make (an ABR ladder may mix codecs); a named one that is still being tested
   * is waited for (bounded). The first codec's encoder is the job's own (`encoder` in its view).
   */
  async #chooseEncoders(request: JobRequest): Promise<{ primary: EncoderChoice; byCodec: EncoderSet }> {
    const { hardware = 'auto' } = request.video;
    const codecs = wishedCodecs(request);
    const first = codecs[0];
    // A copy needs no encoder; auto may still become a copy once the source is probed.
    if (first === undefined) return { primary: COPY_CHOICE, byCodec: new Map() };
    const catalog = this.#deps.encoders;
    if (hardware !== 'auto' && hardware !== 'none' && !catalog.known().some((c) => c.name === hardware)) {
      await Promise.race([catalog.tested, delay(ENCODER_TEST_WAIT_MS)]);
    }
    // A named encoder serves its own codec; the ladder's other codecs take the fastest usable one.
    const named = catalog.known().find((c) => c.name === hardware);
    const byCodec: EncoderSet = new Map(
      codecs.map((codec) => {
        const preference =
          codecs.length > 1 && named !== undefined && named.codec !== codec ? 'auto' : hardware;
        return [codec, chooseEncoder(codec, preference, catalog.usable(codec), catalog.known())];
      }),
    );
    return { primary: byCodec.get(first) ?? softwareEncoder(first), byCodec };
  }

  async #run(entry: JobEntry, inputPath: string): Promise<void> {
    const names = this.#inputNames.get(entry);
    // An encoder's reason goes to the heartbeat and the public /health: FFmpeg's words, without the NAS path.
    const markUnusable = (encoder: string, reason: string): void => {
      this.#deps.markUnusable(encoder, names === undefined ? reason : publicReason(reason, names));
    };
    try {
      await runJob(entry, inputPath, { ...this.#deps, markUnusable });
    } finally {
      await entry.arrivals.close();
      this.#deps.onChange();
    }
  }

  /** Jobs a killed worker left running (their FFmpeg reaped at start): `failed`, ids taken until the next restart. */
  registerLost(lost: readonly LostJob[]): void {
    const now = new Date();
    for (const job of lost) {
      if (!this.#jobs.has(job.id))
        this.#jobs.set(job.id, lostEntry(job, path.join(this.#deps.streamsDir, job.id), now));
    }
  }

  /** Cancels a live job: FFmpeg gets SIGTERM, then SIGKILL, and is reaped before this resolves. Terminal jobs are left as they are. */
  async cancel(id: string, reason = 'cancelled by request'): Promise<JobView> {
    const entry = this.#jobs.get(id);
    if (entry === undefined) throw new WorkerError('JOB_NOT_FOUND', `no job with id ${id}`);
    if (isLive(entry.status)) {
      entry.cancelReason = reason;
      await this.#stop(entry);
      this.#deps.log.info({ jobId: id, reason }, 'job cancelled');
    }
    return this.#view(entry);
  }

  /** Ends a live job as failed (work_dir is full): FFmpeg is stopped and reaped before this resolves. */
  async fail(id: string, reason: string): Promise<void> {
    const entry = this.#jobs.get(id);
    if (entry === undefined || !isLive(entry.status)) return;
    finish(entry, 'failed', reason);
    await this.#stop(entry);
    this.#deps.log.warn({ jobId: id, reason }, 'job failed');
  }

  /** Aborts the runner (which then ends the job unless it has ended already) and waits for its FFmpeg and task. */
  async #stop(entry: JobEntry): Promise<void> {
    entry.abort.abort();
    await entry.task;
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

  /** The stream behind a job id, or null when there is none. Every stream request counts as a viewer's activity. */
  stream(id: string): StreamHandle | null {
    const entry = this.#jobs.get(id);
    if (entry === undefined || entry.streamRemoved) return null;
    entry.lastActivity = entry.lastRequest = Date.now();
    if (isLive(entry.status)) entry.stream?.visited();
    return {
      dir: entry.dir,
      get live() {
        return isLive(entry.status);
      },
      segmentCount: entry.output?.segmentCount ?? null,
      arrivals: entry.arrivals,
      request: (k) => {
        if (!isLive(entry.status)) return;
        // Before the probe is done there is no stream yet: the runner passes the request on once there is.
        if (entry.stream === null) entry.earlyRequest = k;
        else entry.stream.request(k);
      },
      container: entry.output?.container ?? null,
      variants: entry.output === null ? null : (entry.output.variants?.length ?? 0),
      subtitlePlaylist: async (j) => {
        const durations = await vodDurations(entry);
        return durations === null ? null : (entry.subtitles?.playlist(j, durations) ?? null);
      },
      subtitleSegment: async (j, k, signal) => {
        const durations = await vodDurations(entry);
        const window = durations === null ? null : segmentWindow(durations, k);
        return window === null ? null : ((await entry.subtitles?.segment(j, window, signal)) ?? null);
      },
    };
  }

  /** The orchestrator says someone still wants this job (a viewer paused, a prepare job): not idle. */
  keepalive(id: string): JobView {
    const entry = this.#jobs.get(id);
    if (entry === undefined) throw new WorkerError('JOB_NOT_FOUND', `no job with id ${id}`);
    entry.lastActivity = entry.lastRequest = Date.now();
    return this.#view(entry);
  }

  /** Every job as the sweep sees it. */
  sweepEntries(): SweepEntry[] {
    const now = Date.now();
    return [...this.#jobs.values()].map((e) => ({
      id: e.id,
      dir: e.dir,
      live: isLive(e.status),
      createdAt: e.createdAt.getTime(),
      // A viewer still waiting for a file (the first playlist, a segment not yet made) is watching right now.
      lastActivity: e.arrivals.waiting > 0 ? now : e.lastActivity,
      lastRequest: e.lastRequest,
      finishedAt: e.finishedAt?.getTime() ?? null,
      streamRemoved: e.streamRemoved,
      parkedAt: isLive(e.status) ? (e.stream?.parkedAt ?? null) : null,
      processes: isLive(e.status) ? (e.stream?.runs().length ?? 0) : 0,
    }));
  }

  /** Deletes a stopped job's stream folder; its URLs answer 404 from now on, its record stays. */
  async removeStream(id: string): Promise<void> {
    const entry = this.#jobs.get(id);
    if (entry === undefined || isLive(entry.status) || entry.streamRemoved) return;
    entry.streamRemoved = true;
    await entry.task;
    await rm(entry.dir, { recursive: true, force: true });
    this.#deps.forgetFile(`${entry.dir}${path.sep}`);
    this.#deps.log.info({ jobId: id }, 'stream removed');
  }

  /**
   * Forgets a stopped job with nothing to serve (the sweep's record cap): its record, its id, and its stream folder if
   * still there and empty. A folder that holds a file after all stays, and so does its record, until keep_minutes.
   */
  async forget(id: string): Promise<void> {
    const entry = this.#jobs.get(id);
    if (entry === undefined || isLive(entry.status)) return;
    await entry.task;
    if (!entry.streamRemoved) {
      try {
        // rmdir, not rm: only an empty folder goes with the record.
        await rmdir(entry.dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return;
      }
      entry.streamRemoved = true;
      this.#deps.forgetFile(`${entry.dir}${path.sep}`);
    }
    if (this.#jobs.get(id) === entry) this.#jobs.delete(id);
    this.#deps.log.debug({ jobId: id }, 'job record forgotten');
  }

  /** Pids of running FFmpeg processes (for metrics and tests). */
  pids(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.#jobs.values()) {
      const run = e.stream?.runs()[0];
      if (run !== undefined && isLive(e.status)) out[e.id] = run.pid;
    }
    return out;
  }

  /** An ABR job's master playlist, any other job's media playlist. */
  playlistUrl(id: string, request?: JobRequest): string {
    return this.#streamUrl(id, request?.variants === undefined ? PLAYLIST_NAME : MASTER_NAME);
  }

  #streamUrl(id: string, name: string): string {
    return `${this.#deps.advertiseUrl()}/streams/${id}/${name}`;
  }

  #view(e: JobEntry): JobView {
    const view = viewOf(e, this.playlistUrl(e.id, e.request), this.#streamUrl(e.id, MASTER_NAME));
    const names = this.#inputNames.get(e);
    if (names === undefined) return view;
    // FFmpeg's reasons name the file it opened: the view names the input as posted.
    return {
      ...view,
      ...(view.error === undefined ? {} : { error: publicReason(view.error, names) }),
      ...(view.fallback === undefined
        ? {}
        : { fallback: { ...view.fallback, reason: publicReason(view.fallback.reason, names) } }),
    };
  }
}
