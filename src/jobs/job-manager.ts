// Holds every job record and acts for them: admits (the checks in admission.ts), runs each in the background
// (job-runner.ts), cancels, fails and drains, and removes streams and records when the sweep says (the rules in
// retention.ts and sweep-rules.ts). Counts of load and heads are in job-load.ts, the stream's handle for HLS in
// stream-handle.ts, the URLs and public wording of a view in public-view.ts.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { WorkerError } from '../errors.js';
import { MASTER_NAME } from '../hls/stream-folder.js';
import type { LostJob } from '../ffmpeg/pid-records.js';
import {
  admissionRefusal,
  chooseEncoders,
  openInput,
  RETRY_AFTER_SECONDS,
  type AdmissionCheck,
  type EncoderCatalog,
} from './admission.js';
import { capacityState, type CapacityInputs, type CapacityState } from './capacity.js';
import { finish, lostEntry, newEntry, viewOf, type JobEntry } from './job-entry.js';
import type { JobView } from '../contract/job-view.js';
import { isLive } from './job-state.js';
import { headCounts, load, parkedCount, pids } from './job-load.js';
import type { JobRequest } from '../contract/job-request.js';
import { runJob, type JobRunnerDeps } from './job-runner.js';
import { publicReason, type InputNames } from './job-failure.js';
import { PLAN_WAIT_MS, playlistUrl, publicView, settledWithin, streamUrl } from './public-view.js';
import { mayForget, mayRemoveStream, removeEmptyFolder, sweepEntry, type SweepEntry } from './retention.js';
import { streamHandle, type StreamHandle } from './stream-handle.js';
import type { DiskState } from './sweep-rules.js';

// The HTTP layer names the handle by the manager that gives it.
export type { StreamHandle } from './stream-handle.js';

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

  /** What counts against max_jobs (see job-load.ts): running heads, one for a live job without any. */
  load(): number {
    return load(this.#jobs.values());
  }

  /** Heads running and paused across jobs, for the heartbeat. */
  headCounts(): { readonly running: number; readonly throttled: number } {
    return headCounts(this.#jobs.values());
  }

  /** Live jobs parked (nobody watches: no FFmpeg works for them), for the heartbeat. */
  parkedCount(): number {
    return parkedCount(this.#jobs.values());
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

  #capacityInputs(): CapacityInputs {
    return {
      draining: this.#draining,
      running: this.load(),
      maxJobs: this.#deps.config.limits.maxJobs,
      availableMemoryBytes: this.#deps.availableMemoryBytes(),
      minFreeMemoryBytes: this.#deps.config.limits.minFreeMemoryBytes,
      ...(this.#disk === undefined ? {} : { disk: this.#disk }),
    };
  }

  /** Throws the refusal of this admission check (admission.ts), if any. */
  #admissionCheck(check: AdmissionCheck, id: string): void {
    const refusal = admissionRefusal(check, {
      id,
      held: this.#jobs.values(),
      platform: this.#deps.platform,
      capacity: this.#capacityInputs(),
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
    if (refusal !== null) throw refusal;
  }

  /** The sweep's latest look at the disk; a change of status sends a beat. */
  noteDisk(disk: DiskState): void {
    const before = this.capacity().status;
    this.#disk = disk;
    if (this.capacity().status !== before) this.#deps.onChange();
  }

  /** Validates and admits a job, then starts it in the background. Throws WorkerError for every refusal. */
  async submit(request: JobRequest): Promise<JobView> {
    const id = request.id ?? randomBytes(16).toString('base64url');
    this.#admissionCheck('arrival', id);
    const { inputPath, names } = await openInput(this.#deps.config.nasMountPath, request.input);
    const { primary: encoder, byCodec } = await chooseEncoders(request, this.#deps.encoders);
    this.#disk = await this.#deps.readDisk();
    // After the awaits and immediately before insertion: concurrent POSTs cannot both take the last slot.
    this.#admissionCheck('insertion', id);
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
    return streamHandle(entry);
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
    return [...this.#jobs.values()].map((e) => sweepEntry(e, now));
  }

  /** Deletes a stopped job's stream folder; its URLs answer 404 from now on, its record stays. */
  async removeStream(id: string): Promise<void> {
    const entry = this.#jobs.get(id);
    if (entry === undefined || !mayRemoveStream(entry)) return;
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
    if (entry === undefined || !mayForget(entry)) return;
    await entry.task;
    if (!entry.streamRemoved) {
      if (!(await removeEmptyFolder(entry.dir))) return;
      entry.streamRemoved = true;
      this.#deps.forgetFile(`${entry.dir}${path.sep}`);
    }
    if (this.#jobs.get(id) === entry) this.#jobs.delete(id);
    this.#deps.log.debug({ jobId: id }, 'job record forgotten');
  }

  /** Pids of running FFmpeg processes (for metrics and tests). */
  pids(): Record<string, number> {
    return pids(this.#jobs.values());
  }

  /** An ABR job's master playlist, any other job's media playlist. */
  playlistUrl(id: string, request?: JobRequest): string {
    return playlistUrl(this.#deps.advertiseUrl(), id, request);
  }

  #view(e: JobEntry): JobView {
    const base = this.#deps.advertiseUrl();
    const view = viewOf(e, playlistUrl(base, e.id, e.request), streamUrl(base, e.id, MASTER_NAME));
    return publicView(view, this.#inputNames.get(e));
  }
}
