// What the live jobs weigh: the load counted against max_jobs, and the heads, parked jobs and FFmpeg pids the
// heartbeat and /metrics report. Read-only over the job records; stopped jobs weigh nothing.
import { isLive, type JobStatus } from './job-state.js';

/** The parts of a job record these counts read (a JobEntry has them all). */
export interface LoadedJob {
  readonly id: string;
  readonly status: JobStatus;
  readonly stream: {
    heads(): readonly { readonly throttled: boolean; readonly cost: number }[];
    readonly parkedAt: number | null;
    runs(): readonly { readonly pid: number }[];
  } | null;
}

/**
 * What counts against max_jobs: each running FFmpeg head (an ABR head once per encoded variant), and one for a
 * live job without one (probing, or waiting for a viewer to seek). A paused head costs no CPU: a job whose heads are
 * all paused counts nothing.
 */
export function load(jobs: Iterable<LoadedJob>): number {
  let n = 0;
  for (const e of jobs) {
    if (!isLive(e.status)) continue;
    const heads = e.stream?.heads() ?? [];
    // An ABR head encodes each variant: it weighs as many encodes.
    const active = heads.filter((h) => !h.throttled).reduce((sum, h) => sum + h.cost, 0);
    // A parked job costs nothing until a viewer comes back.
    n += heads.length === 0 && e.stream?.parkedAt == null ? 1 : active;
  }
  return n;
}

/** Heads running and paused across live jobs, for the heartbeat. */
export function headCounts(jobs: Iterable<LoadedJob>): {
  readonly running: number;
  readonly throttled: number;
} {
  let running = 0;
  let throttled = 0;
  for (const e of jobs) {
    if (!isLive(e.status)) continue;
    for (const h of e.stream?.heads() ?? []) {
      if (h.throttled) throttled++;
      else running++;
    }
  }
  return { running, throttled };
}

/** Live jobs parked (nobody watches: no FFmpeg works for them), for the heartbeat. */
export function parkedCount(jobs: Iterable<LoadedJob>): number {
  return [...jobs].filter((e) => isLive(e.status) && e.stream?.parkedAt != null).length;
}

/** The first FFmpeg pid of each live job that runs one (for metrics and tests). */
export function pids(jobs: Iterable<LoadedJob>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of jobs) {
    const run = e.stream?.runs()[0];
    if (run !== undefined && isLive(e.status)) out[e.id] = run.pid;
  }
  return out;
}
