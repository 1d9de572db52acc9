// What the API answers about a job besides its record: the stream URLs, FFmpeg's reasons naming the input as posted
// (never the NAS path), and how long POST /jobs waits to name an ABR job's variants.
import { setTimeout as delay } from 'node:timers/promises';
import { MASTER_NAME, PLAYLIST_NAME } from '../hls/stream-folder.js';
import { publicReason, type InputNames } from './job-failure.js';
import type { JobView } from '../contract/job-view.js';
import type { JobRequest } from '../contract/job-request.js';

/** How long POST /jobs of an ABR job waits for the probe, to answer with its variants (a slow NAS: no answer). */
export const PLAN_WAIT_MS = 5_000;

/** Waits for a promise at most `ms`; the timer does not outlive the wait. */
export async function settledWithin(p: Promise<void>, ms: number): Promise<void> {
  const timer = new AbortController();
  try {
    await Promise.race([p, delay(ms, undefined, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}

/** The URL of a file of a job's stream folder, under the worker's advertised base URL. */
export function streamUrl(base: string, id: string, name: string): string {
  return `${base}/streams/${id}/${name}`;
}

/** An ABR job's master playlist, any other job's media playlist. */
export function playlistUrl(base: string, id: string, request?: JobRequest): string {
  return streamUrl(base, id, request?.variants === undefined ? PLAYLIST_NAME : MASTER_NAME);
}

/** The view with its error and fallback reason naming the input as posted; as it is without `names` (a lost job). */
export function publicView(view: JobView, names: InputNames | undefined): JobView {
  if (names === undefined) return view;
  // FFmpeg's reasons name the file it opened: the view names the input as posted.
  return {
    ...view,
    ...(view.error === undefined ? {} : { error: publicReason(view.error, names) }),
    ...(view.fallback === undefined
      ? {}
      : { fallback: { ...view.fallback, reason: publicReason(view.fallback.reason, names) } }),
  };
}
