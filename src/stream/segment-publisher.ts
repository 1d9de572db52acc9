// Publishing a head's files under the stream's public names. Each head writes its own (hN-K.ts); a finished one is
// hard-linked to its public name (seg-K.ts), which fails if another head made it first, so no two heads ever write
// one file. fMP4 heads publish their init segment with their first media segment, and a seek head's fragments are
// moved to the film's timeline first (FFmpeg 5.1 starts each run at decode time 0).
import { linkSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { FileArrivals } from '../hls/file-arrivals.js';
import { moveInitEdits } from '../hls/fmp4-shift.js';
import {
  headInitName,
  headPlaylistName,
  headSegmentPattern,
  initName,
  segmentName,
  type Container,
  type VariantId,
} from '../hls/stream-folder.js';
import { parseHeadPlaylist, type ListedSegment } from '../hls/stream-playlist.js';
import { readTimescales, shiftSegmentFile } from './fmp4-publish.js';
import type { Head } from './head.js';

export interface PublisherSpec {
  readonly jobId: string;
  readonly dir: string;
  readonly container: Container;
  /** The variants each segment index has a file of: one (null) in a one-quality job. */
  readonly renditions: readonly VariantId[];
  readonly arrivals: FileArrivals;
  /** A public file was replaced or removed: drop it from the serving cache. */
  readonly forgetFile: (file: string) => void;
  /** A variant's first public file (a TS segment, or an fMP4 init): the master reads its codec string from it. */
  readonly learn: (variant: VariantId, name: string) => void;
  readonly log: Logger;
}

/** What publishing one file of a head did. */
export type Published =
  /** Nothing to do: a repeat event, or a file already gone. */
  | { readonly kind: 'ignored' }
  /** The head cannot go on usefully (another head made this segment first, or its output is unusable). */
  | { readonly kind: 'stop'; readonly reason: string }
  /** This variant's file is public; other variants of the index are still to come. */
  | { readonly kind: 'variant' }
  /** Every variant's file of the index is public: the segment is made. */
  | { readonly kind: 'whole' };

export class SegmentPublisher {
  readonly #spec: PublisherSpec;
  /** How many variants' files of each segment index are published; the index is made once all are. */
  readonly #published = new Map<number, number>();
  /** fMP4 init segments published, as "generation/variant". */
  readonly #inits = new Set<string>();

  constructor(spec: PublisherSpec) {
    this.#spec = spec;
  }

  /** Publishes a head's finished file `name` (variant `variant` of segment `index`). */
  publish(head: Head, variant: VariantId, index: number, name: string): Published {
    const { dir, container, renditions } = this.#spec;
    const file = path.join(dir, name);
    if (container === 'fmp4') {
      const init = this.#publishInit(head, variant);
      if (init !== null) return init;
      if (head.shift !== 0) {
        const shifted = this.#shiftToTimeline(head, variant, file);
        if (shifted !== null) return shifted;
      }
    }
    const publicName = segmentName(index, container, variant);
    try {
      // link fails with EEXIST when another head made this segment first: no file is ever written twice.
      linkSync(file, path.join(dir, publicName));
    } catch (err) {
      // ENOENT: the event of our own unlink, or a repeat event.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'ignored' };
      // EEXIST: another head made this segment first; this one only repeats its work from here on.
      rmSync(file, { force: true });
      return { kind: 'stop', reason: 'reached a segment made already' };
    }
    rmSync(file, { force: true });
    this.#spec.arrivals.notify(publicName);
    if (container === 'ts') this.#spec.learn(variant, publicName);
    // The index is made once every variant has its file (one FFmpeg writes them all at about the same time).
    const published = (this.#published.get(index) ?? 0) + 1;
    this.#published.set(index, published);
    return published < renditions.length ? { kind: 'variant' } : { kind: 'whole' };
  }

  /** A stopping head's file (maybe flushed cut short): never published. */
  discard(name: string): void {
    rmSync(path.join(this.#spec.dir, name), { force: true });
  }

  /** Whether some variant's file of segment `index` is public. */
  hasAnyVariant(index: number): boolean {
    return (this.#published.get(index) ?? 0) > 0;
  }

  /** Whether the init of a generation is out (a fallback then needs a new generation). */
  initPublished(generation: number): boolean {
    return [...this.#inits].some((key) => key.startsWith(`${generation}/`));
  }

  /** Removes every variant's file of a segment index: it will be made again. */
  unpublish(index: number): void {
    for (const variant of this.#spec.renditions) {
      const file = path.join(this.#spec.dir, segmentName(index, this.#spec.container, variant));
      try {
        unlinkSync(file);
      } catch {
        // Already gone.
      }
      this.#spec.forgetFile(file);
    }
    this.#published.delete(index);
  }

  /** What a head's own playlist lists so far; null while it has none. */
  headListing(headId: number, variant = this.#spec.renditions[0] ?? null): ListedSegment[] | null {
    try {
      return parseHeadPlaylist(
        readFileSync(path.join(this.#spec.dir, headPlaylistName(headId, variant)), 'utf8'),
      );
    } catch {
      return null;
    }
  }

  /** The files a head's playlists list as finished: what an ended head may have left unpublished. */
  finishedFiles(head: Head, ladder: boolean): { variant: VariantId; index: number; name: string }[] {
    const pattern = headSegmentPattern(head.id, this.#spec.container, ladder);
    const files = [];
    for (const variant of this.#spec.renditions) {
      const listing = this.headListing(head.id, variant);
      if (listing === null) continue;
      const named = pattern.replace('%v', String(variant));
      for (const s of listing)
        files.push({ variant, index: s.index, name: named.replace('%d', String(s.index)) });
    }
    return files;
  }

  /** A stopped head's unpublished files: the segment it was writing (.tmp) or flushed cut short. */
  removeLeftovers(headId: number): void {
    let names: string[];
    try {
      names = readdirSync(this.#spec.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith(`h${headId}-`)) rmSync(path.join(this.#spec.dir, name), { force: true });
    }
  }

  /** A seek head's fMP4 segment, moved to the film's timeline in place; null when done, else what to do. */
  #shiftToTimeline(head: Head, variant: VariantId, file: string): Published | null {
    try {
      let timescales = head.timescales.get(variant);
      if (timescales === undefined) {
        timescales = readTimescales(path.join(this.#spec.dir, headInitName(head.id, variant)));
        head.timescales.set(variant, timescales);
      }
      shiftSegmentFile(file, head.shift, timescales);
      return null;
    } catch (err) {
      // ENOENT: a repeat event for a file already published. Anything else: this head's output is unusable.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'ignored' };
      this.#spec.log.warn({ jobId: this.#spec.jobId, head: head.id, err }, 'could not move an fMP4 segment');
      rmSync(file, { force: true });
      return { kind: 'stop', reason: 'its fMP4 segments could not be moved to the film timeline' };
    }
  }

  /**
   * The fMP4 init segment of the head's generation, published with its first media segment: FFmpeg has written it
   * completely by then (in place, without a temporary name). Every head of a generation runs the same encoders, so
   * the first one's stays; a seek head's has its start in the edit list, moved to the film's timeline first. Null
   * when it is out, else what to do (its init cannot be read: the head stops).
   */
  #publishInit(head: Head, variant: VariantId): Published | null {
    const key = `${head.generation}/${variant}`;
    if (this.#inits.has(key)) return null;
    const { dir, jobId, log } = this.#spec;
    const name = initName(variant, head.generation);
    const own = path.join(dir, headInitName(head.id, variant));
    const published = path.join(dir, name);
    try {
      if (head.shift === 0) linkSync(own, published);
      else {
        const part = `${published}.part`;
        writeFileSync(part, moveInitEdits(readFileSync(own), head.shift).data);
        try {
          linkSync(part, published);
        } finally {
          rmSync(part, { force: true });
        }
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOENT: a repeat event for a head whose files are gone. EEXIST: published meanwhile.
      if (code === 'ENOENT') return { kind: 'ignored' };
      if (code !== 'EEXIST') {
        log.warn({ jobId, head: head.id, err }, 'could not publish an init segment');
        return { kind: 'stop', reason: 'its init segment could not be published' };
      }
    }
    this.#inits.add(key);
    this.#spec.arrivals.notify(name);
    this.#spec.learn(variant, name);
    return null;
  }
}
