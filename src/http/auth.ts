// Bearer-token check for the orchestrator's write routes, in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { WorkerError } from '../errors.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Throws UNAUTHORIZED without a bearer token and FORBIDDEN with a wrong one. */
export function checkBearer(header: string | undefined, token: string): void {
  if (header === undefined || header === '') {
    throw new WorkerError('UNAUTHORIZED', 'missing Authorization: Bearer token');
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (m?.[1] === undefined)
    throw new WorkerError('UNAUTHORIZED', 'Authorization header must be "Bearer <token>"');
  // Hashing both sides gives equal lengths, so timingSafeEqual leaks nothing about the token's length.
  if (!timingSafeEqual(digest(m[1]), digest(token))) throw new WorkerError('FORBIDDEN', 'wrong bearer token');
}
