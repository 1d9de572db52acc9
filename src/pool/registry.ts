// The live workers, rebuilt from their heartbeats alone: a worker is listed from its first beat until it has been
// silent for its silence window, and listed again from its next beat. Cheap per beat (a map write), since 50
// workers beating every second is the expected load. Reads skip the silent; sweep() removes them and says which.
import type { WorkerState } from '../contract/heartbeat.js';

export interface LiveWorker {
  readonly state: WorkerState;
  /** Milliseconds on the registry's clock. */
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  /** The worker's beat interval as observed (the longest of its recent gaps), or the default before two beats. */
  readonly intervalMs: number;
  /** Dropped once silent this long. */
  readonly silenceMs: number;
}

export interface RegistryOptions {
  /** Milliseconds; Date.now in production, a fake in tests. */
  readonly now: () => number;
  /** Silence window in observed intervals (default 3). */
  readonly silenceIntervals?: number;
  /** A fixed silence window instead, whatever the interval. */
  readonly silenceMs?: number | null;
  /** Assumed until a worker's second beat: the worker's default heartbeat_interval_seconds (5 s). */
  readonly defaultIntervalMs?: number;
}

/** Gaps remembered per worker: a nudged beat (status change) makes one short gap, the longest recent one is the interval. */
const GAPS = 4;

interface Entry {
  state: WorkerState;
  firstSeenAt: number;
  lastSeenAt: number;
  gaps: number[];
}

export class WorkerRegistry {
  private readonly entries = new Map<string, Entry>();
  /** url → workerId: a worker whose work_dir was wiped comes back with a new id at the same URL. */
  private readonly byUrl = new Map<string, string>();
  private readonly now: () => number;
  private readonly silenceIntervals: number;
  private readonly fixedSilenceMs: number | null;
  private readonly defaultIntervalMs: number;

  constructor(o: RegistryOptions) {
    this.now = o.now;
    this.silenceIntervals = o.silenceIntervals ?? 3;
    this.fixedSilenceMs = o.silenceMs ?? null;
    this.defaultIntervalMs = o.defaultIntervalMs ?? 5000;
  }

  /** Records a beat (already validated); `true` when the worker was not listed before it. */
  beat(state: WorkerState): boolean {
    const at = this.now();
    let known = this.entries.get(state.workerId);
    if (known !== undefined && this.expired(known, at)) {
      this.remove(state.workerId);
      known = undefined;
    }
    const previous = this.byUrl.get(state.url);
    if (previous !== undefined && previous !== state.workerId) this.remove(previous);
    this.byUrl.set(state.url, state.workerId);
    if (known !== undefined) {
      if (known.state.url !== state.url && this.byUrl.get(known.state.url) === state.workerId)
        this.byUrl.delete(known.state.url);
      known.gaps.push(at - known.lastSeenAt);
      if (known.gaps.length > GAPS) known.gaps.shift();
      known.state = state;
      known.lastSeenAt = at;
      return false;
    }
    this.entries.set(state.workerId, { state, firstSeenAt: at, lastSeenAt: at, gaps: [] });
    return true;
  }

  /**
   * Counts a job just forwarded to a worker against its load until its next beat says the real figure, so a burst of
   * jobs between two beats is spread rather than all sent to the same worker (it would refuse them one by one).
   */
  reserve(workerId: string, cost: number): void {
    const e = this.entries.get(workerId);
    if (e === undefined) return;
    const load = e.state.jobs.load + cost;
    e.state = {
      ...e.state,
      jobs: { ...e.state.jobs, load },
      ...(load >= e.state.jobs.max && e.state.status === 'ready'
        ? { status: 'busy' as const, statusReason: 'max_jobs' }
        : {}),
    };
  }

  /** A worker that refused a job (503, 507) is taken as full until its next beat says otherwise. */
  markFull(workerId: string): void {
    const e = this.entries.get(workerId);
    if (e !== undefined) this.reserve(workerId, Math.max(0, e.state.jobs.max - e.state.jobs.load));
  }

  /** Every worker not silent past its window, in the order they first beat (the silent ones wait for sweep()). */
  live(): LiveWorker[] {
    const at = this.now();
    return this.current(at).map((e) => this.view(e));
  }

  /** The latest beat of every live worker: placement's input. */
  states(): WorkerState[] {
    return this.current(this.now()).map((e) => e.state);
  }

  /** Drops the workers silent past their window; returns them (for the log). */
  sweep(): LiveWorker[] {
    const at = this.now();
    const dropped: LiveWorker[] = [];
    for (const e of this.entries.values()) {
      if (!this.expired(e, at)) continue;
      dropped.push(this.view(e));
      this.remove(e.state.workerId);
    }
    return dropped;
  }

  private current(at: number): Entry[] {
    const out: Entry[] = [];
    for (const e of this.entries.values()) if (!this.expired(e, at)) out.push(e);
    return out;
  }

  /** Entries held, silent ones not yet swept included. */
  get size(): number {
    return this.entries.size;
  }

  private remove(workerId: string): void {
    const e = this.entries.get(workerId);
    if (e === undefined) return;
    this.entries.delete(workerId);
    if (this.byUrl.get(e.state.url) === workerId) this.byUrl.delete(e.state.url);
  }

  private intervalMs(e: Entry): number {
    return e.gaps.length === 0 ? this.defaultIntervalMs : Math.max(...e.gaps);
  }

  private silenceMs(e: Entry): number {
    return this.fixedSilenceMs ?? this.silenceIntervals * this.intervalMs(e);
  }

  private expired(e: Entry, at: number): boolean {
    return at - e.lastSeenAt > this.silenceMs(e);
  }

  private view(e: Entry): LiveWorker {
    return {
      state: e.state,
      firstSeenAt: e.firstSeenAt,
      lastSeenAt: e.lastSeenAt,
      intervalMs: this.intervalMs(e),
      silenceMs: this.silenceMs(e),
    };
  }
}
