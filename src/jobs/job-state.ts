// A job's state machine (pure): which statuses are live, and which moves between them are allowed.
import { assertNever } from '../errors.js';
import type { JobStatus } from '../contract/job-view.js';

export type { JobStatus };

/** Live means FFmpeg is, or is about to be, writing the stream. */
export function isLive(status: JobStatus): boolean {
  switch (status) {
    case 'queued':
    case 'running':
      return true;
    case 'completed':
    case 'failed':
    case 'cancelled':
      return false;
    default:
      return assertNever(status);
  }
}

/** Allowed transitions: queued → running → completed; anything live → failed | cancelled; terminal states stay. */
export function canTransition(from: JobStatus, to: JobStatus): boolean {
  switch (from) {
    case 'queued':
      return to === 'running' || to === 'failed' || to === 'cancelled';
    case 'running':
      return to === 'completed' || to === 'failed' || to === 'cancelled';
    case 'completed':
    case 'failed':
    case 'cancelled':
      return false;
    default:
      return assertNever(from);
  }
}
