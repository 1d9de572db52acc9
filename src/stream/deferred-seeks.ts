// Seeks that could not start a head when asked (head starts rationed, or every head watched): the segments asked
// for, and the one timer that asks again when a start may be allowed. Owned by a HeadStream, cleared when it ends.
import { deferredToTry, type DeferredSeek } from './heads.js';

export class DeferredSeeks {
  /** Segment index → ms of the latest request for it. */
  readonly #asked = new Map<number, number>();
  readonly #retry: () => void;
  #timer: NodeJS.Timeout | null = null;
  #at = Infinity;
  #closed = false;

  /** `retry` runs when a retry is due: it takes the seeks (take) and tries each again. */
  constructor(retry: () => void) {
    this.#retry = retry;
  }

  get size(): number {
    return this.#asked.size;
  }

  /** Notes a request for segment k (asked at `askedAt`, ms) that may not start a head now; true if k is new here. */
  add(k: number, askedAt: number): boolean {
    const fresh = !this.#asked.has(k);
    this.#asked.set(k, Math.max(askedAt, this.#asked.get(k) ?? 0));
    return fresh;
  }

  /** Asks again at `at` (ms since epoch), unless a retry is due before it. */
  retryAt(at: number): void {
    if (this.#closed || at >= this.#at) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#at = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        this.#at = Infinity;
        this.#retry();
      },
      Math.max(0, at - Date.now()),
    );
    this.#timer.unref();
  }

  /**
   * Takes every deferred seek still worth a head (newest request first, each with when it was asked); those older
   * than `waitMs` were answered 404 already and are dropped. The caller adds back the ones that must wait on.
   */
  take(now: number, waitMs: number): DeferredSeek[] {
    const asked = [...this.#asked].map(([index, askedAt]) => ({ index, askedAt }));
    this.#asked.clear();
    return deferredToTry(asked, now, waitMs);
  }

  /** Forgets every deferred seek (the job parked); `close` also stops asking for good (the stream ended). */
  clear(): void {
    this.#asked.clear();
  }

  close(): void {
    this.#closed = true;
    this.#asked.clear();
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
