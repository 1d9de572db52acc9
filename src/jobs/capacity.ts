// Pure: is this worker ready, busy or draining, and may it take one more job?
import { WorkerError } from '../errors.js';

export type WorkerStatus = 'ready' | 'busy' | 'draining';

export interface CapacityInputs {
  readonly draining: boolean;
  readonly running: number;
  readonly maxJobs: number;
  readonly availableMemoryBytes: number;
  readonly minFreeMemoryBytes: number;
  /** Free space on work_dir's filesystem and the floor below which no job starts (absent: not checked). */
  readonly disk?: { readonly freeBytes: number; readonly floorBytes: number };
}

export interface CapacityState {
  readonly status: WorkerStatus;
  /** Why busy or draining; absent when ready. */
  readonly reason?: 'draining' | 'max_jobs' | 'low_memory' | 'low_disk';
}

/** The heartbeat's status and its reason. */
export function capacityState(c: CapacityInputs): CapacityState {
  if (c.draining) return { status: 'draining', reason: 'draining' };
  if (c.running >= c.maxJobs) return { status: 'busy', reason: 'max_jobs' };
  if (c.availableMemoryBytes < c.minFreeMemoryBytes) return { status: 'busy', reason: 'low_memory' };
  if (c.disk !== undefined && c.disk.freeBytes < c.disk.floorBytes)
    return { status: 'busy', reason: 'low_disk' };
  return { status: 'ready' };
}

/** The error POST /jobs answers when a new job cannot start now, or null when it can. */
export function admissionError(c: CapacityInputs, retryAfterSeconds: number): WorkerError | null {
  const state = capacityState(c);
  if (state.reason === undefined) return null;
  switch (state.reason) {
    case 'draining':
      return new WorkerError('DRAINING', 'worker is shutting down and takes no new jobs', {
        retryAfter: retryAfterSeconds,
      });
    case 'max_jobs':
      return new WorkerError('AT_CAPACITY', `worker is running its maximum of ${c.maxJobs} jobs`, {
        retryAfter: retryAfterSeconds,
      });
    case 'low_memory':
      return new WorkerError(
        'LOW_MEMORY',
        `available memory ${Math.round(c.availableMemoryBytes / 1048576)} MB is below min_free_memory_mb ${Math.round(c.minFreeMemoryBytes / 1048576)}`,
        { retryAfter: retryAfterSeconds },
      );
    case 'low_disk':
      return new WorkerError(
        'DISK_FULL',
        `free space on work_dir's disk ${Math.round((c.disk?.freeBytes ?? 0) / 1048576)} MB is below the floor of ${Math.round((c.disk?.floorBytes ?? 0) / 1048576)} MB (streams.min_free_disk_mb)`,
        { retryAfter: retryAfterSeconds },
      );
  }
}
