// Real work comes before measurements. The gate tells the speed runs when the worker has nothing else to do (no live
// job, the embedded default's sample made) and aborts a run the moment work begins, so a job never waits behind one.
import { setTimeout as delay } from 'node:timers/promises';
import type { RunCommand } from '../process/run-command.js';

/** What the worker is doing, read by the daemon from the job manager and the sample creation. */
export interface WorkState {
  readonly liveJobs: number;
  /** Jobs accepted since start: a job that started and ended between two looks still changes it. */
  readonly jobStarts: number;
  /** The embedded default's sample clip is being made. */
  readonly sampling: boolean;
}

/** Pure: nothing but measurements to do. */
export function isQuiet(s: WorkState): boolean {
  return s.liveJobs === 0 && !s.sampling;
}

/** Pure: work began between the two looks (a job started, even one that has ended since, or work is going on). */
export function workBegan(before: WorkState, after: WorkState): boolean {
  return after.jobStarts !== before.jobStarts || !isQuiet(after);
}

/** What a measurement needs from the worker: when to run, and a signal that ends the run when work begins. */
export interface QuietGate {
  /** Resolves once the worker is quiet (or at abort). */
  wait(signal: AbortSignal): Promise<void>;
  /** What the worker is doing now. */
  state(): WorkState;
  /** A signal aborted as soon as work begins (at once if busy now); `release` when the run is over. */
  watch(): { readonly signal: AbortSignal; release(): void };
}

// A missed change() would hold the measurements until the next one: the gate also looks every second.
const POLL_MS = 1000;

/** The gate over the daemon's work; `changed()` is called whenever a job or the sample creation changes. */
export class WorkGate implements QuietGate {
  readonly #read: () => WorkState;
  readonly #runs = new Set<AbortController>();
  #wake: () => void = () => undefined;
  #woken: Promise<void>;

  constructor(read: () => WorkState) {
    this.#read = read;
    this.#woken = this.#nextWake();
  }

  #nextWake(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  state(): WorkState {
    return this.#read();
  }

  /** Work started or ended: running measurements are aborted if busy; waiters look again. */
  changed(): void {
    if (!isQuiet(this.#read())) {
      for (const run of this.#runs) run.abort();
      this.#runs.clear();
    }
    const wake = this.#wake;
    this.#woken = this.#nextWake();
    wake();
  }

  async wait(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !isQuiet(this.#read())) {
      const poll = new AbortController();
      const both = AbortSignal.any([signal, poll.signal]);
      try {
        await Promise.race([this.#woken, delay(POLL_MS, undefined, { signal: both }).catch(() => undefined)]);
      } finally {
        poll.abort();
      }
    }
  }

  watch(): { readonly signal: AbortSignal; release(): void } {
    const run = new AbortController();
    if (isQuiet(this.#read())) this.#runs.add(run);
    else run.abort();
    return {
      signal: run.signal,
      release: () => {
        this.#runs.delete(run);
      },
    };
  }
}

/**
 * How long after start the listings and test encodes yield to jobs; after that they run beside them (at nice 19).
 * Long enough for a job posted at start to have its probe and FFmpeg going (~0.1–0.3 s at rest), short enough that
 * a job naming a hardware encoder, which waits 10 s for the test encodes, still finds it tested.
 */
export const TEST_YIELD_MS = 5_000;

/** Waits until the worker is quiet, `until` (monotonic ms) has passed, or `signal` aborts. */
export async function waitQuiet(
  gate: QuietGate,
  until: number,
  signal?: AbortSignal,
  now: () => number = () => performance.now(),
): Promise<void> {
  const left = Math.ceil(until - now());
  if (left <= 0 || signal?.aborted === true) return;
  await gate.wait(AbortSignal.any([AbortSignal.timeout(left), ...(signal === undefined ? [] : [signal])]));
}

/**
 * A RunCommand for the short measurements (test encodes) that yields to the worker's work until `until` (monotonic
 * ms): each command waits for quiet, and one under way when work begins is killed and started again once quiet.
 * Past `until` commands run at once: jobs choose among the encoders tested, and a long job must not keep a GPU
 * untested. `now` is monotonic milliseconds.
 */
export function yieldingRunner(
  run: RunCommand,
  gate: QuietGate,
  until: number,
  now: () => number = () => performance.now(),
): RunCommand {
  return async (file, args, options) => {
    // A function, not a narrowed property: the signal can abort during any await below.
    const aborted = (): boolean => options.signal?.aborted === true;
    for (;;) {
      if (until - now() <= 0 || aborted()) return run(file, args, options);
      await waitQuiet(gate, until, options.signal, now);
      const watch = gate.watch();
      // Busy again (or the wait ran out while busy): a run started on an aborted signal would not be killed.
      if (watch.signal.aborted) {
        watch.release();
        if (until - now() > 0) await delay(50, undefined, { signal: options.signal }).catch(() => undefined);
        else return run(file, args, options);
        continue;
      }
      const signal = AbortSignal.any([
        watch.signal,
        ...(options.signal === undefined ? [] : [options.signal]),
      ]);
      const r = await run(file, args, { ...options, signal }).finally(() => {
        watch.release();
      });
      // A function's answer, not the property: TypeScript took it as still false from the check above.
      const interrupted = (): boolean => watch.signal.aborted;
      if (!interrupted() || aborted()) return r;
    }
  };
}
