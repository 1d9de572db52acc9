// Keeps a job's stream.m3u8 in step with its FFmpeg runs' playlists: re-composed when a run's playlist changes,
// written under a temporary name and renamed, so a reader never sees half a playlist.
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PLAYLIST_NAME } from '../ffmpeg/hls-args.js';
import {
  composeStreamPlaylist,
  parseRunPlaylist,
  runPlaylistName,
  type RunListing,
} from './stream-playlist.js';

interface Run {
  readonly startSegment: number;
  endSegment?: number;
}

async function readListing(dir: string, run: Run): Promise<RunListing> {
  const end = run.endSegment === undefined ? {} : { endSegment: run.endSegment };
  try {
    const text = await readFile(path.join(dir, runPlaylistName(run.startSegment)), 'utf8');
    return { startSegment: run.startSegment, ...end, segments: parseRunPlaylist(text) };
  } catch {
    // Not written yet (FFmpeg writes its playlist after the first segment).
    return { startSegment: run.startSegment, ...end, segments: [] };
  }
}

/** One per job. Updates are serialised: a change during a write schedules exactly one more. */
export class StreamPlaylistFile {
  readonly #dir: string;
  readonly #segmentSeconds: number;
  readonly #runs: Run[] = [];
  #ended = false;
  #running: Promise<void> | null = null;
  #again = false;

  constructor(dir: string, segmentSeconds: number) {
    this.#dir = dir;
    this.#segmentSeconds = segmentSeconds;
  }

  /** Registers a run before its FFmpeg starts. */
  addRun(startSegment: number): void {
    this.#runs.push({ startSegment });
  }

  /** The last run failed: what it listed from `endSegment` on is dropped (the next run remakes it). */
  endRun(endSegment: number): void {
    const last = this.#runs.at(-1);
    if (last !== undefined) last.endSegment = endSegment;
  }

  /** What every run has listed so far, read from disk. */
  async listings(): Promise<RunListing[]> {
    return Promise.all(this.#runs.map((r) => readListing(this.#dir, r)));
  }

  /** Re-composes stream.m3u8 (a run's playlist changed). Never rejects: a failed write is retried on the next change. */
  update(): Promise<void> {
    if (this.#running !== null) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      for (let more = true; more; more = this.#takeAgain()) await this.#write().catch(() => undefined);
      this.#running = null;
    })();
    return this.#running;
  }

  /** Whether a change came in during the last write (and resets the flag). */
  #takeAgain(): boolean {
    const again = this.#again;
    this.#again = false;
    return again;
  }

  /** The job completed: the final playlist, with #EXT-X-ENDLIST. */
  async finish(): Promise<void> {
    this.#ended = true;
    await this.update();
  }

  async #write(): Promise<void> {
    const text = composeStreamPlaylist(await this.listings(), {
      segmentSeconds: this.#segmentSeconds,
      ended: this.#ended,
    });
    if (text === null) return;
    const file = path.join(this.#dir, PLAYLIST_NAME);
    const tmp = `${file}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, file);
  }
}
