// Pure: the playlist players get. VOD: the whole film from the start, durations from the forced cut points. Event:
// the segments made so far from 0, durations as FFmpeg measured them, read from the heads' own playlists.
import { headSegment, initName, segmentName, type Container, type VariantId } from './stream-folder.js';

/** One segment a head has finished and listed. */
export interface ListedSegment {
  readonly index: number;
  /** Seconds, as FFmpeg measured it (#EXTINF). */
  readonly duration: number;
}

/** Segments a head's FFmpeg playlist lists (EXTINF + hN-K.ts pairs); anything else is skipped. */
export function parseHeadPlaylist(text: string): ListedSegment[] {
  const out: ListedSegment[] = [];
  let duration: number | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) {
      const d = Number.parseFloat(line.slice('#EXTINF:'.length));
      duration = Number.isFinite(d) && d > 0 ? d : null;
    } else if (line !== '' && !line.startsWith('#')) {
      const seg = headSegment(line);
      if (seg !== null && duration !== null) out.push({ index: seg.index, duration });
      duration = null;
    }
  }
  return out;
}

/** A made segment for the event playlist, with the encoder that made it. */
export interface MadeSegment extends ListedSegment {
  readonly encoder: string;
  /** Its fMP4 init segment's generation (initName): 0 unless a hardware encoder failed mid-stream. */
  readonly init?: number;
}

function mapTag(variant: VariantId, generation: number): string {
  return `#EXT-X-MAP:URI="${initName(variant, generation)}"`;
}

function header(
  target: number,
  type: 'VOD' | 'EVENT',
  container: Container,
  variant: VariantId,
  generation = 0,
): string[] {
  return [
    '#EXTM3U',
    // Version 7 for fMP4 (EXT-X-MAP without I-frames-only needs 6; FFmpeg writes 7), as FFmpeg does.
    `#EXT-X-VERSION:${container === 'fmp4' ? 7 : 6}`,
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    `#EXT-X-PLAYLIST-TYPE:${type}`,
    // Every segment starts on an IDR frame (forced keyframes at each cut).
    '#EXT-X-INDEPENDENT-SEGMENTS',
    ...(container === 'fmp4' ? [mapTag(variant, generation)] : []),
  ];
}

/** EXTINF rounded to the nearest integer must not exceed the target (RFC 8216 §4.3.3.1); a fixed floor keeps it stable. */
function targetDuration(segmentSeconds: number, durations: readonly number[]): number {
  return Math.max(Math.round(segmentSeconds), ...durations.map((d) => Math.round(d)));
}

/** The event playlist: the contiguous segments from 0, a discontinuity where the encoder changed. */
export function composeEventPlaylist(
  made: readonly MadeSegment[],
  opts: {
    readonly segmentSeconds: number;
    readonly ended: boolean;
    readonly container?: Container;
    readonly variant?: VariantId;
  },
): string | null {
  if (made.length === 0 && !opts.ended) return null;
  const container = opts.container ?? 'ts';
  const variant = opts.variant ?? null;
  const lines = header(
    targetDuration(
      opts.segmentSeconds,
      made.map((s) => s.duration),
    ),
    'EVENT',
    container,
    variant,
    made[0]?.init ?? 0,
  );
  let previous: MadeSegment | null = null;
  for (const s of made) {
    // A new encoder: new SPS/PPS, which RFC 8216 §4.3.2.3 requires a discontinuity for; in fMP4 they are in its own
    // init segment (§4.3.2.5: a new EXT-X-MAP).
    if (previous !== null && s.encoder !== previous.encoder) lines.push('#EXT-X-DISCONTINUITY');
    if (previous !== null && container === 'fmp4' && (s.init ?? 0) !== (previous.init ?? 0))
      lines.push(mapTag(variant, s.init ?? 0));
    previous = s;
    lines.push(`#EXTINF:${s.duration.toFixed(6)},`, segmentName(s.index, container, variant));
  }
  if (opts.ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/**
 * The VOD playlist: every segment of the film, complete before any is made (players show the length and seek).
 * `inits`: each segment's fMP4 init generation, given only once a hardware encoder failed mid-stream: where it
 * changes, a discontinuity and the new EXT-X-MAP (the one change ever made to a VOD playlist: without it the
 * software encoder's segments would be decoded with the hardware one's parameter sets).
 */
export function composeVodPlaylist(
  durations: readonly number[],
  segmentSeconds: number,
  container: Container = 'ts',
  variant: VariantId = null,
  inits: readonly number[] | null = null,
): string {
  const lines = header(targetDuration(segmentSeconds, durations), 'VOD', container, variant, inits?.[0] ?? 0);
  durations.forEach((d, i) => {
    const init = inits?.[i] ?? 0;
    if (i > 0 && container === 'fmp4' && init !== (inits?.[i - 1] ?? 0))
      lines.push('#EXT-X-DISCONTINUITY', mapTag(variant, init));
    lines.push(`#EXTINF:${d.toFixed(6)},`, segmentName(i, container, variant));
  });
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/**
 * Whether the last segment a failed head listed is whole. A failing FFmpeg may still flush a cut-short last
 * segment; one shorter than a segment less a frame and a half is made again (the film's real last segment is never
 * followed by a failure).
 */
export function isWholeSegment(duration: number, segmentSeconds: number, fps: number): boolean {
  const frame = fps > 0 ? 1 / fps : 0.05;
  return duration >= segmentSeconds - 1.5 * frame;
}
