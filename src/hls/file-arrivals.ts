// Tells waiting requests the moment FFmpeg renames a finished file into place (inotify via fs.watch), without polling.
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { statFile } from './file-read.js';

export type ArrivalOutcome = 'ready' | 'timeout' | 'closed' | 'aborted';

interface Waiter {
  readonly resolve: (outcome: ArrivalOutcome) => void;
}

// Synchronous: a stat of a name FFmpeg has just renamed into place is answered from the inode cache (see file-read.ts).
function exists(file: string): boolean {
  return statFile(file) !== null;
}

/** One per stream folder. `close()` answers every waiter with 'closed' (the job ended: nothing more will come). */
export class FileArrivals {
  readonly #dir: string;
  readonly #waiters = new Map<string, Set<Waiter>>();
  #watcher: FSWatcher | null = null;
  #closed = false;
  readonly #listeners = new Set<(name: string) => void>();
  /** Called with every name the folder reports (the caller filters and checks). */
  onArrival: ((name: string) => void) | null = null;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Starts watching; the folder must exist. */
  start(): void {
    if (this.#watcher !== null || this.#closed) return;
    this.#watcher = watch(this.#dir, { persistent: false }, (_event, name) => {
      if (name === null) return;
      this.onArrival?.(name);
      for (const listener of this.#listeners) listener(name);
      this.notify(name);
    });
    this.#watcher.on('error', () => {
      // The folder went away: waiters are answered by close() or their timeout.
    });
  }

  /** Also tells `listener` every name the folder reports, until close (serving reads finished files ahead). */
  listen(listener: (name: string) => void): void {
    if (!this.#closed) this.#listeners.add(listener);
  }

  /** A file may have arrived under this name: answer its waiters if it is really there. */
  notify(name: string): void {
    const set = this.#waiters.get(name);
    if (set === undefined || set.size === 0) return;
    if (exists(path.join(this.#dir, name))) this.#settle(name, 'ready');
  }

  /** Re-checks every awaited name (after progress from FFmpeg, a safety net for a missed event). */
  recheck(): void {
    for (const name of this.#waiters.keys()) this.notify(name);
  }

  /** Resolves 'ready' once `name` exists, or 'timeout' / 'closed' / 'aborted'. */
  async waitFor(name: string, timeoutMs: number, signal?: AbortSignal): Promise<ArrivalOutcome> {
    if (exists(path.join(this.#dir, name))) return 'ready';
    if (this.#closed) return 'closed';
    if (signal?.aborted) return 'aborted';
    return new Promise<ArrivalOutcome>((resolve) => {
      let set = this.#waiters.get(name);
      if (set === undefined) {
        set = new Set();
        this.#waiters.set(name, set);
      }
      const waiter: Waiter = {
        resolve: (outcome) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          set.delete(waiter);
          if (set.size === 0 && this.#waiters.get(name) === set) this.#waiters.delete(name);
          resolve(outcome);
        },
      };
      const timer = setTimeout(() => {
        waiter.resolve('timeout');
      }, timeoutMs);
      const onAbort = (): void => {
        waiter.resolve('aborted');
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      set.add(waiter);
      // The file may have landed between the first check and registering.
      this.notify(name);
    });
  }

  get waiting(): number {
    let n = 0;
    for (const set of this.#waiters.values()) n += set.size;
    return n;
  }

  #settle(name: string, outcome: ArrivalOutcome): void {
    const set = this.#waiters.get(name);
    if (set === undefined) return;
    for (const w of [...set]) w.resolve(outcome);
  }

  /** Stops watching. Waiters get 'ready' if their file is there by now, else 'closed'. Settled when it returns. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#listeners.clear();
    this.#watcher?.close();
    this.#watcher = null;
    for (const name of [...this.#waiters.keys()]) {
      this.#settle(name, exists(path.join(this.#dir, name)) ? 'ready' : 'closed');
    }
    return Promise.resolve();
  }
}
