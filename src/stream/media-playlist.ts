// Pure: a variant's media playlist as the stream stands. VOD: every segment listed at once from the planned (or the
// keyframe index's) durations, each with the init it is made with after a fallback. Event: the segments made so far
// from 0 without a gap, with FFmpeg's own durations, ended once the stream is complete.
import type { Container, VariantId } from '../hls/stream-folder.js';
import { composeEventPlaylist, composeVodPlaylist, type MadeSegment } from '../hls/stream-playlist.js';

export interface MediaPlaylistState {
  readonly vod: boolean;
  /** The VOD durations; null until known (a copy's keyframe index). */
  readonly vodList: readonly number[] | null;
  /** The init generation new heads make segments with (0 until a hardware fallback in fMP4). */
  readonly generation: number;
  readonly made: ReadonlyMap<number, MadeSegment>;
  readonly completed: boolean;
  readonly segmentSeconds: number;
  readonly container: Container;
}

/** The playlist's text, or null while there is nothing to list yet. */
export function composeMediaPlaylist(variant: VariantId, s: MediaPlaylistState): string | null {
  if (s.vod) {
    if (s.vodList === null) return null;
    // After a mid-stream fallback: each segment's init, the one it was made with or the one new heads make it with.
    const inits = s.generation === 0 ? null : s.vodList.map((_, i) => s.made.get(i)?.init ?? s.generation);
    return composeVodPlaylist(s.vodList, s.segmentSeconds, s.container, variant, inits);
  }
  const contiguous: MadeSegment[] = [];
  for (let i = 0; ; i++) {
    const made = s.made.get(i);
    if (made === undefined || made.duration <= 0) break;
    contiguous.push(made);
  }
  return composeEventPlaylist(contiguous, {
    segmentSeconds: s.segmentSeconds,
    ended: s.completed,
    container: s.container,
    variant,
  });
}
