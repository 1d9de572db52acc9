// Pure: the playlist players get, composed from the playlists of a job's FFmpeg runs. A job normally has one run;
// after a hardware encoder fails, a software run continues at the next segment, and the stream stays one list with
// the same numbering and a discontinuity where the encoder changed.
import { segmentIndex, segmentName } from '../ffmpeg/hls-args.js';

export { runPlaylistName, runPlaylistStart } from '../ffmpeg/hls-args.js';

/** One segment an FFmpeg run has finished and listed. */
export interface ListedSegment {
  readonly index: number;
  /** Seconds, as FFmpeg measured it (#EXTINF). */
  readonly duration: number;
}

/** Segments an FFmpeg media playlist lists (EXTINF + seg-N.ts pairs); anything else is skipped. */
export function parseRunPlaylist(text: string): ListedSegment[] {
  const out: ListedSegment[] = [];
  let duration: number | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) {
      const d = Number.parseFloat(line.slice('#EXTINF:'.length));
      duration = Number.isFinite(d) && d > 0 ? d : null;
    } else if (line !== '' && !line.startsWith('#')) {
      const index = segmentIndex(line);
      if (index !== null && duration !== null) out.push({ index, duration });
      duration = null;
    }
  }
  return out;
}

/** A run's listed segments, in the order the runs started. */
export interface RunListing {
  readonly startSegment: number;
  /** Set once the run failed: segments from here on are another run's (exclusive). */
  readonly endSegment?: number;
  readonly segments: readonly ListedSegment[];
}

/** The contiguous segments from 0, each with the run that made it (later runs never overlap earlier ones). */
export function contiguousSegments(
  runs: readonly RunListing[],
): (ListedSegment & { readonly run: number })[] {
  const byIndex = new Map<number, ListedSegment & { run: number }>();
  runs.forEach((r, run) => {
    const end = r.endSegment ?? Infinity;
    for (const s of r.segments)
      if (s.index >= r.startSegment && s.index < end) byIndex.set(s.index, { ...s, run });
  });
  const out: (ListedSegment & { run: number })[] = [];
  for (let i = 0; ; i++) {
    const s = byIndex.get(i);
    if (s === undefined) return out;
    out.push(s);
  }
}

/**
 * Where a software run continues after run `runs.at(-1)` failed: after the last listed segment that is whole.
 * A failing FFmpeg may still flush a cut-short last segment; one shorter than a segment less a frame and a half is
 * re-encoded rather than kept (the film's real last segment is never followed by a failure).
 */
export function resumeSegment(runs: readonly RunListing[], segmentSeconds: number, fps: number): number {
  const listed = contiguousSegments(runs);
  const last = listed.at(-1);
  if (last === undefined) return 0;
  const frame = fps > 0 ? 1 / fps : 0.05;
  return last.duration < segmentSeconds - 1.5 * frame ? last.index : last.index + 1;
}

/** The event playlist players fetch: every contiguous segment, a discontinuity where the run changes. */
export function composeStreamPlaylist(
  runs: readonly RunListing[],
  opts: { readonly segmentSeconds: number; readonly ended: boolean },
): string | null {
  const listed = contiguousSegments(runs);
  if (listed.length === 0 && !opts.ended) return null;
  // EXTINF rounded to the nearest integer must not exceed it (RFC 8216 §4.3.3.1); a fixed floor keeps it stable.
  const target = Math.max(Math.round(opts.segmentSeconds), ...listed.map((s) => Math.round(s.duration)));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:EVENT',
    // Every segment starts on an IDR frame (forced keyframes at each cut).
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  let previousRun: number | null = null;
  for (const s of listed) {
    // A new encoder: new SPS/PPS and a timestamp step, which RFC 8216 §4.3.2.3 requires a discontinuity for.
    if (previousRun !== null && s.run !== previousRun) lines.push('#EXT-X-DISCONTINUITY');
    previousRun = s.run;
    lines.push(`#EXTINF:${s.duration.toFixed(6)},`, segmentName(s.index));
  }
  if (opts.ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
