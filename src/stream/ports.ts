// What a job's stream is given and how it answers: the job it streams (read-only values), the world it acts on
// (StreamDeps, wired once by the runner), and the narrow report through which the job's record learns what happened.
// The stream never writes the job record: only jobs/ does, through StreamReport.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { FfmpegRun } from '../ffmpeg/process.js';
import type { Progress } from '../ffmpeg/progress.js';
import type { FileArrivals } from '../hls/file-arrivals.js';
import type { EncoderChoice, EncoderSet } from './encoder-choice.js';
import type { JobFallback, JobOutput } from '../contract/job-view.js';
import type { JobRequest } from '../contract/job-request.js';

/** The job a stream is made for, as the stream may read it. */
export interface StreamJob {
  readonly id: string;
  readonly request: JobRequest;
  /** The source, resolved inside nas_mount_path. */
  readonly inputPath: string;
  /** The job's stream folder. */
  readonly dir: string;
  /** File events of the stream folder: the stream learns of finished segments and announces published ones. */
  readonly arrivals: FileArrivals;
  /** The encoder the first head runs (the copy choice for a copy). */
  readonly encoder: EncoderChoice;
  /** The encoder of each codec an ABR ladder makes (empty: the job's one codec uses `encoder`). */
  readonly encoders: EncoderSet;
}

/** What the stream tells its job; the job's record is written from these alone. */
export interface StreamReport {
  /** A head's FFmpeg started (pid 0 when it could not spawn): the job runs, and the pid is recorded. */
  started(pid: number): void;
  /** A head's FFmpeg was reaped: its pid record goes. */
  exited(pid: number): void;
  /** What the job makes, as its view shows it (a head's plan, a codec string read, the count once known). */
  output(output: JobOutput): void;
  /** Segments made so far, and the share of the film they are (null while the count is unknown). */
  made(segmentsReady: number, progress: number | null): void;
  /** FFmpeg's latest encoding speed. */
  speed(speed: Progress['speed']): void;
  /** A hardware encoder failed: the stream goes on with `encoder` (software). */
  fallback(fallback: JobFallback, encoder: EncoderChoice): void;
  /** Something the worker's status shows changed (a head paused, parked, started, ended). */
  changed(): void;
}

/** Starts one head's FFmpeg with these arguments; progress blocks come to `onProgress`. */
export type StartHead = (args: readonly string[], onProgress: (p: Progress) => void) => FfmpegRun;

/** The world a stream acts on: wired once by the job runner, faked in the stream's unit tests. */
export interface StreamDeps {
  readonly seek: Config['seek'];
  readonly throttle: Config['throttle'];
  /** How long a request waits for a segment not made yet (deferred seeks older than this are dropped). */
  readonly segmentWaitMs: number;
  readonly startHead: StartHead;
  /** Encoder threads for software encoders (null: the encoder decides). */
  readonly threads: () => number | null;
  readonly lowMemory: () => boolean;
  /** Whether FFmpeg can be paused on this platform (SIGSTOP); throttling and parking a head are off where it cannot. */
  readonly canPause: boolean;
  /** A hardware encoder failed in a job: the profile (and the heartbeat) say so until the next refresh. */
  readonly markUnusable: (encoder: string, reason: string) => void;
  /** A segment file was replaced or removed: drop it from the serving cache. */
  readonly forgetFile: (file: string) => void;
  /** Why the stream cannot be whole when work_dir's disk is full, else null. */
  readonly diskFull: () => Promise<string | null>;
  readonly now: () => number;
  readonly log: Logger;
}
