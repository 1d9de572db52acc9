// The last placements and why, kept in memory and bounded: what the pool's answers and (later) its page show.

export type DecisionOutcome = 'placed' | 'forwarded' | 'refused' | 'failed' | 'none';

export interface Decision {
  /** ISO 8601. */
  readonly at: string;
  /** POST /placements or POST /jobs. */
  readonly route: 'placement' | 'job';
  readonly jobId?: string;
  /** The worker chosen (or finally used, for a forwarded job); null when none could take it. */
  readonly workerId: string | null;
  readonly workerName: string | null;
  readonly outcome: DecisionOutcome;
  readonly reason: string;
}

/** A ring of the latest `capacity` decisions, newest last. */
export class DecisionLog {
  private readonly items: Decision[] = [];
  constructor(private readonly capacity = 200) {}

  add(d: Decision): void {
    this.items.push(d);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  /** Newest first, at most `limit`. */
  latest(limit = this.capacity): Decision[] {
    return this.items.slice(-limit).reverse();
  }
}
