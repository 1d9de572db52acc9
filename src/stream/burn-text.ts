// A job's text subtitle track written to ASS in its stream folder before the first head starts, so libass (the
// subtitles filter) draws it in every head: one niced FFmpeg in its own process group, pid-recorded, awaited.
import path from 'node:path';
import { buildBurnExtractArgs } from '../ffmpeg/burn-extract-args.js';
import type { PidRecords, RecordedJob } from '../ffmpeg/pid-records.js';
import { startFfmpeg, type Launcher } from '../ffmpeg/process.js';
import { BURN_TEXT_NAME } from '../hls/stream-folder.js';
import { lastLines } from '../media/source-info.js';

export interface BurnTextDeps {
  readonly launcher: Launcher;
  readonly ffmpegPath: string;
  readonly pidRecords: Pick<PidRecords, 'add' | 'remove'>;
  readonly log: { warn(obj: object, msg: string): void };
}

export interface BurnTextJob {
  readonly jobId: string;
  readonly record: RecordedJob;
  /** The stream folder: the .ass goes there (BURN_TEXT_NAME, which the HTTP layer never serves). */
  readonly dir: string;
}

export type BurnTextResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Extracts subtitle stream `index` of the input to dir/BURN_TEXT_NAME; a cancel (signal) stops FFmpeg. */
export async function extractBurnText(
  deps: BurnTextDeps,
  job: BurnTextJob,
  inputPath: string,
  index: number,
  signal: AbortSignal,
): Promise<BurnTextResult> {
  const file = path.join(job.dir, BURN_TEXT_NAME);
  const run = startFfmpeg({
    launcher: deps.launcher,
    ffmpegPath: deps.ffmpegPath,
    args: buildBurnExtractArgs({ inputPath, index, file }),
  });
  const unrecorded = run.pid > 0 ? deps.pidRecords.add(job.jobId, run.pid, job.dir, job.record) : null;
  if (unrecorded !== null)
    deps.log.warn({ jobId: job.jobId, err: unrecorded }, 'could not write the pid record');
  // Held and awaited below: a cancel's stop is over before the job reads as ended.
  let stopping: Promise<unknown> = Promise.resolve();
  const onAbort = (): void => {
    stopping = run.stop();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  try {
    const exit = await run.exited;
    await stopping;
    if (exit.exitCode === 0 && !exit.cancelled) return { ok: true };
    const why =
      exit.spawnError ?? (lastLines(exit.stderrTail) || `ffmpeg exited with ${String(exit.exitCode)}`);
    return { ok: false, reason: `burnSubtitles: the text track could not be extracted: ${why}` };
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (run.pid > 0) deps.pidRecords.remove(job.jobId, run.pid);
  }
}
