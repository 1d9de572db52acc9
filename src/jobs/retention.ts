// Retention of one job: what the sweep sees of it, and when its stream folder and its record may go. Which jobs the
// sweep parks, deletes or forgets is decided in sweep-rules.ts (keep_minutes, the disk budget, MAX_FINISHED_RECORDS);
// the manager acts on both.
import { rmdir } from 'node:fs/promises';
import { isLive, type JobStatus } from './job-state.js';

/** What the sweep needs to know of one job. */
export interface SweepEntry {
  readonly id: string;
  readonly dir: string;
  readonly live: boolean;
  readonly createdAt: number;
  readonly lastActivity: number;
  readonly lastRequest: number | null;
  readonly finishedAt: number | null;
  readonly streamRemoved: boolean;
  /** When the live job was parked (ms), else null; and its FFmpeg processes (a parked one may keep a paused head). */
  readonly parkedAt: number | null;
  readonly processes: number;
}

/** The parts of a job record retention reads (a JobEntry has them all). */
export interface RetainedJob {
  readonly id: string;
  readonly dir: string;
  readonly status: JobStatus;
  readonly createdAt: Date;
  readonly lastActivity: number;
  readonly lastRequest: number | null;
  readonly finishedAt: Date | null;
  readonly streamRemoved: boolean;
  /** Viewers waiting right now for a file of the stream folder. */
  readonly arrivals: { readonly waiting: number };
  readonly stream: { readonly parkedAt: number | null; runs(): readonly unknown[] } | null;
}

/** One job as the sweep sees it at `now`. */
export function sweepEntry(e: RetainedJob, now: number): SweepEntry {
  return {
    id: e.id,
    dir: e.dir,
    live: isLive(e.status),
    createdAt: e.createdAt.getTime(),
    // A viewer still waiting for a file (the first playlist, a segment not yet made) is watching right now.
    lastActivity: e.arrivals.waiting > 0 ? now : e.lastActivity,
    lastRequest: e.lastRequest,
    finishedAt: e.finishedAt?.getTime() ?? null,
    streamRemoved: e.streamRemoved,
    parkedAt: isLive(e.status) ? (e.stream?.parkedAt ?? null) : null,
    processes: isLive(e.status) ? (e.stream?.runs().length ?? 0) : 0,
  };
}

/** A stream folder is deleted once, and only after its job stopped (a parked job is cancelled first). */
export function mayRemoveStream(e: Pick<RetainedJob, 'status' | 'streamRemoved'>): boolean {
  return !isLive(e.status) && !e.streamRemoved;
}

/** A record is forgotten only once its job stopped: a live job's id and folder stay taken. */
export function mayForget(e: Pick<RetainedJob, 'status'>): boolean {
  return !isLive(e.status);
}

/**
 * Whether a record may go with its folder, given what rmdir answered (null: the empty folder was removed). A folder
 * already gone counts as removed; one that holds a file after all stays, and so does its record, until keep_minutes.
 */
export function recordGoesWithFolder(rmdirError: unknown): boolean {
  return rmdirError === null || (rmdirError as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Removes a stream folder only if empty (rmdir, not rm); true when it is gone and the record may go with it. */
export async function removeEmptyFolder(dir: string): Promise<boolean> {
  const answer = await rmdir(dir).then(
    () => null,
    (err: unknown) => err,
  );
  return recordGoesWithFolder(answer);
}
