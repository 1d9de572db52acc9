// Pure rules of the periodic sweep: which running jobs nobody watches, which stopped streams to delete, and which
// job to stop when memory runs out. The job manager feeds them facts and acts on the answer.

export interface JobFacts {
  readonly id: string;
  readonly live: boolean;
  readonly createdAt: number;
  /** Last stream request or keepalive (ms); the acceptance counts as the first. */
  readonly lastActivity: number;
  /** When the job stopped (ms), null while live. */
  readonly finishedAt: number | null;
  /** Bytes its stream folder holds; 0 once deleted. */
  readonly bytes: number;
}

/** Live jobs nobody has fetched anything from (nor kept alive) for idleMs; none when idleMs is 0. */
export function idleJobs(jobs: readonly JobFacts[], now: number, idleMs: number): string[] {
  if (idleMs <= 0) return [];
  return jobs.filter((j) => j.live && now - j.lastActivity >= idleMs).map((j) => j.id);
}

/** A stream a viewer fetched from this recently is never deleted, whatever the budget says. */
export const RECENT_FETCH_MS = 60_000;

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
 * Stopped streams to delete, in order: every one past keepMs, then the oldest idle ones while the streams exceed
 * maxBytes or free space is under the floor. Live streams and streams fetched within the last minute are kept.
 */
export function streamsToEvict(jobs: readonly JobFacts[], now: number, budget: DiskBudget): string[] {
  const stopped = jobs.filter((j) => !j.live && j.finishedAt !== null && j.bytes > 0);
  const lastUse = (j: JobFacts): number => Math.max(j.lastActivity, j.finishedAt ?? 0);
  const evict = new Set(stopped.filter((j) => now - lastUse(j) >= budget.keepMs).map((j) => j.id));
  let total = jobs.reduce((sum, j) => sum + j.bytes, 0);
  let free = budget.freeBytes;
  for (const j of stopped) {
    if (!evict.has(j.id)) continue;
    total -= j.bytes;
    free += j.bytes;
  }
  const over = (): boolean => (budget.maxBytes > 0 && total > budget.maxBytes) || free < budget.floorBytes;
  const candidates = stopped
    .filter((j) => !evict.has(j.id) && now - j.lastActivity >= RECENT_FETCH_MS)
    .sort((a, b) => lastUse(a) - lastUse(b));
  for (const j of candidates) {
    if (!over()) break;
    evict.add(j.id);
    total -= j.bytes;
    free += j.bytes;
  }
  return [...evict];
}

/** Under half the memory floor with jobs running: the newest live job, which has the least to lose. */
export function jobToStopForMemory(
  jobs: readonly JobFacts[],
  availableBytes: number,
  floorBytes: number,
): string | null {
  if (floorBytes <= 0 || availableBytes >= floorBytes / 2) return null;
  const live = jobs.filter((j) => j.live).sort((a, b) => b.createdAt - a.createdAt);
  return live[0]?.id ?? null;
}

/** The free-space floor: configured, else 10 % of the filesystem, at most 1 GiB. */
export function freeDiskFloor(configured: number | null, filesystemBytes: number): number {
  return configured ?? Math.min(1024 * 1024 * 1024, Math.floor(filesystemBytes / 10));
}
