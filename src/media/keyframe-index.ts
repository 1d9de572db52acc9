// The source's keyframe times (ffprobe's packet list, read as it streams in: a two-hour film's index never holds
// up the first segment) and, pure, where FFmpeg's HLS muxer will cut a stream copy: at the first keyframe at or
// after the next multiple of the segment length, counted in segments made so far.
import type { PidRecords, RecordedJob } from '../ffmpeg/pid-records.js';
import { startFfmpeg, type Launcher } from '../ffmpeg/process.js';
import { fileUrl, inputHardening } from './demuxers.js';

/** Cut times (seconds from the first keyframe) of a stream copy; the first is 0. */
export function copyCuts(keyframes: readonly number[], segmentSeconds: number): number[] {
  const first = keyframes[0];
  if (first === undefined) return [];
  const cuts = [0];
  for (const k of keyframes) {
    const t = k - first;
    // The muxer's n-th cut waits for a keyframe at or after n × hls_time (n = segments so far).
    if (t >= cuts.length * segmentSeconds - 1e-6) cuts.push(t);
  }
  return cuts;
}

/** The copy's segment durations: between cuts, the last one to the end of the video. */
export function copyDurations(
  keyframes: readonly number[],
  segmentSeconds: number,
  endSeconds: number,
): number[] {
  const cuts = copyCuts(keyframes, segmentSeconds);
  return cuts.map((c, i) => (cuts[i + 1] ?? endSeconds) - c).filter((d) => d > 0);
}

/** What reading the keyframe index needs: the job's launcher (nice, process group) and its pid records. */
export interface KeyframeIndexDeps {
  readonly launcher: Launcher;
  readonly ffprobePath: string;
  readonly pidRecords: Pick<PidRecords, 'add' | 'remove'>;
  readonly log: { warn(obj: object, msg: string): void };
}

/** The job the index is read for: its pid record reports the job as lost if the worker is killed meanwhile. */
export interface KeyframeIndexJob {
  readonly jobId: string;
  readonly record: RecordedJob;
}

export interface KeyframeIndex {
  /** Keyframe presentation times of the first video stream, ascending; null if ffprobe failed or was stopped. */
  readonly times: Promise<number[] | null>;
  /** Stops the ffprobe (SIGTERM to its group, SIGKILL after 0.5 s) and resolves once it has been reaped. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts ffprobe on the source's packet list, as the job's FFmpeg is started: niced, in its own process group, with a
 * pid record (the reaper kills it after a crash). It ends with the job: `signal` (cancel) or stop() (any other end).
 */
export function readKeyframes(
  deps: KeyframeIndexDeps,
  job: KeyframeIndexJob,
  file: string,
  signal: AbortSignal,
): KeyframeIndex {
  const times: number[] = [];
  let partial = '';
  const onLine = (line: string): void => {
    const [pts = '', flags = ''] = line.split(',');
    if (!flags.startsWith('K')) return;
    const t = Number.parseFloat(pts);
    if (Number.isFinite(t)) times.push(t);
  };
  const run = startFfmpeg({
    launcher: deps.launcher,
    ffmpegPath: deps.ffprobePath,
    // prettier-ignore
    args: [
      '-v', 'error', ...inputHardening(),
      // Packets only, no decoding: the index of a two-hour film is a read of the file.
      '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0',
      fileUrl(file),
    ],
    onStdout: (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
  });
  // The record names the input: it is the path in ffprobe's command line (it writes no stream folder).
  const unrecorded = run.pid > 0 ? deps.pidRecords.add(job.jobId, run.pid, file, job.record) : null;
  if (unrecorded !== null)
    deps.log.warn({ jobId: job.jobId, err: unrecorded }, 'could not write the pid record');
  // Cancel: the runner awaits stop() afterwards, which waits for this same stop.
  const onAbort = (): void => {
    void run.stop();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  const result = run.exited.then((exit) => {
    signal.removeEventListener('abort', onAbort);
    if (run.pid > 0) deps.pidRecords.remove(job.jobId, run.pid);
    onLine(partial);
    return exit.exitCode === 0 && !exit.cancelled && times.length > 0 ? times.sort((a, b) => a - b) : null;
  });
  return {
    times: result,
    stop: async () => {
      await run.stop();
      await result;
    },
  };
}
