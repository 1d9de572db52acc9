// Wires a job's text subtitle tracks into its stream: the extraction runs beside the heads, the master lists the
// renditions, and their segments are cut to the video's VOD durations. Event playlists have none (their durations
// are not known up front).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fmp4TimestampMap, tsTimestampMap, type TimestampMap } from '../hls/subtitle-timing.js';
import type { SourceInfo } from '../media/source-info.js';
import type { RecordedJob } from '../ffmpeg/pid-records.js';
import type { HeadStream } from './head-stream.js';
import type { StreamJob } from './ports.js';
import { SubtitleRenditions, type SubtitleDeps } from './subtitle-renditions.js';

/** Starts the job's subtitle renditions, or returns null when there are none to make. */
export function startSubtitles(
  job: Pick<StreamJob, 'id' | 'dir' | 'arrivals'> & { readonly record: RecordedJob },
  inputPath: string,
  source: SourceInfo,
  stream: Pick<HeadStream, 'vod' | 'container' | 'firstInit' | 'attachSubtitles'>,
  deps: SubtitleDeps & { readonly segmentWaitMs: number },
): SubtitleRenditions | null {
  const video = source.video;
  if (video === null || !stream.vod || !source.subtitleTracks.some((t) => t.text)) return null;
  const waitMs = deps.segmentWaitMs;
  const init = path.join(job.dir, stream.firstInit);
  const timestampMap =
    stream.container === 'ts'
      ? (): Promise<TimestampMap> => Promise.resolve(tsTimestampMap())
      : async (signal?: AbortSignal): Promise<TimestampMap | null> =>
          (await job.arrivals.waitFor(stream.firstInit, waitMs, signal)) === 'ready'
            ? fmp4TimestampMap(await readFile(init))
            : null;
  const subs = new SubtitleRenditions(
    {
      launcher: deps.launcher,
      ffmpegPath: deps.ffmpegPath,
      pidRecords: deps.pidRecords,
      log: deps.log,
    },
    {
      jobId: job.id,
      inputPath,
      dir: job.dir,
      videoIndex: video.index,
      tracks: source.subtitleTracks,
      waitMs,
      record: job.record,
      timestampMap,
    },
  );
  subs.start();
  stream.attachSubtitles(subs.renditions());
  return subs;
}
