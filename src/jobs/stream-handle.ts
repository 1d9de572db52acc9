// What the HLS layer sees of one job's stream: its folder, whether it still grows, what it holds once probed, and the
// way a viewer's request reaches the heads (a seek) or waits for them (a request before the probe).
import type { FileArrivals } from '../hls/file-arrivals.js';
import { segmentWindow } from '../hls/subtitle-playlist.js';
import { isLive } from './job-state.js';
import type { JobEntry } from './job-entry.js';

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

/** The handle of an entry's stream as it stands now (segmentCount, container and variants are read once). */
export function streamHandle(entry: JobEntry): StreamHandle {
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
