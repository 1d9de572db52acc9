// The HTTP API (fastify) and the stream routes (raw handler) on one server. JSON errors everywhere.
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { errorBody, errorJson, WorkerError, type ErrorCode } from '../errors.js';
import { JOB_ID_RE, parseJobRequest } from '../contract/job-request.js';
import type { JobManager } from '../jobs/job-manager.js';
import { describeSchemaErrors } from '../schema-errors.js';
import { checkBearer } from './auth.js';
import { publicHealth } from './health.js';

export const BODY_LIMIT_BYTES = 64 * 1024;

/** How long a client may take to send its request or to read its answer, and how many connections it may keep. */
export interface HttpTimeouts {
  /** Until every request header has arrived. */
  readonly headersMs: number;
  /** Until the whole request, body included, has arrived (not the answer: a segment wait is not limited by it). */
  readonly requestMs: number;
  /** Idle kept-alive connections are closed after this. */
  readonly keepAliveMs: number;
  /** How often Node checks the two limits above (its default is 30 s, which would let them overrun by that much). */
  readonly checkIntervalMs: number;
  /** A segment answer whose socket makes no write progress for this long is destroyed (the client stopped reading). */
  readonly sendStallMs: number;
  /** Open connections at most; beyond it a new one is refused and the idle kept-alive ones are closed. */
  readonly maxConnections: number;
}

// A job body is under 64 KiB and comes from a LAN: seconds are plenty, and a stalled client frees its socket soon.
// Idle connections stay 75 s (as nginx's keepalive_timeout): a player fetching a segment every 4–6 s must never meet
// the close, or its next request races it (written on a socket the server is destroying: ECONNRESET). The cap keeps
// idle sockets from exhausting file descriptors and memory (~10 KB each); a TV or browser holds at most ~6.
export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 75_000,
  checkIntervalMs: 1_000,
  sendStallMs: 30_000,
  maxConnections: 2048,
};

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/** The fastify instance this worker builds (a plain http.Server and a pino logger). */
export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;

export interface ServerDeps {
  readonly jobs: JobManager;
  readonly authToken: string;
  readonly log: Logger;
  /** Answers /streams/... (returns false for anything else). */
  readonly hls: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** The worker's state as the heartbeat sends it, job ids included: GET /health answers only its public part. */
  readonly health: () => Record<string, unknown>;
  /** Extra routes (status page, metrics) registered by the composition root; `auth` is the bearer hook. */
  readonly extraRoutes?: (app: App, auth: BearerHook) => void;
  readonly timeouts?: Partial<HttpTimeouts>;
}

/** An onRequest hook that refuses requests without the worker's bearer token. */
export type BearerHook = (
  request: { headers: Record<string, string | string[] | undefined> },
  reply: unknown,
  done: (err?: Error) => void,
) => void;

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

/** Answers errors Node raises before a request exists (timeouts, oversized or malformed headers) on the raw socket. */
function clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message]: [number, ErrorCode, string] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'REQUEST_TIMEOUT', 'the request was not received in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', 'request headers are too large']
        : [400, 'INVALID_REQUEST', 'malformed HTTP request'];
  const body = errorJson(code, message);
  // Not when an answer has begun on this socket (a broken body after the route answered): it would corrupt it.
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && inFlight?.headersSent !== true) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Builds the fastify app on a raw server that hands /streams/ to the HLS handler first. */
export async function createHttpServer(deps: ServerDeps): Promise<App> {
  let fastifyHandler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const timeouts = { ...DEFAULT_HTTP_TIMEOUTS, ...deps.timeouts };
  const server: Server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
      requireHostHeader: false,
    },
    (req, res) => {
      // HTTP/1.1 requires Host; Node's own refusal of a request without it has no body, so refuse it here.
      if (req.headers.host === undefined && req.httpVersionMinor >= 1) {
        const body = errorJson('INVALID_REQUEST', 'an HTTP/1.1 request needs a Host header');
        res.writeHead(400, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          connection: 'close',
        });
        res.end(body);
        return;
      }
      if (deps.hls(req, res)) return;
      fastifyHandler?.(req, res);
    },
  );
  server.maxConnections = timeouts.maxConnections;
  // At the cap, idle kept-alive sockets give way: the refused client's retry finds room, busy ones are untouched.
  server.on('drop', () => {
    server.closeIdleConnections();
  });
  // An Expect other than 100-continue is ignored (RFC 9110 allows it) instead of Node's bare 417.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    server.emit('request', req, res);
  });
  const app = Fastify({
    loggerInstance: deps.log,
    // Requests are not logged one by one: a TV fetching segments would flood the log.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // No route schemas: bodies are checked with TypeBox (parseJobRequest), so fastify never builds its Ajv.
    serverFactory: (handler) => {
      fastifyHandler = handler;
      return server;
    },
    // While closing, requests on kept-alive sockets are still answered by the routes (POST /jobs gets DRAINING
    // with Retry-After) instead of fastify's own 503 body without our envelope.
    return503OnClosing: false,
    // Errors fastify raises before routing (a malformed URL such as /jobs/%zz) get the same JSON envelope.
    frameworkErrors: (error, _request, reply) => {
      // fastify types this reply for an unknown route generic; it is a plain reply.
      const plain = reply as unknown as { code(status: number): { send(body: unknown): unknown } };
      // A path parameter over fastify's 100 characters names no job, as a 65-character one does not.
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
        void plain.code(404).send(errorBody('NOT_FOUND', 'no route for a path parameter this long'));
      else void plain.code(400).send(errorBody('INVALID_REQUEST', error.message));
    },
    clientErrorHandler: clientError,
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
  // A known path with another method is 405 with Allow (as on /streams/); an unknown path is 404.
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?')[0] ?? '';
    // findRoute returns null for no match at run time, though its type does not say so.
    const allowed = METHODS.filter(
      (method) => (app.findRoute({ method, url: pathname }) as unknown) !== null,
    );
    if (allowed.length > 0) {
      void reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send(errorBody('METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${pathname}`));
      return;
    }
    void reply.code(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${pathname}`));
  });

  // An onRequest hook: auth runs before the body is read, so an unauthenticated client cannot make us parse 64 KiB.
  const requireBearer: BearerHook = (request, _reply, done) => {
    const h = request.headers.authorization;
    try {
      checkBearer(Array.isArray(h) ? h[0] : h, deps.authToken);
      done();
    } catch (err) {
      done(err as Error);
    }
  };

  // Open to anyone: counts and status, never a job id (publicHealth).
  app.get('/health', () => publicHealth(deps.health()));

  app.post('/jobs', { onRequest: requireBearer }, async (request, reply) => {
    const job = await deps.jobs.submit(parseJobRequest(request.body));
    const { id, status, playlistUrl, encoder, output } = job;
    // An ABR job says at once which variants it makes and which the source does not allow.
    const ladder =
      output?.variants === undefined
        ? {}
        : { variants: output.variants, droppedVariants: output.droppedVariants ?? [] };
    return reply.code(202).send({ id, status, playlistUrl, encoder, ...ladder });
  });

  // The list needs the bearer: job ids are stream capabilities. One job's view needs its id, like its stream.
  app.get('/jobs', { onRequest: requireBearer }, () => ({ jobs: deps.jobs.list() }));

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

  deps.extraRoutes?.(app, requireBearer);
  await app.ready();
  return app;
}
