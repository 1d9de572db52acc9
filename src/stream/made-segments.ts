// What a stream has made so far and the media playlists that list it: the made segments, how many the film has
// (planned, from a copy's keyframe index, or cut down when the input ended early), the VOD durations, the fMP4 init
// generation, and each variant's playlist file, rewritten through StreamPlaylistFile.
import { mediaPlaylistName, type VariantId } from '../hls/stream-folder.js';
import { StreamPlaylistFile } from '../hls/stream-playlist-file.js';
import type { ListedSegment, MadeSegment } from '../hls/stream-playlist.js';
import { copyDurations } from '../media/keyframe-index.js';
import { composeMediaPlaylist } from './media-playlist.js';
import type { StreamPlan } from './plan.js';

export class MadeSegments {
  readonly #plan: StreamPlan;
  readonly #made = new Map<number, MadeSegment>();
  /** Segments the film has; null when unknown (then: event playlist, one head) or a copy's index is not read yet. */
  #count: number | null;
  #vod: boolean;
  /** The VOD playlist's durations; null until known (a copy's keyframe index) or without a VOD playlist. */
  #vodList: readonly number[] | null;
  /** The init generation new heads get: a new one after a hardware encoder failed mid-stream in fMP4. */
  #generation = 0;
  #completed = false;
  readonly #durations: Promise<readonly number[] | null>;
  #durationsKnown: (durations: readonly number[] | null) => void = () => undefined;
  readonly #playlists: ReadonlyMap<VariantId, StreamPlaylistFile>;

  /** `vod`: whether the stream has a VOD playlist (a copy's only with a keyframe index being read). */
  constructor(plan: StreamPlan, dir: string, vod: boolean) {
    this.#plan = plan;
    this.#count = plan.count;
    this.#vod = vod;
    this.#vodList = vod ? plan.vodDurations : null;
    this.#playlists = new Map(
      plan.renditions.map((variant) => [
        variant,
        new StreamPlaylistFile(dir, () => this.#compose(variant), mediaPlaylistName(variant)),
      ]),
    );
    this.#durations = new Promise((resolve) => {
      this.#durationsKnown = resolve;
    });
    if (this.#vodList !== null || !this.#vod) this.#durationsKnown(this.#vodList);
  }

  get vod(): boolean {
    return this.#vod;
  }

  get count(): number | null {
    return this.#count;
  }

  get generation(): number {
    return this.#generation;
  }

  get size(): number {
    return this.#made.size;
  }

  /** The VOD durations once known (at once for a transcode, after the keyframe index for a copy); null for event. */
  get durations(): Promise<readonly number[] | null> {
    return this.#durations;
  }

  has(index: number): boolean {
    return this.#made.has(index);
  }

  get(index: number): MadeSegment | undefined {
    return this.#made.get(index);
  }

  /** Segment `index` is public in every variant, made by a head running `encoder` with init `init`. */
  add(index: number, encoder: string, init: number): void {
    this.#made.set(index, { index, duration: this.#vodList?.[index] ?? 0, encoder, init });
  }

  remove(index: number): void {
    this.#made.delete(index);
  }

  /** The share of the film made, or null while the count is unknown. */
  progress(): number | null {
    return this.#count === null ? null : Math.min(1, this.#made.size / this.#count);
  }

  complete(): boolean {
    return this.#count !== null && this.#made.size >= this.#count;
  }

  /** The first segment not made, or null (all made, or the count unknown). */
  firstHole(): number | null {
    if (this.#count === null) return null;
    for (let i = 0; i < this.#count; i++) if (!this.#made.has(i)) return i;
    return null;
  }

  /** Event playlists carry FFmpeg's own durations: taken from a head's playlist for segments made without one. */
  learnDurations(listing: readonly ListedSegment[]): void {
    for (const listed of listing) {
      const made = this.#made.get(listed.index);
      if (made !== undefined && made.duration === 0)
        this.#made.set(listed.index, { ...made, duration: listed.duration });
    }
  }

  /** The input ended before the probed length said: the film has `count` segments. True when that is news. */
  endsAt(count: number): boolean {
    if (this.#count === null || count >= this.#count) return false;
    this.#count = count;
    return true;
  }

  /**
   * A copy's keyframe index is in: its VOD durations and count come from it (without one it is listed as made, as
   * an event playlist). True when the count changed.
   */
  indexed(keyframes: readonly number[] | null): boolean {
    if (this.#vodList !== null || !this.#vod) return false;
    if (keyframes === null) {
      this.#vod = false;
      this.#durationsKnown(null);
      return false;
    }
    // Keyframe times count from the first keyframe, where the video starts: the last segment ends at its length.
    this.#vodList = copyDurations(keyframes, this.#plan.segmentSeconds, this.#plan.durationSeconds);
    this.#count = this.#vodList.length;
    this.#durationsKnown(this.#vodList);
    return true;
  }

  /** A hardware encoder failed after its init was out: the software run's segments get a new init. */
  newGeneration(): void {
    this.#generation++;
  }

  /** The stream completed: an event playlist ends. */
  markCompleted(): void {
    this.#completed = true;
  }

  /** Rewrites every variant's playlist (a file is written only when its text changed). */
  update(): Promise<void> {
    return Promise.all([...this.#playlists.values()].map((p) => p.update())).then(() => undefined);
  }

  #compose(variant: VariantId): string | null {
    return composeMediaPlaylist(variant, {
      vod: this.#vod,
      vodList: this.#vodList,
      generation: this.#generation,
      made: this.#made,
      completed: this.#completed,
      segmentSeconds: this.#plan.segmentSeconds,
      container: this.#plan.container,
    });
  }
}
