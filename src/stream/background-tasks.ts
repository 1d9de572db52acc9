// The owner of a stream's background work (a head's exit handling, a playlist write, a codec read): each promise is
// kept until it settles, a rejection is logged rather than lost, and the stream's stop awaits them all, so nothing
// of a job still runs once its runner says it ended.
import type { Logger } from 'pino';

export class BackgroundTasks {
  readonly #pending = new Set<Promise<void>>();
  readonly #log: Logger;
  readonly #context: Readonly<Record<string, unknown>>;

  constructor(log: Logger, context: Readonly<Record<string, unknown>>) {
    this.#log = log;
    this.#context = context;
  }

  /** Owns `work` until it settles; `what` names it in the log should it fail. */
  run(work: Promise<unknown>, what: string): void {
    const task: Promise<void> = work
      .then(
        () => undefined,
        (err: unknown) => {
          this.#log.error({ ...this.#context, err, task: what }, 'stream task failed');
        },
      )
      .then(() => {
        this.#pending.delete(task);
      });
    this.#pending.add(task);
  }

  /** Tasks not settled yet. */
  get size(): number {
    return this.#pending.size;
  }

  /** Settles once every task has, including those the settling ones started. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
