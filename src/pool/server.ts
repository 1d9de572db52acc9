// The pool's HTTP API (fastify): heartbeats in with the worker token; the live list, placements and jobs with the
// client token. Bodies are checked with compiled TypeBox schemas (no Ajv), errors use the worker's JSON envelope.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { parseWorkerState, type WorkerState } from '../contract/heartbeat.js';
import { parsePlacementRequest, parsePoolJob } from '../contract/placement.js';
import { errorBody, WorkerError, type ErrorCode } from '../errors.js';
import { checkBearer } from '../http/auth.js';
import type { Decision, DecisionLog } from './decision-log.js';
import { describeAttempts, type Attempt, type ForwardResult } from './forward.js';
import { place, type Candidate, type JobNeeds, type Placement } from './placement.js';
import type { LiveWorker, WorkerRegistry } from './registry.js';

/** A heartbeat is a few KiB; 256 KiB leaves room for a large profile and refuses a megabyte at once. */
export const POOL_BODY_LIMIT_BYTES = 256 * 1024;
/** Seconds a client waits before asking again when no worker can take its job (about two beats). */
const NO_WORKER_RETRY_SECONDS = 5;

export type PoolApp = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;

/** An onRequest hook that refuses requests without the expected bearer token. */
export type BearerHook = (
  request: { headers: Record<string, string | string[] | undefined> },
  reply: unknown,
  done: (err?: Error) => void,
) => void;

export interface PoolServerDeps {
  readonly log: Logger;
  readonly workerToken: string;
  readonly clientToken: string;
  readonly registry: WorkerRegistry;
  readonly decisions: DecisionLog;
  readonly forward: (candidates: readonly Candidate[], body: string) => Promise<ForwardResult>;
  /** Milliseconds, the registry's clock. */
  readonly now: () => number;
  /** Told of every decision and forwarding attempt (metrics). */
  readonly observe?: {
    readonly decision: (d: Decision) => void;
    readonly attempts: (attempts: readonly Attempt[]) => void;
  };
  /** Extra routes (status page, metrics) registered by the composition root; `client` checks the client token. */
  readonly extraRoutes?: (app: PoolApp, client: BearerHook) => void;
}

/** Maps fastify's own errors (parsing, limits) to the project's codes. */
function toWorkerError(err: FastifyError): WorkerError {
  if (err instanceof WorkerError) return err;
  const byCode: Record<string, ErrorCode> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
    FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_BODY',
  };
  const code = byCode[err.code];
  if (code === 'BODY_TOO_LARGE')
    return new WorkerError(code, `request body exceeds ${POOL_BODY_LIMIT_BYTES} bytes`);
  if (code !== undefined) return new WorkerError(code, err.message);
  if (err instanceof SyntaxError || err.statusCode === 400)
    return new WorkerError('INVALID_JSON', `malformed JSON body: ${err.message}`);
  return new WorkerError('INTERNAL', 'internal error', { cause: err });
}

/** What GET /workers shows of one live worker: what placement reads, and when it last spoke. */
export function workerView(w: LiveWorker, now: number): Record<string, unknown> {
  const s = w.state;
  return {
    workerId: s.workerId,
    name: s.name,
    url: s.url,
    version: s.version,
    status: s.status,
    ...(s.statusReason === undefined ? {} : { statusReason: s.statusReason }),
    jobs: { running: s.jobs.running, load: s.jobs.load, max: s.jobs.max },
    probing: s.hardware.probing,
    encoders: s.hardware.encoders
      .filter((e) => e.usable)
      .map((e) => ({
        name: e.name,
        codec: e.codec,
        hardware: e.accelerator !== null,
        ...(e.speed === undefined ? {} : { speed: e.speed }),
      })),
    lastSeenAt: new Date(w.lastSeenAt).toISOString(),
    secondsSinceBeat: Math.round(now - w.lastSeenAt) / 1000,
    silenceSeconds: w.silenceMs / 1000,
  };
}

/** What POST /placements answers for a placed job. */
function placementView(p: Placement, chosen: Candidate): Record<string, unknown> {
  return {
    workerId: chosen.workerId,
    name: chosen.name,
    url: chosen.url,
    encoders: chosen.encoders,
    predictedSpeed: chosen.predictedSpeed,
    effectiveSpeed: chosen.effectiveSpeed,
    keepsRealTime: chosen.keepsRealTime,
    reason: p.reason,
    candidates: p.candidates.map((c) => ({
      workerId: c.workerId,
      name: c.name,
      url: c.url,
      effectiveSpeed: c.effectiveSpeed,
      keepsRealTime: c.keepsRealTime,
    })),
    excluded: p.excluded,
  };
}

