// Writes a job's playlist (stream.m3u8, a variant's, the master) under a temporary name and renames it, so a reader never sees half a playlist.
// Writes are serialised: a change during a write schedules exactly one more, composed from the state at that time.
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PLAYLIST_NAME } from './stream-folder.js';

export class StreamPlaylistFile {
  readonly #file: string;
  readonly #compose: () => string | null;
  #running: Promise<void> | null = null;
  #again = false;
  #last: string | null = null;

  /** `compose` gives the playlist's text now (null: nothing to write yet). */
  constructor(dir: string, compose: () => string | null, name = PLAYLIST_NAME) {
    this.#file = path.join(dir, name);
    this.#compose = compose;
  }

  /** Re-composes and writes if the text changed. Never rejects: a failed write is retried on the next change. */
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

  #takeAgain(): boolean {
    const again = this.#again;
    this.#again = false;
    return again;
  }

  async #write(): Promise<void> {
    const text = this.#compose();
    if (text === null || text === this.#last) return;
    const tmp = `${this.#file}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, this.#file);
    this.#last = text;
  }
}
