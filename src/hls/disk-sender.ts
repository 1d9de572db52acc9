// The disk path for files the cache does not keep: reads of up to 1 MiB into a bounded pool of reused buffers, one
// chunk in flight per response. Measured against fs.createReadStream({ highWaterMark: 1 MiB }), which allocates a
// fresh buffer per chunk: that cost ~730 µs of CPU per 890 KB request here, these reused buffers ~250 µs.
// A client that stops reading must not keep its buffer from the others: a buffer whose write the kernel has not
// taken for HOLD_MS is handed over to that write (no longer counted) as soon as another response waits, and a new
// one is made for the waiter. The write keeps its bytes until the kernel takes them or the socket is destroyed (the
// stall limit in http/hls.ts), so a stalled client costs at most one chunk, never the others' time.
import type { ServerResponse } from 'node:http';
import { readAt } from './file-read.js';

export const CHUNK_BYTES = 1 << 20;
/** How long a write may keep its pooled buffer while another response waits for one. */
export const HOLD_MS = 50;

/** A buffer lent to one response; `counted` while it is one of the pool's `max`. */
export interface Lease {
  readonly buffer: Buffer;
  counted: boolean;
  /** When its current write started (performance.now()), while the write is not done. */
  writingSince: number | null;
}

interface Waiter {
  readonly resolve: (lease: Lease | null) => void;
  readonly timer: NodeJS.Timeout;
}

/** What the pool holds now, for tests and metrics. */
export interface PoolStats {
  /** Buffers counted against the pool (free or lent). */
  readonly counted: number;
  readonly free: number;
  readonly waiting: number;
  /** Buffers handed over to writes the kernel had not taken while others waited, since the pool was made. */
  readonly handedOver: number;
}

/**
 * At most `max` chunk buffers are counted at once (memory stays bounded, buffers are reused); a request beyond that
 * waits for one, at most `waitMs` (take). Buffers held by writes stuck for `holdMs` do not count while others wait.
 */
export class ChunkPool {
  readonly #free: Buffer[] = [];
  readonly #waiting: Waiter[] = [];
  /** Counted leases whose write is in progress, oldest first. */
  readonly #writing = new Set<Lease>();
  readonly #max: number;
  readonly #holdMs: number;
  #counted = 0;
  #handedOver = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(max: number, holdMs = HOLD_MS) {
    this.#max = max;
    this.#holdMs = holdMs;
  }

  /** A buffer, or null when none came free within `waitMs`. */
  take(waitMs: number): Promise<Lease | null> {
    const lease = this.#lend();
    if (lease !== null) return Promise.resolve(lease);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
          resolve(null);
        }, waitMs),
      };
      this.#waiting.push(waiter);
      this.#schedule();
    });
  }

  /** The lease's buffer was passed to a write that has not completed. */
  writing(lease: Lease): void {
    lease.writingSince = performance.now();
    if (lease.counted) this.#writing.add(lease);
    this.#schedule();
  }

  /** The write completed (the kernel has the bytes) or failed: the buffer is the response's again. */
  written(lease: Lease): void {
    lease.writingSince = null;
    this.#writing.delete(lease);
  }

  /** The response is done with the buffer. One handed over to a write comes back only if the pool has room. */
  give(lease: Lease): void {
    this.written(lease);
    if (!lease.counted) {
      if (this.#counted >= this.#max) return;
      this.#counted++;
    }
    this.#handOver(lease.buffer);
  }

  /** A buffer the kernel may still hold (the client vanished mid-write) is never reused: make room for a new one. */
  lose(lease: Lease): void {
    this.written(lease);
    if (!lease.counted) return;
    lease.counted = false;
    this.#counted--;
    this.#serveWaiters();
  }

  stats(): PoolStats {
    return {
      counted: this.#counted,
      free: this.#free.length,
      waiting: this.#waiting.length,
      handedOver: this.#handedOver,
    };
  }

  #lend(): Lease | null {
    const free = this.#free.pop();
    if (free !== undefined) return { buffer: free, counted: true, writingSince: null };
    if (this.#counted >= this.#max) return null;
    this.#counted++;
    // Outside Node's small-buffer slab: each chunk is its own long-lived allocation.
    return { buffer: Buffer.allocUnsafeSlow(CHUNK_BYTES), counted: true, writingSince: null };
  }

  #handOver(buffer: Buffer): void {
    const next = this.#waiting.shift();
    if (next === undefined) {
      this.#free.push(buffer);
      return;
    }
    clearTimeout(next.timer);
    next.resolve({ buffer, counted: true, writingSince: null });
  }

  #serveWaiters(): void {
    while (this.#waiting.length > 0) {
      const lease = this.#lend();
      if (lease === null) return;
      const next = this.#waiting.shift();
      if (next === undefined) return;
      clearTimeout(next.timer);
      next.resolve(lease);
    }
  }

  /** While someone waits, the oldest write is checked when its hold runs out. */
  #schedule(): void {
    if (this.#timer !== undefined || this.#waiting.length === 0) return;
    const oldest = this.#writing.values().next().value;
    if (oldest?.writingSince == null) return;
    const due = Math.max(0, oldest.writingSince + this.#holdMs - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#release();
    }, due);
  }

  /** Writes stuck for the hold give up their place in the pool to the responses waiting. */
  #release(): void {
    const now = performance.now();
    for (const lease of this.#writing) {
      if (this.#waiting.length === 0) break;
      if (lease.writingSince === null || now - lease.writingSince < this.#holdMs) break;
      this.#writing.delete(lease);
      lease.counted = false;
      this.#counted--;
      this.#handedOver++;
      this.#serveWaiters();
    }
    this.#schedule();
  }
}

