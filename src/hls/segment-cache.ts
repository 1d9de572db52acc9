// Finished segments in memory: one disk read, then every client gets the same Buffer. LRU by bytes; concurrent
// misses for one file share a single read.
import { readFile, stat } from 'node:fs/promises';

export interface CachedFile {
  readonly body: Buffer;
  readonly etag: string;
  readonly mtimeMs: number;
}

export interface SegmentCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly bytes: number;
  readonly entries: number;
}

export class SegmentCache {
  readonly #maxBytes: number;
  readonly #entries = new Map<string, CachedFile>();
  readonly #inflight = new Map<string, Promise<CachedFile>>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** The file's bytes, from memory or read once from disk. Rejects like readFile when the file is missing. */
  async get(file: string): Promise<CachedFile> {
    const hit = this.#entries.get(file);
    if (hit !== undefined) {
      // Re-insert: Map order is the LRU order.
      this.#entries.delete(file);
      this.#entries.set(file, hit);
      this.#hits++;
      return hit;
    }
    const pending = this.#inflight.get(file);
    if (pending !== undefined) {
      this.#hits++;
      return pending;
    }
    this.#misses++;
    const read = (async (): Promise<CachedFile> => {
      const [info, body] = await Promise.all([stat(file), readFile(file)]);
      const mtimeMs = info.mtimeMs;
      const entry: CachedFile = {
        body,
        etag: `"${body.length.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`,
        mtimeMs,
      };
      this.#insert(file, entry);
      return entry;
    })();
    this.#inflight.set(file, read);
    try {
      return await read;
    } finally {
      this.#inflight.delete(file);
    }
  }

  #insert(file: string, entry: CachedFile): void {
    if (entry.body.length > this.#maxBytes) return;
    const old = this.#entries.get(file);
    if (old !== undefined) {
      this.#bytes -= old.body.length;
      this.#entries.delete(file);
    }
    this.#entries.set(file, entry);
    this.#bytes += entry.body.length;
    for (const [key, value] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(key);
      this.#bytes -= value.body.length;
    }
  }

  /** Drops every cached file under a folder (its stream was removed). */
  dropPrefix(prefix: string): void {
    for (const [key, value] of this.#entries) {
      if (key.startsWith(prefix)) {
        this.#entries.delete(key);
        this.#bytes -= value.body.length;
      }
    }
  }

  stats(): SegmentCacheStats {
    return { hits: this.#hits, misses: this.#misses, bytes: this.#bytes, entries: this.#entries.size };
  }
}
