// Remembers what ffprobe said about a file while the file stays the same (same inode, size and mtime). An
// orchestrator that restarts a job on the same film (another quality, a seek, a retry) then starts FFmpeg without
// waiting ~60 ms for another ffprobe, most of which is loading FFmpeg's libraries.
import { stat } from 'node:fs/promises';
import type { SourceInfo } from './source-info.js';

const MAX_ENTRIES = 64;

export class ProbeCache {
  readonly #entries = new Map<string, SourceInfo>();

  /** The file's identity now, or null if it cannot be read (the probe then says why). */
  async key(file: string): Promise<string | null> {
    try {
      const s = await stat(file);
      return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${file}`;
    } catch {
      return null;
    }
  }

  get(key: string): SourceInfo | undefined {
    const info = this.#entries.get(key);
    if (info !== undefined) {
      // Most recently used last: the first entry is the one to evict.
      this.#entries.delete(key);
      this.#entries.set(key, info);
    }
    return info;
  }

  set(key: string, info: SourceInfo): void {
    this.#entries.delete(key);
    this.#entries.set(key, info);
    while (this.#entries.size > MAX_ENTRIES) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
