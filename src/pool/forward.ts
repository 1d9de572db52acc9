// POST /jobs through the pool: the job goes to the first candidate that takes it. A refusal (503, 507), a worker
// that cannot be reached (dead but not yet silent long enough) or one that refuses the pool's token is skipped and
// the next tried, once each. A timeout stops there: the worker may have started the job, and a second worker must not.
import type { Candidate } from './placement.js';

export type AttemptOutcome = 'accepted' | 'answered' | 'refused' | 'unreachable' | 'unauthorized' | 'timeout';

export interface Attempt {
  readonly workerId: string;
  readonly name: string;
  readonly outcome: AttemptOutcome;
  readonly status?: number;
  readonly detail: string;
}

export type ForwardResult =
  /** The worker's own answer, relayed: 2xx, or an error that is the job's (400, 404, 409 ...). */
  | {
      readonly kind: 'answered';
      readonly candidate: Candidate;
      readonly status: number;
      readonly body: string;
      readonly contentType: string;
      readonly attempts: readonly Attempt[];
    }
  /** Every candidate refused for now (503/507) or could not be used: no answer to relay. */
  | { readonly kind: 'refused'; readonly attempts: readonly Attempt[]; readonly retryAfter: number | null }
  | { readonly kind: 'failed'; readonly attempts: readonly Attempt[] };

export interface ForwardDeps {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
  /** The bearer the worker's POST /jobs expects (its auth_token); null sends none. */
  readonly tokenFor: (c: Candidate) => string | null;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Tries the candidates in order with the job's JSON body; see the file comment for what moves to the next. */
export async function forwardJob(
  deps: ForwardDeps,
  candidates: readonly Candidate[],
  body: string,
): Promise<ForwardResult> {
  const attempts: Attempt[] = [];
  let retryAfter: number | null = null;
  const note = (c: Candidate, outcome: AttemptOutcome, detail: string, status?: number): void => {
    attempts.push({
      workerId: c.workerId,
      name: c.name,
      outcome,
      detail,
      ...(status === undefined ? {} : { status }),
    });
  };
  for (const c of candidates) {
    const token = deps.tokenFor(c);
    let res: Response;
    try {
      res = await deps.fetch(`${c.url}/jobs`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        body,
        signal: AbortSignal.timeout(deps.timeoutMs),
      });
    } catch (err) {
      const name = (err as { name?: unknown }).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        note(c, 'timeout', `no answer within ${deps.timeoutMs} ms: the job may have started there`);
        return { kind: 'failed', attempts };
      }
      const code = (err as { cause?: { code?: unknown } }).cause?.code;
      note(
        c,
        'unreachable',
        typeof code === 'string' && UNREACHABLE.has(code) ? code : (err as Error).message,
      );
      continue;
    }
    const text = await res.text().catch(() => '');
    if (res.status === 503 || res.status === 507) {
      const after = Number(res.headers.get('retry-after'));
      if (Number.isFinite(after) && after > 0) retryAfter = Math.min(retryAfter ?? after, after);
      note(c, 'refused', errorCode(text) ?? `HTTP ${res.status}`, res.status);
      continue;
    }
    if (res.status === 401 || res.status === 403) {
      note(c, 'unauthorized', "refused the pool's token (workers.auth_token in pool.yml)", res.status);
      continue;
    }
    note(c, res.ok ? 'accepted' : 'answered', errorCode(text) ?? `HTTP ${res.status}`, res.status);
    return {
      kind: 'answered',
      candidate: c,
      status: res.status,
      body: text,
      contentType: res.headers.get('content-type') ?? 'application/json; charset=utf-8',
      attempts,
    };
  }
  return attempts.some((a) => a.outcome === 'refused')
    ? { kind: 'refused', attempts, retryAfter }
    : { kind: 'failed', attempts };
}

/** The code of the worker's JSON error envelope, if the text is one. */
function errorCode(text: string): string | null {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}

/** One line per attempt, for error messages and the decision log. */
export function describeAttempts(attempts: readonly Attempt[]): string {
  return attempts.map((a) => `${a.name}: ${a.outcome} (${a.detail})`).join('; ');
}
