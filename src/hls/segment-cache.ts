// Finished files (segments, playlists) in memory: one disk read, then every client gets the same Buffer. LRU by
// bytes; an entry is valid only for the file version (inode, size, mtime) it was read from; concurrent misses for one
// file share a single read.
import { sameIdentity, type FileIdentity } from './byte-serving.js';
import { closeFile, openFile, readAt } from './file-read.js';

export interface CachedFile {
  readonly body: Buffer;
  /** The version the bytes were read from (fstat of the open file). */
  readonly identity: FileIdentity;
}

export interface SegmentCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly bytes: number;
  readonly entries: number;
}

const MiB = 1024 * 1024;

/** serving.cache_mb when absent: 1/64 of total memory (a cgroup limit counts), clamped to 16..128 MiB. */
export function defaultCacheBytes(totalMemoryBytes: number): number {
  const mib = Math.floor(totalMemoryBytes / 64 / MiB);
  return Math.min(128, Math.max(16, mib)) * MiB;
}

/** Reads a whole file with one read of its full size (not 16 KiB chunks), identity from the open descriptor. */
async function readWhole(file: string): Promise<CachedFile> {
  const { fd, info } = openFile(file);
  try {
    const body = Buffer.allocUnsafe(info.size);
    let filled = 0;
    while (filled < body.length) {
      const bytesRead = await readAt(fd, body, filled, body.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return {
      body: filled === body.length ? body : body.subarray(0, filled),
      identity: { ino: info.ino, size: filled, mtimeMs: info.mtimeMs },
    };
  } finally {
    closeFile(fd);
  }
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

  get maxBytes(): number {
    return this.#maxBytes;
  }

  /** Whether a file this large is kept in memory (at most a quarter of the budget); larger ones stream from disk. */
  admits(size: number): boolean {
    return size <= this.#maxBytes / 4;
  }

  /**
   * The bytes of the version `seen` (a stat of `file`), from memory or read once. Rejects like open() when missing.
   * `count`: whether this lookup shows in the hit/miss statistics (segment requests do; playlists and read-ahead not).
   */
  async get(file: string, seen: FileIdentity, count = true): Promise<CachedFile> {
    const hit = this.#entries.get(file);
    if (hit !== undefined && sameIdentity(hit.identity, seen)) {
      // Re-insert: Map order is the LRU order.
      this.#entries.delete(file);
      this.#entries.set(file, hit);
      if (count) this.#hits++;
      return hit;
    }
    const pending = this.#inflight.get(file);
    if (pending !== undefined) {
      const shared = await pending;
      if (sameIdentity(shared.identity, seen)) {
        if (count) this.#hits++;
        return shared;
      }
    }
    if (count) this.#misses++;
    const read = readWhole(file);
    this.#inflight.set(file, read);
    try {
      const entry = await read;
      this.#insert(file, entry);
      return entry;
    } finally {
      if (this.#inflight.get(file) === read) this.#inflight.delete(file);
    }
  }

  /** Starts reading a file that is about to be asked for; requests that come meanwhile share the read. */
  prefetch(file: string, seen: FileIdentity): void {
    // Owned by the cache: a failed read (file gone) only means the next request reads for itself.
    void this.get(file, seen, false).catch(() => undefined);
  }

  #insert(file: string, entry: CachedFile): void {
    // A path is counted once: its previous version (a rewritten playlist, a reused job id) leaves first.
    const old = this.#entries.get(file);
    if (old !== undefined) {
      this.#entries.delete(file);
      this.#bytes -= old.body.length;
    }
    if (!this.admits(entry.body.length)) return;
    this.#entries.set(file, entry);
    this.#bytes += entry.body.length;
    for (const [key, value] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(key);
      this.#bytes -= value.body.length;
    }
  }

  /** Forgets every file whose path starts with `prefix` (a segment about to be remade, a removed stream). */
  dropPrefix(prefix: string): void {
    for (const [key, value] of this.#entries) {
      if (!key.startsWith(prefix)) continue;
      this.#entries.delete(key);
      this.#bytes -= value.body.length;
    }
    // Later requests must not join a read of the old version.
    for (const key of this.#inflight.keys()) if (key.startsWith(prefix)) this.#inflight.delete(key);
  }

  stats(): SegmentCacheStats {
    return { hits: this.#hits, misses: this.#misses, bytes: this.#bytes, entries: this.#entries.size };
  }
}
