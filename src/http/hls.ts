// GET/HEAD /streams/{id}/{file} on the raw Node response: playlists and segments, served while FFmpeg makes them.
// A segment that is not written yet but will be is awaited (never a partial file); finished files come from memory,
// files too large for the cache stream from disk in 1 MiB reads (how an answer is written: hls-answers.ts).
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Stats } from 'node:fs';
import path from 'node:path';
import {
  MASTER_NAME,
  parseInitName,
  parseSegmentName,
  parseVariantPlaylist,
  PLAYLIST_NAME,
} from '../hls/stream-folder.js';
import { JOB_ID_RE } from '../contract/job-request.js';
import type { StreamHandle } from '../jobs/job-manager.js';
import { fileEtag } from '../hls/byte-serving.js';
import { subtitleFile } from '../hls/subtitle-playlist.js';
import { ChunkPool } from '../hls/disk-sender.js';
import { statFile } from '../hls/file-read.js';
import type { SegmentCache } from '../hls/segment-cache.js';
import {
  BUFFER_WAIT_MS,
  CORS,
  DISK_CHUNKS,
  MP4_HEADERS,
  SEGMENT_HEADERS,
  sendBuffer,
  sendError,
  sendFromDisk,
} from './hls-answers.js';

export interface HlsDeps {
  readonly stream: (id: string) => StreamHandle | null;
  readonly cache: SegmentCache;
  readonly segmentWaitMs: number;
  /** A segment's socket with no write progress for this long is destroyed (the client stopped reading); one that
   * stalls for less than half of it never is. */
  readonly stallMs: number;
  /** How long a disk read may wait for a pooled buffer before the answer is 503 (default BUFFER_WAIT_MS). */
  readonly bufferWaitMs?: number;
  /** Body bytes actually sent (0 for HEAD, 304, 416), for metrics. */
  readonly onServed?: (kind: 'playlist' | 'segment', bytes: number) => void;
  /** How a wait for a file not yet written ended, and how long it took. */
  readonly onWait?: (outcome: string, ms: number) => void;
}

/** The playlists a stream may have: stream.m3u8, master.m3u8, an ABR job's v{i}.m3u8. */
function isPlaylist(name: string): boolean {
  return name === PLAYLIST_NAME || name === MASTER_NAME || parseVariantPlaylist(name) !== null;
}

/**
 * A file of a variant the job does not have: v3-… of a 2-variant or one-quality job, or seg-K/stream.m3u8 (the
 * one-quality names) of an ABR job.
 */
function noSuchVariant(handle: StreamHandle, variant: number | null): boolean {
  if (handle.variants === null) return false;
  return variant === null ? handle.variants > 0 : variant >= handle.variants;
}

const followed = new WeakSet<StreamHandle['arrivals']>();

/**
 * From the first request to a live stream on, each finished segment and playlist is read into the cache the moment
 * FFmpeg renames it into place, so the viewers who ask next find it in memory: a miss read can wait tens of ms for
 * a thread-pool thread on a loaded machine (measured: 28 viewers stalled 52 ms on one).
 */
function followStream(handle: StreamHandle, cache: SegmentCache): void {
  if (!handle.live || followed.has(handle.arrivals)) return;
  followed.add(handle.arrivals);
  handle.arrivals.listen((name) => {
    if (!isPlaylist(name) && parseInitName(name) === undefined && parseSegmentName(name) === null) return;
    const file = path.join(handle.dir, name);
    const info = statFile(file);
    if (info !== null && cache.admits(info.size)) cache.prefetch(file, info);
  });
}

/** Waits for a file of a live stream; its stat once there, else null. The wait ends early if the client leaves. */
async function awaitFile(
  res: ServerResponse,
  handle: StreamHandle,
  name: string,
  deps: HlsDeps,
): Promise<Stats | null> {
  const file = path.join(handle.dir, name);
  const now = statFile(file);
  if (now !== null || !handle.live) return now;
  const gone = new AbortController();
  const onClose = (): void => {
    gone.abort();
  };
  res.once('close', onClose);
  const started = performance.now();
  try {
    const outcome = await handle.arrivals.waitFor(name, deps.segmentWaitMs, gone.signal);
    deps.onWait?.(outcome, performance.now() - started);
    return outcome === 'ready' ? statFile(file) : null;
  } finally {
    res.off('close', onClose);
  }
}

