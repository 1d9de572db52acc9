// Wires a job's text subtitle tracks into its stream: the extraction runs beside the heads, the master lists the
// renditions, and their segments are cut to the video's VOD durations. Event playlists have none (their durations
// are not known up front).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fmp4TimestampMap, tsTimestampMap, type TimestampMap } from '../hls/subtitle-timing.js';
import type { SourceInfo } from '../media/source-info.js';
import type { HeadStream } from './head-stream.js';
import { recordOf, type JobEntry } from './job-entry.js';
import type { JobRunnerDeps } from './job-runner.js';
import { SubtitleRenditions } from './subtitles.js';

/** Starts the job's subtitle renditions, or returns null when there are none to make. */
export function startSubtitles(
  entry: JobEntry,
  inputPath: string,
  source: SourceInfo,
  stream: HeadStream,
  deps: JobRunnerDeps,
): SubtitleRenditions | null {
  const video = source.video;
  if (video === null || !stream.vod || !source.subtitleTracks.some((t) => t.text)) return null;
  const waitMs = deps.config.streams.segmentWaitMs;
  const init = path.join(entry.dir, stream.firstInit);
  const timestampMap =
    stream.container === 'ts'
      ? (): Promise<TimestampMap> => Promise.resolve(tsTimestampMap())
      : async (signal?: AbortSignal): Promise<TimestampMap | null> =>
          (await entry.arrivals.waitFor(stream.firstInit, waitMs, signal)) === 'ready'
            ? fmp4TimestampMap(await readFile(init))
            : null;
  const subs = new SubtitleRenditions(
    {
      launcher: deps.launcher,
      ffmpegPath: deps.config.ffmpeg.path,
      pidRecords: deps.pidRecords,
      log: deps.log,
    },
    {
      jobId: entry.id,
      inputPath,
      dir: entry.dir,
      videoIndex: video.index,
      tracks: source.subtitleTracks,
      waitMs,
      record: recordOf(entry),
      timestampMap,
    },
  );
  subs.start();
  stream.attachSubtitles(subs.renditions());
  return subs;
}
