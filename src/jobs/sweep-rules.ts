// Pure rules of the periodic sweep: which running jobs nobody watches (they are parked), which stopped or parked
// streams to delete, and which job to stop when memory runs out. The job manager feeds them facts and acts on the
// answer.

export interface JobFacts {
  readonly id: string;
  readonly live: boolean;
  readonly createdAt: number;
  /** Last stream request or keepalive (ms); the acceptance counts as the first. */
  readonly lastActivity: number;
  /** Last stream request or keepalive (ms); null when there was none (the acceptance does not count). */
  readonly lastRequest: number | null;
  /** When the job stopped (ms), null while live. */
  readonly finishedAt: number | null;
  /** When the live job was parked (ms): nobody watched it; null otherwise. */
  readonly parkedAt: number | null;
  /** FFmpeg processes it has (a parked job: 0, or its one paused head). */
  readonly processes: number;
  /** Bytes its stream folder holds; 0 once deleted. */
  readonly bytes: number;
  /** Its stream folder was deleted (or never kept: a job lost when the worker was killed). */
  readonly streamRemoved: boolean;
}

/** Live jobs to park: nobody has fetched anything from them (nor kept them alive) for idleMs; none when idleMs is 0. */
export function idleJobs(jobs: readonly JobFacts[], now: number, idleMs: number): string[] {
  if (idleMs <= 0) return [];
  return jobs.filter((j) => j.live && j.parkedAt === null && now - j.lastActivity >= idleMs).map((j) => j.id);
}

/** A parked job is kept as a stopped one is: its stream is deleted by the same age and budget rules, then it ends. */
function resting(j: JobFacts): boolean {
  return j.live ? j.parkedAt !== null : j.finishedAt !== null && !j.streamRemoved;
}

/** A stream a viewer fetched from this recently is never deleted, whatever the budget says. */
export const RECENT_FETCH_MS = 60_000;

/** Free bytes on work_dir's filesystem, and the floor to keep there. */
export interface DiskState {
  readonly freeBytes: number;
  readonly floorBytes: number;
}

export interface DiskBudget {
  /** Delete a stopped stream this long after its last request and its end. */
  readonly keepMs: number;
  /** Budget for every stream's bytes; 0: none. */
  readonly maxBytes: number;
  /** Free bytes on work_dir's filesystem, and the floor to keep. */
  readonly freeBytes: number;
  readonly floorBytes: number;
}

/**
 * Stopped and parked streams to delete, in order: every one past keepMs, then the oldest idle ones while the streams
 * exceed maxBytes or free space is under the floor. Watched live streams and streams fetched within the last minute
 * are kept. A parked job in the answer is ended (cancelled, idle) before its stream goes. A job that never wrote a
 * file (its probe failed, or it was cancelled during it) counts too: its empty folder goes alike.
 */
export function streamsToEvict(jobs: readonly JobFacts[], now: number, budget: DiskBudget): string[] {
  const stopped = jobs.filter(resting);
  const lastUse = (j: JobFacts): number => Math.max(j.lastActivity, j.finishedAt ?? j.parkedAt ?? 0);
  const evict = new Set(stopped.filter((j) => now - lastUse(j) >= budget.keepMs).map((j) => j.id));
  let total = jobs.reduce((sum, j) => sum + j.bytes, 0);
  let free = budget.freeBytes;
  for (const j of stopped) {
    if (!evict.has(j.id)) continue;
    total -= j.bytes;
    free += j.bytes;
  }
  const over = (): boolean => (budget.maxBytes > 0 && total > budget.maxBytes) || free < budget.floorBytes;
  // Only a client's request protects a stream: a failed job nobody fetched may go at once.
  const fetchedRecently = (j: JobFacts): boolean =>
    j.lastRequest !== null && now - j.lastRequest < RECENT_FETCH_MS;
  const candidates = stopped
    .filter((j) => !evict.has(j.id) && !fetchedRecently(j))
    .sort((a, b) => lastUse(a) - lastUse(b));
  for (const j of candidates) {
    if (!over()) break;
    evict.add(j.id);
    total -= j.bytes;
    free += j.bytes;
  }
  return [...evict];
}

/** Records of stopped jobs with nothing left to serve kept for GET /jobs/{id}; older ones are forgotten. */
export const MAX_FINISHED_RECORDS = 500;

/**
 * Stopped jobs to forget (record, id and empty folder), the earliest ended first: those beyond `max` among the stopped
 * jobs with nothing to serve, whose stream was deleted or never wrote a file (a failed probe, a cancel during it). A
 * stream with bytes on disk keeps its record until the disk rules delete it.
 */
export function recordsToForget(jobs: readonly JobFacts[], max: number): string[] {
  const spent = jobs
    .filter((j) => !j.live && j.finishedAt !== null && (j.streamRemoved || j.bytes === 0))
    .sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
  return spent.slice(0, Math.max(0, spent.length - max)).map((j) => j.id);
}

/**
 * Under half the memory floor with jobs running: the newest live job, which has the least to lose. A parked job
 * without an FFmpeg holds no memory to give back: never it.
 */
export function jobToStopForMemory(
  jobs: readonly JobFacts[],
  availableBytes: number,
  floorBytes: number,
): string | null {
  if (floorBytes <= 0 || availableBytes >= floorBytes / 2) return null;
  const live = jobs
    .filter((j) => j.live && !(j.parkedAt !== null && j.processes === 0))
    .sort((a, b) => b.createdAt - a.createdAt);
  return live[0]?.id ?? null;
}

/** Under this much free space on work_dir's filesystem FFmpeg's writes fail (FFmpeg 5.1 says nothing and exits 0). */
export const FULL_DISK_BYTES = 1024 * 1024;

/** The failure reason of jobs writing to a full work_dir, or null when there is room. */
export function diskFullReason(freeBytes: number): string | null {
  if (freeBytes >= FULL_DISK_BYTES) return null;
  return `No space left on device: work_dir's filesystem has ${Math.round(freeBytes / 1024)} KiB free, the stream could not be written`;
}

/** The free-space floor: configured, else 10 % of the filesystem, at most 1 GiB. */
export function freeDiskFloor(configured: number | null, filesystemBytes: number): number {
  return configured ?? Math.min(1024 * 1024 * 1024, Math.floor(filesystemBytes / 10));
}