/**
 * GStreamer 1.22's hlsdemux2 (Debian 12's playbin3) cannot match a reloaded one-segment live playlist with the one
 * before and stalls for good: it gets its first answer once two segments are listed. Only GStreamer: for other
 * players it would double the first burst of a crowd joining at once (200 viewers' p99 82 → 147 ms, measured).
 */
function needsTwoSegments(req: IncomingMessage, body: Buffer): boolean {
  if (!/GStreamer/i.test(req.headers['user-agent'] ?? '')) return false;
  const listed = listing(body);
  return !listed.ended && listed.segments === 1;
}

/** How many segments a playlist lists and whether it has ended (a master lists none). */
function listing(body: Buffer): { readonly segments: number; readonly ended: boolean } {
  const text = body.toString('latin1');
  return { segments: text.split('#EXTINF:').length - 1, ended: text.includes('#EXT-X-ENDLIST') };
}

const SECOND_SEGMENT_POLL_MS = 100;

/** The playlist once it lists a second segment or ends (null: the wait ran out, the job ended, the client left). */
async function secondSegment(
  res: ServerResponse,
  handle: StreamHandle,
  name: string,
  deps: HlsDeps,
): Promise<Awaited<ReturnType<SegmentCache['get']>> | null> {
  const file = path.join(handle.dir, name);
  const deadline = performance.now() + deps.segmentWaitMs;
  while (performance.now() < deadline && !res.destroyed && handle.live) {
    await delay(SECOND_SEGMENT_POLL_MS);
    const info = statFile(file);
    if (info === null) return null;
    const cached = await deps.cache.get(file, info, false);
    const listed = listing(cached.body);
    if (listed.ended || listed.segments >= 2) return cached;
  }
  return null;
}

async function servePlaylist(
  req: IncomingMessage,
  res: ServerResponse,
  handle: StreamHandle,
  name: string,
  deps: HlsDeps,
): Promise<void> {
  if (name !== MASTER_NAME && noSuchVariant(handle, parseVariantPlaylist(name))) {
    sendError(res, 404, 'STREAM_NOT_FOUND', `the stream has no variant playlist ${name}`);
    return;
  }
  const info = await awaitFile(res, handle, name, deps);
  if (info === null) {
    if (res.destroyed) return;
    // A live job whose playlist did not come within the wait is slow (or waits for a viewer), not gone.
    const why = handle.live
      ? `${name} is not ready after ${Math.round(deps.segmentWaitMs / 1000)} s (the job is still running)`
      : `the stream has no ${name} (its job failed or was cancelled)`;
    sendError(res, 404, 'STREAM_NOT_FOUND', why);
    return;
  }
  let cached;
  try {
    cached = await deps.cache.get(path.join(handle.dir, name), info, false);
  } catch {
    sendError(res, 404, 'STREAM_NOT_FOUND', 'the stream was removed');
    return;
  }
  if (needsTwoSegments(req, cached.body) && handle.live)
    cached = (await secondSegment(res, handle, name, deps)) ?? cached;
  let body = cached.body;
  let ended = body.subarray(-32).includes('#EXT-X-ENDLIST');
  let variant = '';
  // A job that stopped without finalising its playlist (killed, failed) will not grow: say so, or players poll forever.
  // The master lists playlists, not segments: it never ends.
  const master = name === MASTER_NAME;
  if (!handle.live && !ended && !master) {
    body = Buffer.concat([body, Buffer.from('#EXT-X-ENDLIST\n')]);
    ended = true;
    variant = '-e';
  }
  const sent = sendBuffer(req, res, body, fileEtag(cached.identity, variant), {
    'content-type': 'application/vnd.apple.mpegurl',
    // A live playlist changes with every segment; a finished one (and the master, written once) never does.
    'cache-control': ended || master ? 'public, max-age=3600' : 'no-cache',
  });
  deps.onServed?.('playlist', sent);
}

