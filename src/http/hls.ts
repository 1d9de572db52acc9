// GET/HEAD /streams/{id}/{file} on the raw Node response: playlists and segments, served while FFmpeg makes them.
// A segment that is not written yet but will be is awaited (never a partial file); finished segments come from memory.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PLAYLIST_NAME, segmentIndex } from '../ffmpeg/hls-args.js';
import { JOB_ID_RE } from '../jobs/job-request.js';
import type { StreamHandle } from '../jobs/job-manager.js';
import type { SegmentCache } from '../hls/segment-cache.js';
import type { ErrorCode } from '../errors.js';

export interface HlsDeps {
  readonly stream: (id: string) => StreamHandle | null;
  readonly cache: SegmentCache;
  readonly segmentWaitMs: number;
  readonly onServed?: (kind: 'playlist' | 'segment', bytes: number) => void;
  readonly onWait?: (outcome: string, ms: number) => void;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Content-Length, Content-Range, ETag',
} as const;

function sendError(
  res: ServerResponse,
  status: number,
  code: ErrorCode | 'METHOD_NOT_ALLOWED',
  message: string,
): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    ...CORS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Parses "bytes=a-b" against a size; null when absent, 'invalid' when unsatisfiable. Only single ranges. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'invalid' | null {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) return null;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return 'invalid';
  let start: number;
  let end: number;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'invalid';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}

function sendBody(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  headers: Record<string, string>,
  etag: string,
): number {
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { ...CORS, etag, 'cache-control': headers['cache-control'] ?? 'no-cache' });
    res.end();
    return 0;
  }
  const range = parseRange(req.headers.range, body.length);
  if (range === 'invalid') {
    res.writeHead(416, { ...CORS, 'content-range': `bytes */${body.length}` });
    res.end();
    return 0;
  }
  const slice = range === null ? body : body.subarray(range.start, range.end + 1);
  res.writeHead(range === null ? 200 : 206, {
    ...CORS,
    ...headers,
    etag,
    'accept-ranges': 'bytes',
    'content-length': String(slice.length),
    ...(range === null ? {} : { 'content-range': `bytes ${range.start}-${range.end}/${body.length}` }),
  });
  if (req.method === 'HEAD') res.end();
  else res.end(slice);
  return req.method === 'HEAD' ? 0 : slice.length;
}

async function fileExists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Waits for a file of a live stream; returns true when it is there. The wait ends early if the client leaves. */
async function awaitFile(
  res: ServerResponse,
  handle: StreamHandle,
  name: string,
  deps: HlsDeps,
): Promise<boolean> {
  const file = path.join(handle.dir, name);
  if (await fileExists(file)) return true;
  if (!handle.live) return false;
  const gone = new AbortController();
  const onClose = (): void => {
    gone.abort();
  };
  res.once('close', onClose);
  const started = performance.now();
  try {
    const outcome = await handle.arrivals.waitFor(name, deps.segmentWaitMs, gone.signal);
    deps.onWait?.(outcome, performance.now() - started);
    return outcome === 'ready';
  } finally {
    res.off('close', onClose);
  }
}

/** Handles /streams/... requests; returns false for any other URL (the API server takes those). */
export function createHlsHandler(deps: HlsDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const serve = async (
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    name: string,
  ): Promise<void> => {
    const handle = JOB_ID_RE.test(id) ? deps.stream(id) : null;
    if (handle === null) {
      sendError(res, 404, 'STREAM_NOT_FOUND', 'no stream with this id');
      return;
    }
    if (name === PLAYLIST_NAME) {
      if (!(await awaitFile(res, handle, name, deps))) {
        sendError(
          res,
          404,
          'STREAM_NOT_FOUND',
          'the stream has no playlist (its job failed or was cancelled)',
        );
        return;
      }
      let body: Buffer;
      try {
        body = await readFile(path.join(handle.dir, name));
      } catch {
        sendError(res, 404, 'STREAM_NOT_FOUND', 'the stream was removed');
        return;
      }
      // A job that stopped without finalising its playlist (killed, failed) will not grow: say so, or players poll forever.
      if (!handle.live && !body.includes('#EXT-X-ENDLIST'))
        body = Buffer.concat([body, Buffer.from('#EXT-X-ENDLIST\n')]);
      const ended = body.includes('#EXT-X-ENDLIST');
      const sentPlaylist = sendBody(
        req,
        res,
        body,
        {
          'content-type': 'application/vnd.apple.mpegurl',
          // A live playlist changes with every segment; a finished one never does.
          'cache-control': ended ? 'public, max-age=3600' : 'no-cache',
        },
        `"${body.length.toString(16)}-${hashTail(body)}"`,
      );
      deps.onServed?.('playlist', sentPlaylist);
      return;
    }
    const index = segmentIndex(name);
    if (index === null) {
      sendError(res, 404, 'SEGMENT_NOT_FOUND', 'no such file in this stream');
      return;
    }
    const beyondEnd = handle.segmentCount !== null && index >= handle.segmentCount;
    if (beyondEnd && !(await fileExists(path.join(handle.dir, name)))) {
      sendError(res, 404, 'SEGMENT_NOT_FOUND', `segment ${index} is past the end of the stream`);
      return;
    }
    if (!(await awaitFile(res, handle, name, deps))) {
      if (res.destroyed) return;
      sendError(res, 404, 'SEGMENT_NOT_FOUND', `segment ${index} is not available`);
      return;
    }
    let cached;
    try {
      cached = await deps.cache.get(path.join(handle.dir, name));
    } catch {
      sendError(res, 404, 'SEGMENT_NOT_FOUND', `segment ${index} was removed`);
      return;
    }
    const sent = sendBody(
      req,
      res,
      cached.body,
      // A segment never changes once it has its final name.
      { 'content-type': 'video/mp2t', 'cache-control': 'public, max-age=86400, immutable' },
      cached.etag,
    );
    deps.onServed?.('segment', sent);
  };

  return (req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith('/streams/')) return false;
    const pathname = url.split('?', 1)[0] ?? url;
    const parts = pathname.slice('/streams/'.length).split('/');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...CORS,
        'access-control-allow-methods': 'GET, HEAD, OPTIONS',
        'access-control-allow-headers': 'Range, If-None-Match',
        'access-control-max-age': '86400',
      });
      res.end();
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD, OPTIONS');
      sendError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method ?? '?'} is not allowed on streams`);
      return true;
    }
    const [id, name] = parts;
    if (parts.length !== 2 || id === undefined || name === undefined) {
      sendError(res, 404, 'STREAM_NOT_FOUND', 'expected /streams/{id}/{file}');
      return true;
    }
    serve(req, res, id, name).catch(() => {
      if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'could not serve the stream');
      else res.destroy();
    });
    return true;
  };
}

/** A cheap content tag for small playlists: their length plus a hash of the tail, where new segments appear. */
function hashTail(body: Buffer): string {
  let h = 2166136261;
  for (let i = Math.max(0, body.length - 256); i < body.length; i++) {
    h ^= body[i] ?? 0;
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0).toString(16);
}
