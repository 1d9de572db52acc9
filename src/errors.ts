// Every error the worker reports has a code with one meaning: an HTTP status for what a request can be answered with,
// an exit status for what ends the process at start-up. docs/errors.md mirrors both lists.

/** The codes an HTTP answer can carry, each with its status. */
export const ERROR_CODES = {
  // Requests
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID_JSON: 400,
  INVALID_BODY: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BODY_TOO_LARGE: 413,
  METHOD_NOT_ALLOWED: 405,
  INVALID_REQUEST: 400,
  /** Headers or body not received within the server's timeouts (slow or stalled client). */
  REQUEST_TIMEOUT: 408,
  HEADERS_TOO_LARGE: 431,
  // Job input
  INPUT_INVALID: 400,
  INPUT_PROTOCOL: 400,
  INPUT_OUTSIDE_MOUNT: 403,
  INPUT_NOT_FOUND: 404,
  INPUT_NOT_FILE: 400,
  INPUT_UNREADABLE: 403,
  /** nas_mount_path itself is missing: the NAS is not mounted. Not the file's fault; retry later. */
  NAS_UNAVAILABLE: 503,
  // Jobs
  JOB_NOT_FOUND: 404,
  JOB_EXISTS: 409,
  /** The id differs only in case from a job whose stream folder is on a case-insensitive file system (macOS, Windows). */
  JOB_ID_CONFLICT: 409,
  /** video.hardware names an encoder that is not usable here (or not for the requested codec). */
  ENCODER_UNAVAILABLE: 400,
  AT_CAPACITY: 503,
  LOW_MEMORY: 503,
  DRAINING: 503,
  /** work_dir's filesystem is below streams.min_free_disk_mb even after deleting idle streams. */
  DISK_FULL: 507,
  // Streams
  STREAM_NOT_FOUND: 404,
  SEGMENT_NOT_FOUND: 404,
  RANGE_NOT_SATISFIABLE: 416,
  /** A segment read from disk got no buffer in time (the disk hangs); retry. */
  SERVING_BUSY: 503,
  // Internal
  INTERNAL: 500,
  // The pool (transcode-worker pool)
  /** No live worker can take the job now: every one is busy, draining, full, probing or lacks an encoder. */
  NO_WORKER: 503,
  /** The chosen workers were tried and none answered usably (unreachable, timed out, refused the pool's token). */
  WORKER_FAILED: 502,
} as const;

/** The codes that end the process at start-up (never an HTTP answer), each with the status cli.ts exits with. */
export const EXIT_STATUS = {
  CONFIG_INVALID: 1,
  FFMPEG_MISSING: 1,
} as const;

/** Exit status of any other failure that ends the process (`fatal: ...`, an error while stopping). */
export const EXIT_FAILURE = 1;
/** Exit status of a command-line usage error (unknown command or option). */
export const EXIT_USAGE = 2;

export type HttpErrorCode = keyof typeof ERROR_CODES;
export type StartupErrorCode = keyof typeof EXIT_STATUS;
export type ErrorCode = HttpErrorCode | StartupErrorCode;

function isHttpCode(code: ErrorCode): code is HttpErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** The status the process exits with when this error ends it: the code's own, else EXIT_FAILURE. */
export function exitStatus(code: ErrorCode): number {
  return isHttpCode(code) ? EXIT_FAILURE : EXIT_STATUS[code];
}

/** An expected failure with a stable code; the HTTP layer renders it as {"error":{"code","message"}}. */
export class WorkerError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  /** Seconds, for 503 answers. */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryAfter?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WorkerError';
    this.code = code;
    // A start-up code that reaches a request anyway is the worker's fault.
    this.httpStatus = isHttpCode(code) ? ERROR_CODES[code] : ERROR_CODES.INTERNAL;
    this.retryAfter = options.retryAfter;
  }
}

/** The one JSON error envelope of every HTTP answer, {"error":{"code","message"}}: what fastify's reply sends. */
export function errorBody(code: ErrorCode, message: string): { error: { code: ErrorCode; message: string } } {
  return { error: { code, message } };
}

/** The same envelope as the text written on a raw response or socket. */
export function errorJson(code: ErrorCode, message: string): string {
  return JSON.stringify(errorBody(code, message));
}

/** Exhaustiveness guard for switches over unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
