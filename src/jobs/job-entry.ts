// The job manager's mutable record of one job, and the public view of it. Only the manager and its runner
// change an entry.
import type { LostJob, RecordedJob } from '../ffmpeg/pid-records.js';
import { FileArrivals } from '../hls/file-arrivals.js';
import type { HeadStream } from '../stream/head-stream.js';
import type { SubtitleRenditions } from '../stream/subtitle-renditions.js';
import { canTransition, isLive } from './job-state.js';
import { type JobFallback, type JobOutput, type JobStatus, type JobView } from '../contract/job-view.js';
import type { JobRequest } from '../contract/job-request.js';
import type { EncoderChoice, EncoderSet } from '../stream/encoder-choice.js';

export interface JobEntry {
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
  /** The encoder of the current (or last) run. */
  encoder: EncoderChoice;
  /** The encoder of each codec an ABR ladder makes (empty: the job's one codec uses `encoder`). */
  encoders: EncoderSet;
  fallback: JobFallback | null;
  output: JobOutput | null;
  segmentsReady: number;
  /** The encoder heads, once the source was probed. */
  stream: HeadStream | null;
  /** The job's WebVTT subtitle renditions (VOD streams of sources with text tracks), else null. */
  subtitles: SubtitleRenditions | null;
  /** The last segment a viewer asked for before the stream existed (a seek right after POST), else null. */
  earlyRequest: number | null;
  task: Promise<void>;
  /** Settles once the source is probed and the output planned (or the job ended before). */
  readonly planned: Promise<void>;
  readonly markPlanned: () => void;
  /** Last stream request or keepalive (ms since epoch); acceptance counts as the first. */
  lastActivity: number;
  /** Last stream request or keepalive (ms since epoch); null until the first. */
  lastRequest: number | null;
  /** The stream folder was deleted (keep_minutes, disk budget): its URLs answer 404. */
  streamRemoved: boolean;
}

/** Moves an entry to another status if the state machine allows it. */
export function transition(entry: JobEntry, to: JobStatus): boolean {
  if (!canTransition(entry.status, to)) return false;
  entry.status = to;
  return true;
}

/** Ends a job once: finishedAt, the error or the cancel reason. */
export function finish(entry: JobEntry, to: 'completed' | 'failed' | 'cancelled', error?: string): void {
  if (!transition(entry, to)) return;
  entry.finishedAt = new Date();
  entry.speed = null;
  if (error !== undefined) entry.error = error;
  if (to === 'cancelled') entry.cancelReason ??= 'cancelled';
}

/** What a pid record keeps of a running job, so a restart after a crash can report it as lost. */
export function recordOf(e: JobEntry): RecordedJob {
  return {
    request: e.request,
    createdAt: e.createdAt.toISOString(),
    startedAt: (e.startedAt ?? new Date()).toISOString(),
    encoder: e.encoder.name,
  };
}

/** The error of a job that was running when the worker was killed. */
export const LOST_JOB_ERROR = 'worker restarted';

/** A job just accepted: queued, nothing run, its stream folder `dir` not watched yet. */
export function newEntry(
  id: string,
  request: JobRequest,
  dir: string,
  encoder: EncoderChoice,
  createdAt = new Date(),
): JobEntry {
  let markPlanned = (): void => undefined;
  const planned = new Promise<void>((resolve) => {
    markPlanned = resolve;
  });
  return {
    id,
    request,
    dir,
    arrivals: new FileArrivals(dir),
    abort: new AbortController(),
    createdAt,
    status: 'queued',
    progress: 0,
    error: undefined,
    cancelReason: undefined,
    startedAt: null,
    finishedAt: null,
    durationSeconds: null,
    speed: null,
    encoder,
    encoders: new Map(),
    fallback: null,
    output: null,
    segmentsReady: 0,
    stream: null,
    earlyRequest: null,
    subtitles: null,
    task: Promise.resolve(),
    planned,
    markPlanned,
    lastActivity: createdAt.getTime(),
    lastRequest: null,
    streamRemoved: false,
  };
}

/** The record of a job a killed worker left running: failed at `at` (this start), its stream already removed. */
export function lostEntry(job: LostJob, dir: string, at: Date): JobEntry {
  const encoder = { name: job.encoder, accelerator: null, device: null };
  return {
    ...newEntry(job.id, job.request, dir, encoder, new Date(job.createdAt)),
    status: 'failed',
    error: LOST_JOB_ERROR,
    startedAt: new Date(job.startedAt),
    finishedAt: at,
    lastActivity: at.getTime(),
    streamRemoved: true,
  };
}

/** What GET /jobs/{id} answers for an entry. */
export function viewOf(e: JobEntry, playlistUrl: string, masterUrl: string): JobView {
  const runningCost = (e.stream?.heads() ?? []).reduce((sum, h) => sum + (h.throttled ? 0 : h.cost), 0);
  const heads =
    e.stream?.heads().map(({ start, next, throttled, encoder }) => ({ start, next, throttled, encoder })) ??
    [];
  const parkedAt = isLive(e.status) ? (e.stream?.parkedAt ?? null) : null;
  return {
    id: e.id,
    status: e.status,
    progress: Math.round(e.progress * 1000) / 1000,
    ...(e.error === undefined ? {} : { error: e.error }),
    ...(e.status === 'cancelled' && e.cancelReason !== undefined ? { cancelReason: e.cancelReason } : {}),
    playlistUrl,
    masterUrl,
    input: e.request.input,
    createdAt: e.createdAt.toISOString(),
    startedAt: e.startedAt?.toISOString() ?? null,
    finishedAt: e.finishedAt?.toISOString() ?? null,
    durationSeconds: e.durationSeconds,
    speed: e.speed,
    encoder: e.encoder.name,
    ...(e.fallback === null ? {} : { fallback: e.fallback }),
    output: e.output,
    segmentsReady: e.segmentsReady,
    playlist: e.stream === null ? (e.request.playlist ?? 'vod') : e.stream.vod ? 'vod' : 'event',
    // Throttled: a head is paused (SIGSTOP), far ahead of its viewers.
    throttled: heads.some((h) => h.throttled),
    heads,
    cost: isLive(e.status) && parkedAt === null ? Math.max(1, runningCost) : 0,
    parked: parkedAt !== null,
    parkedAt: parkedAt === null ? null : new Date(parkedAt).toISOString(),
    request: e.request,
  };
}