/** Writes a chunk and resolves once it was handed to the kernel (true) or the response died first (false). */
function writeChunk(res: ServerResponse, chunk: Buffer, last: boolean): Promise<boolean> {
  // A destroyed response may never call back (end() does not), and its 'close' may have been emitted already.
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = (): void => {
      resolve(false);
    };
    res.once('close', onClose);
    const done = (err?: Error | null): void => {
      res.off('close', onClose);
      resolve(err === undefined || err === null);
    };
    if (last) res.end(chunk, () => done());
    else res.write(chunk, done);
  });
}

/** Sends bytes start..end (inclusive) of an open file as the body whose headers were written; resolves with the
 * bytes handed to the kernel (fewer if the client left). `first` is a lease taken before the headers were written;
 * a later chunk that gets no buffer within `waitMs` ends the connection. The caller closes `fd`. */
export async function sendFileSpan(
  res: ServerResponse,
  fd: number,
  start: number,
  end: number,
  pool: ChunkPool,
  { first = null, waitMs }: { first?: Lease | null; waitMs: number },
): Promise<number> {
  let pos = start;
  let sent = 0;
  let next = first;
  try {
    while (pos <= end && !res.destroyed) {
      const lease = next ?? (await pool.take(waitMs));
      next = null;
      if (lease === null) {
        // The headers promised a body this connection can no longer deliver in time.
        res.destroy();
        return sent;
      }
      let reusable = true;
      try {
        const bytesRead = await readAt(fd, lease.buffer, 0, Math.min(CHUNK_BYTES, end + 1 - pos), pos);
        if (bytesRead === 0) {
          // The file shrank under us: the promised Content-Length cannot be met, so end the connection.
          res.destroy();
          return sent;
        }
        pos += bytesRead;
        const written = writeChunk(res, lease.buffer.subarray(0, bytesRead), pos > end);
        pool.writing(lease);
        reusable = await written;
        pool.written(lease);
        if (reusable) sent += bytesRead;
      } finally {
        if (reusable) pool.give(lease);
        else pool.lose(lease);
      }
    }
    return sent;
  } finally {
    // A first lease never used (the response died before the loop) goes back.
    if (next !== null) pool.give(next);
  }
}