async function serveSegment(
  req: IncomingMessage,
  res: ServerResponse,
  handle: StreamHandle,
  name: string,
  deps: HlsDeps,
  pool: ChunkPool,
): Promise<void> {
  const initOf = parseInitName(name);
  const init = initOf !== undefined;
  const segment = parseSegmentName(name);
  const index = segment?.index ?? null;
  const fmp4 = init || name.endsWith('.m4s');
  const wrongContainer = handle.container !== null && (handle.container === 'fmp4') !== fmp4;
  const variant = init ? initOf : (segment?.variant ?? null);
  if ((index === null && !init) || wrongContainer || noSuchVariant(handle, variant)) {
    sendError(res, 404, 'SEGMENT_NOT_FOUND', 'no such file in this stream');
    return;
  }
  const file = path.join(handle.dir, name);
  const beyondEnd = index !== null && handle.segmentCount !== null && index >= handle.segmentCount;
  if (beyondEnd && statFile(file) === null) {
    sendError(res, 404, 'SEGMENT_NOT_FOUND', `segment ${index} is past the end of the stream`);
    return;
  }
  // Every request counts (throttling follows viewers); one for a segment nothing is making starts a head there.
  if (index !== null) handle.request(index);
  const info = await awaitFile(res, handle, name, deps);
  if (info === null) {
    if (res.destroyed) return;
    sendError(res, 404, 'SEGMENT_NOT_FOUND', `${name} is not available`);
    return;
  }
  const headers = fmp4 ? MP4_HEADERS : SEGMENT_HEADERS;
  // From here on the client only has to read: a socket whose writes make no progress for stallMs is destroyed,
  // which frees its buffer (a TV gone from Wi-Fi mid-segment would otherwise hold it for the kernel's ~15 minutes).
  // Node's socket timeout counts a change in the write queue since its last check as progress, and the kernel taking
  // part of a write as it is made reads as such a change: the first check after a write never fires. Checking every
  // stallMs / 2 therefore cuts a stalled socket between stallMs / 2 and stallMs after its last progress, never later.
  res.setTimeout(Math.ceil(deps.stallMs / 2), () => res.destroy());
  try {
    let sent: number;
    if (deps.cache.admits(info.size)) {
      const cached = await deps.cache.get(file, info);
      sent = sendBuffer(req, res, cached.body, fileEtag(cached.identity), headers);
    } else {
      sent = await sendFromDisk(req, res, file, headers, pool, deps.bufferWaitMs ?? BUFFER_WAIT_MS);
    }
    deps.onServed?.('segment', sent);
  } catch {
    if (!res.headersSent) sendError(res, 404, 'SEGMENT_NOT_FOUND', `${name} was removed`);
  }
}

// Subtitle segments are composed from the extracted cues on request: small text, nothing to cache.
const VTT_HEADERS = { 'content-type': 'text/vtt; charset=utf-8', 'cache-control': 'no-cache' } as const;

/** s{j}.m3u8 and s{j}-{k}.vtt: a job's WebVTT subtitle renditions. */
async function serveSubtitle(
  req: IncomingMessage,
  res: ServerResponse,
  handle: StreamHandle,
  file: { readonly track: number; readonly segment: number | null },
): Promise<void> {
  const gone = new AbortController();
  const onClose = (): void => {
    gone.abort();
  };
  res.once('close', onClose);
  try {
    const body =
      file.segment === null
        ? await handle.subtitlePlaylist(file.track)
        : await handle.subtitleSegment(file.track, file.segment, gone.signal);
    if (res.destroyed) return;
    if (body === null) {
      sendError(res, 404, 'SEGMENT_NOT_FOUND', 'no such subtitle file in this stream');
      return;
    }
    const buffer = Buffer.from(body, 'utf8');
    const headers =
      file.segment === null
        ? { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'public, max-age=3600' }
        : VTT_HEADERS;
    sendBuffer(req, res, buffer, `"${createHash('sha1').update(buffer).digest('base64url')}"`, headers);
  } finally {
    res.off('close', onClose);
  }
}

/** Handles /streams/... requests; returns false for any other URL (the API server takes those). */
export function createHlsHandler(deps: HlsDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const pool = new ChunkPool(DISK_CHUNKS);
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
    const handle = JOB_ID_RE.test(id) ? deps.stream(id) : null;
    if (handle === null) {
      sendError(res, 404, 'STREAM_NOT_FOUND', 'no stream with this id');
      return true;
    }
    followStream(handle, deps.cache);
    const subtitle = subtitleFile(name);
    const served =
      subtitle !== null
        ? serveSubtitle(req, res, handle, subtitle)
        : isPlaylist(name)
          ? servePlaylist(req, res, handle, name, deps)
          : serveSegment(req, res, handle, name, deps, pool);
    served.catch(() => {
      if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'could not serve the stream');
      else res.destroy();
    });
    return true;
  };
}
