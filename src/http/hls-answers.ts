// Writing one answer of the HLS routes on the raw Node response: headers (CORS, caching, ranges), the JSON error
// envelope, a cached file from memory, or a file from disk in pooled 1 MiB reads.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { chooseAnswer, fileEtag, type Answer } from '../hls/byte-serving.js';
import type { ChunkPool } from '../hls/disk-sender.js';
import { sendFileSpan } from '../hls/disk-sender.js';
import { closeFile, openFile } from '../hls/file-read.js';
import { errorJson, type ErrorCode } from '../errors.js';

export const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Content-Length, Content-Range, ETag',
} as const;

// A segment's bytes never change under one ETag; no `immutable`, so a reload still revalidates and a job id reused
// after a restart (new inode, new ETag) is fetched again.
export const SEGMENT_HEADERS = {
  'content-type': 'video/mp2t',
  'cache-control': 'public, max-age=86400',
} as const;
// fMP4 media segments (.m4s) and the init segment: MP4 to every player (hls.js, Safari, ExoPlayer).
export const MP4_HEADERS = { 'content-type': 'video/mp4', 'cache-control': 'public, max-age=86400' } as const;
// Disk-path chunk buffers (1 MiB each) counted at once, whatever the number of clients (see disk-sender.ts).
export const DISK_CHUNKS = 8;
// Buffers come free within a disk read unless the disk hangs: then a request is refused rather than kept waiting.
export const BUFFER_WAIT_MS = 10_000;

export type BodyHeaders = Readonly<{ 'content-type': string; 'cache-control': string }>;

/** The JSON error envelope on the raw response, with CORS so a player's script can read it. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: ErrorCode,
  message: string,
  extra: Record<string, string> = {},
): void {
  const body = errorJson(code, message);
  res.writeHead(status, {
    ...CORS,
    ...extra,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Writes the status line and headers of a chosen answer; the byte span to send, or null when no body follows. */
function writeAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  answer: Answer,
  size: number,
  etag: string,
  headers: BodyHeaders,
): { readonly start: number; readonly end: number } | null {
  switch (answer.status) {
    case 304:
      res.writeHead(304, { ...CORS, etag, 'cache-control': headers['cache-control'] });
      res.end();
      return null;
    case 416:
      sendError(res, 416, 'RANGE_NOT_SATISFIABLE', `the range selects no byte of ${size}`, {
        'content-range': `bytes */${size}`,
      });
      return null;
    case 200:
    case 206:
      res.writeHead(answer.status, {
        ...CORS,
        ...headers,
        etag,
        'accept-ranges': 'bytes',
        'content-length': String(answer.end - answer.start + 1),
        ...(answer.status === 206 ? { 'content-range': `bytes ${answer.start}-${answer.end}/${size}` } : {}),
      });
      if (req.method !== 'HEAD' && answer.end >= answer.start) return answer;
      res.end();
      return null;
  }
}

/** A cached file's answer (200, 206, 304 or 416) written at once; body bytes sent. */
export function sendBuffer(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  etag: string,
  headers: BodyHeaders,
): number {
  const span = writeAnswer(
    req,
    res,
    chooseAnswer(req.headers, body.length, etag),
    body.length,
    etag,
    headers,
  );
  if (span === null) return 0;
  const length = span.end - span.start + 1;
  res.end(length === body.length ? body : body.subarray(span.start, span.end + 1));
  return length;
}

/**
 * The disk path for files the cache does not keep (the open file's own stat names the version); body bytes sent.
 * The first buffer is taken before the headers, so a request that gets none in time is still answered (503).
 */
export async function sendFromDisk(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  headers: BodyHeaders,
  pool: ChunkPool,
  waitMs: number,
): Promise<number> {
  const { fd, info } = openFile(file);
  try {
    const etag = fileEtag(info);
    const answer = chooseAnswer(req.headers, info.size, etag);
    const body = req.method !== 'HEAD' && (answer.status === 200 || answer.status === 206);
    const first = body ? await pool.take(waitMs) : null;
    if (body && first === null) {
      if (!res.destroyed)
        sendError(res, 503, 'SERVING_BUSY', `no read buffer came free within ${waitMs} ms`, {
          'retry-after': '1',
        });
      return 0;
    }
    const span = writeAnswer(req, res, answer, info.size, etag, headers);
    if (span === null) {
      if (first !== null) pool.give(first);
      return 0;
    }
    return await sendFileSpan(res, fd, span.start, span.end, pool, { first, waitMs });
  } finally {
    closeFile(fd);
  }
}