/** Builds the pool's fastify app (not listening). */
export async function createPoolServer(deps: PoolServerDeps): Promise<PoolApp> {
  const app = Fastify({
    loggerInstance: deps.log,
    // Not one log line per request: 50 workers beat every second.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: POOL_BODY_LIMIT_BYTES,
    requestTimeout: 30_000,
    keepAliveTimeout: 75_000,
    return503OnClosing: false,
    forceCloseConnections: true,
    frameworkErrors: (error, _request, reply) => {
      const plain = reply as unknown as { code(status: number): { send(body: unknown): unknown } };
      void plain.code(400).send(errorBody('INVALID_REQUEST', error.message));
    },
  });
  // Any content type is read as JSON, as on the worker; the body limit still applies.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(new WorkerError('INVALID_JSON', 'request body is empty; expected a JSON object'), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new WorkerError('INVALID_JSON', `malformed JSON body: ${(err as Error).message}`), undefined);
    }
  });
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const we = toWorkerError(err);
    if (we.code === 'INTERNAL') request.log.error({ err }, 'request failed');
    if (we.retryAfter !== undefined) void reply.header('retry-after', String(we.retryAfter));
    if (we.code === 'UNAUTHORIZED') void reply.header('www-authenticate', 'Bearer');
    void reply.code(we.httpStatus).send(errorBody(we.code, we.message));
  });
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?')[0] ?? '';
    void reply.code(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${pathname}`));
  });

  // onRequest hooks: the token is checked before the body is read, so a stranger cannot make the pool parse it.
  const bearer =
    (token: string): BearerHook =>
    (request, _reply, done) => {
      const h = request.headers.authorization;
      try {
        checkBearer(Array.isArray(h) ? h[0] : h, token);
        done();
      } catch (err) {
        done(err as Error);
      }
    };
  const worker = { onRequest: bearer(deps.workerToken) };
  const client = { onRequest: bearer(deps.clientToken) };

  app.post('/workers/heartbeat', worker, (request, reply) => {
    const state: WorkerState = parseWorkerState(request.body);
    if (deps.registry.beat(state))
      deps.log.info({ workerId: state.workerId, name: state.name, url: state.url }, 'worker joined');
    return reply.code(204).send();
  });

  app.get('/workers', client, () => {
    const now = deps.now();
    return { workers: deps.registry.live().map((w) => workerView(w, now)) };
  });

  app.get('/placements', client, () => ({ decisions: deps.decisions.latest() }));

  const noWorker = (message: string, retryAfter = NO_WORKER_RETRY_SECONDS): WorkerError =>
    new WorkerError('NO_WORKER', message, { retryAfter });

  const record = (
    route: 'placement' | 'job',
    chosen: { workerId: string; name: string } | null,
    outcome: 'placed' | 'forwarded' | 'refused' | 'failed' | 'none',
    reason: string,
    jobId?: string,
  ): void => {
    const d: Decision = {
      at: new Date(deps.now()).toISOString(),
      route,
      ...(jobId === undefined ? {} : { jobId }),
      workerId: chosen?.workerId ?? null,
      workerName: chosen?.name ?? null,
      outcome,
      reason,
    };
    deps.decisions.add(d);
    deps.observe?.decision(d);
  };

  const placeOrThrow = (route: 'placement' | 'job', needs: JobNeeds, jobId?: string): Placement => {
    const p = place(deps.registry.states(), needs);
    if (p.chosen === null) {
      record(route, null, 'none', p.reason, jobId);
      throw noWorker(p.reason);
    }
    return p;
  };

  app.post('/placements', client, (request) => {
    const p = placeOrThrow('placement', parsePlacementRequest(request.body));
    const chosen = p.chosen as Candidate;
    record('placement', chosen, 'placed', p.reason);
    return placementView(p, chosen);
  });

  app.post('/jobs', client, async (request, reply) => {
    const job = parsePoolJob(request.body);
    // The pool names the job, so a retry on another worker and the client's next call all mean the same job.
    const id = job.request.id ?? randomBytes(16).toString('base64url');
    const p = placeOrThrow('job', job.needs, id);
    const result = await deps.forward(p.candidates, JSON.stringify({ ...job.request, id }));
    deps.observe?.attempts(result.attempts);
    for (const a of result.attempts) if (a.outcome === 'refused') deps.registry.markFull(a.workerId);
    switch (result.kind) {
      case 'answered': {
        const ok = result.status < 300;
        const tried =
          result.attempts.length > 1 ? `; after ${describeAttempts(result.attempts.slice(0, -1))}` : '';
        const reason = result.candidate.workerId === p.chosen?.workerId ? p.reason : `next candidate${tried}`;
        // Until its next beat, the worker's load counts this job: one slot per encoded output, a copy one.
        const cost = result.candidate.encoders.filter((e) => e !== 'copy').length;
        if (ok) deps.registry.reserve(result.candidate.workerId, Math.max(1, cost));
        record(
          'job',
          result.candidate,
          ok ? 'forwarded' : 'failed',
          `${reason}${ok ? '' : ` → HTTP ${result.status}`}`,
          id,
        );
        deps.log.info(
          {
            jobId: id,
            workerId: result.candidate.workerId,
            status: result.status,
            attempts: result.attempts.length,
          },
          'job forwarded',
        );
        return reply.code(result.status).type(result.contentType).send(result.body);
      }
      case 'refused': {
        const message = `every worker refused the job: ${describeAttempts(result.attempts)}`;
        record('job', null, 'refused', message, id);
        throw noWorker(message, result.retryAfter ?? NO_WORKER_RETRY_SECONDS);
      }
      case 'failed': {
        const message = `job ${id}: no worker answered usably: ${describeAttempts(result.attempts)}`;
        record('job', null, 'failed', message, id);
        throw new WorkerError('WORKER_FAILED', message);
      }
    }
  });

  deps.extraRoutes?.(app, client.onRequest);
  await app.ready();
  return app;
}
