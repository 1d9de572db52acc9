// The HTTP API (fastify) and the stream routes (raw handler) on one server. JSON errors everywhere.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { WorkerError, type ErrorCode } from '../errors.js';
import { JobRequestSchema, JOB_ID_RE, type JobRequest } from '../jobs/job-request.js';
import type { JobManager } from '../jobs/job-manager.js';
import { describeSchemaErrors } from '../schema-errors.js';
import { checkBearer } from './auth.js';

export const BODY_LIMIT_BYTES = 64 * 1024;

/** The fastify instance this worker builds (a plain http.Server and a pino logger). */
export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;

export interface ServerDeps {
  readonly jobs: JobManager;
  readonly authToken: string;
  readonly log: Logger;
  /** Answers /streams/... (returns false for anything else). */
  readonly hls: (req: IncomingMessage, res: ServerResponse) => boolean;
  readonly health: () => Record<string, unknown>;
  /** Extra routes (status page, metrics) registered by the composition root. */
  readonly extraRoutes?: (app: App) => void;
}

function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** Maps fastify's own errors (parsing, limits, validation) to our codes. */
function toWorkerError(err: FastifyError): WorkerError {
  if (err instanceof WorkerError) return err;
  if (err.validation !== undefined) {
    const lines = describeSchemaErrors(err.validation);
    return new WorkerError('INVALID_BODY', lines.join('; ') || err.message);
  }
  const byCode: Record<string, ErrorCode> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
    FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_BODY',
  };
  const code = byCode[err.code];
  if (code !== undefined) {
    const message =
      code === 'BODY_TOO_LARGE' ? `request body exceeds ${BODY_LIMIT_BYTES} bytes` : err.message;
    return new WorkerError(code, message);
  }
  if (err instanceof SyntaxError || err.statusCode === 400)
    return new WorkerError('INVALID_JSON', `malformed JSON body: ${err.message}`);
  return new WorkerError('INTERNAL', 'internal error', { cause: err });
}

/** Builds the fastify app on a raw server that hands /streams/ to the HLS handler first. */
export async function createHttpServer(deps: ServerDeps): Promise<App> {
  let fastifyHandler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server: Server = createServer((req, res) => {
    if (deps.hls(req, res)) return;
    fastifyHandler?.(req, res);
  });
  const app = Fastify({
    loggerInstance: deps.log,
    // Requests are not logged one by one: a TV fetching segments would flood the log.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Unknown fields and "720" for 720 are client bugs: reject them instead of silently fixing them.
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: true },
    },
    serverFactory: (handler) => {
      fastifyHandler = handler;
      return server;
    },
    return503OnClosing: true,
    // Errors fastify raises before routing (a malformed URL such as /jobs/%zz) get the same JSON envelope.
    frameworkErrors: (error, _request, reply) => {
      // fastify types this reply for an unknown route generic; it is a plain reply.
      const plain = reply as unknown as { code(status: number): { send(body: unknown): unknown } };
      void plain.code(400).send(errorBody('INVALID_REQUEST', error.message));
    },
    forceCloseConnections: true,
  });

  // Any content type is read as JSON (curl -d sends form encoding); the body limit still applies.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    // Generated clients send Content-Type: application/json on a body-less DELETE: that is no body, not bad JSON.
    if (text.trim() === '' && req.method !== 'POST') {
      done(null, undefined);
      return;
    }
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
    if (we.httpStatus >= 500 && we.code === 'INTERNAL') request.log.error({ err }, 'request failed');
    if (we.retryAfter !== undefined) void reply.header('retry-after', String(we.retryAfter));
    if (we.code === 'UNAUTHORIZED') void reply.header('www-authenticate', 'Bearer');
    void reply.code(we.httpStatus).send(errorBody(we.code, we.message));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`));
  });

  // An onRequest hook: auth runs before the body is read, so an unauthenticated client cannot make us parse 64 KiB.
  const requireBearer = (
    request: { headers: Record<string, string | string[] | undefined> },
    _reply: unknown,
    done: (err?: Error) => void,
  ): void => {
    const h = request.headers.authorization;
    try {
      checkBearer(Array.isArray(h) ? h[0] : h, deps.authToken);
      done();
    } catch (err) {
      done(err as Error);
    }
  };

  app.get('/health', () => deps.health());

  app.post<{ Body: JobRequest }>(
    '/jobs',
    { onRequest: requireBearer, schema: { body: JobRequestSchema } },
    async (request, reply) => {
      const job = await deps.jobs.submit(request.body);
      const { id, status, playlistUrl, encoder } = job;
      return reply.code(202).send({ id, status, playlistUrl, encoder });
    },
  );

  app.get('/jobs', () => ({ jobs: deps.jobs.list() }));

  const jobId = (params: unknown): string => {
    const id = (params as { id?: string }).id ?? '';
    if (!JOB_ID_RE.test(id)) throw new WorkerError('JOB_NOT_FOUND', 'no job with this id');
    return id;
  };

  app.get('/jobs/:id', (request) => deps.jobs.view(jobId(request.params)));

  app.delete('/jobs/:id', { onRequest: requireBearer }, async (request) =>
    deps.jobs.cancel(jobId(request.params)),
  );

  // The orchestrator vouches for a viewer the worker cannot see (paused player, a job prepared ahead): not idle.
  app.post('/jobs/:id/keepalive', { onRequest: requireBearer }, (request) =>
    deps.jobs.keepalive(jobId(request.params)),
  );

  deps.extraRoutes?.(app);
  await app.ready();
  return app;
}
