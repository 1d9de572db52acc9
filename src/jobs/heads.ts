// Pure decisions about a job's encoder heads: FFmpeg runs that each start at some segment and go forward. Which
// head will bring a requested segment, when a seek starts a new one, when a head stops (it reached work that is
// done, or nobody watches near it) and when it pauses (too far ahead of its viewers).

/** What the decisions need to know of one head. */
export interface HeadState {
  readonly id: number;
  /** First segment it writes. */
  readonly start: number;
  /** The segment it is writing now (the next to complete). */
  readonly next: number;
  readonly throttled: boolean;
  /** ms timestamp it started (idle stops count from here when nobody fetched near it). */
  readonly startedAt: number;
}

export interface HeadPolicy {
  /** A request more than this many segments ahead of a head starts a new one (seek.ahead_segments). */
  readonly aheadSegments: number;
  /** Heads at once per job (seek.max_heads). */
  readonly maxHeads: number;
  /** A head nobody fetched near for this long stops (seek.idle_seconds), ms; 0 never. */
  readonly idleMs: number;
  /** Pause a head this much media ahead of its furthest viewer (throttle.ahead_seconds), s; 0 never. */
  readonly throttleAheadSeconds: number;
  readonly segmentSeconds: number;
}

export type SeekDecision =
  | { readonly action: 'wait'; readonly head: number | null }
  | { readonly action: 'start'; readonly at: number; readonly replace: number | null };

/** The head that will write segment k soon: it started at or before k and is at most `aheadSegments` behind it. */
export function coveringHead(
  heads: readonly HeadState[],
  k: number,
  aheadSegments: number,
): HeadState | null {
  let best: HeadState | null = null;
  for (const h of heads) {
    if (h.start > k || h.next > k || k - h.next > aheadSegments) continue;
    if (best === null || h.next > best.next) best = h;
  }
  return best;
}

/**
 * A viewer asked for segment k, which is not done. Wait for a head that will reach it soon; else start a head at k,
 * replacing (when the cap is reached) the head whose viewers were seen longest ago.
 */
export function decideSeek(
  heads: readonly HeadState[],
  k: number,
  policy: HeadPolicy,
  lastFetchNear: (head: HeadState) => number,
): SeekDecision {
  const covering = coveringHead(heads, k, policy.aheadSegments);
  if (covering !== null) return { action: 'wait', head: covering.id };
  if (heads.length < policy.maxHeads) return { action: 'start', at: k, replace: null };
  let victim: HeadState | null = null;
  for (const h of heads) {
    if (victim === null || lastFetchNear(h) < lastFetchNear(victim)) victim = h;
  }
  return { action: 'start', at: k, replace: victim?.id ?? null };
}

/**
 * After a head completed a segment: stop it when the segment it is writing now is done already, or another head
 * writes it or started there (never two heads on one segment).
 */
export function reachedOtherWork(
  head: HeadState,
  heads: readonly HeadState[],
  isDone: (index: number) => boolean,
): boolean {
  if (isDone(head.next)) return true;
  return heads.some(
    (other) =>
      other.id !== head.id && other.start <= head.next && other.next >= head.next && other.start > head.start,
  );
}

/** Pause or resume a head for its viewers' position; null leaves it as it is. */
export function throttleDecision(
  head: HeadState,
  furthestFetched: number | null,
  policy: HeadPolicy,
): 'pause' | 'resume' | null {
  if (policy.throttleAheadSeconds <= 0) return head.throttled ? 'resume' : null;
  // Nobody fetched from this head's range yet: measure from where it started (a viewer asked for that segment).
  const viewer = furthestFetched ?? head.start;
  const aheadSeconds = (head.next - viewer) * policy.segmentSeconds;
  if (!head.throttled && aheadSeconds > policy.throttleAheadSeconds) return 'pause';
  if (head.throttled && aheadSeconds <= policy.throttleAheadSeconds / 2) return 'resume';
  return null;
}

/** The window around a head in which a fetch counts as watching it: ahead_segments × 4 on either side. */
export function nearWindow(head: HeadState, policy: HeadPolicy): { from: number; to: number } {
  const span = policy.aheadSegments * 4;
  return { from: Math.max(head.start, head.next - span), to: head.next + span };
}

/** Heads nobody fetched near for idleMs. */
export function idleHeads(
  heads: readonly HeadState[],
  policy: HeadPolicy,
  now: number,
  lastFetchNear: (head: HeadState) => number,
): number[] {
  if (policy.idleMs <= 0) return [];
  return heads.filter((h) => now - Math.max(h.startedAt, lastFetchNear(h)) >= policy.idleMs).map((h) => h.id);
}

/** The time of segment k's first frame for a constant frame rate: the cut the encoder forces at k × segmentSeconds. */
export function firstFrameSeconds(
  k: number,
  segmentSeconds: number,
  fps: number,
  videoStartSeconds: number,
): number {
  const cut = k * segmentSeconds;
  if (cut <= videoStartSeconds || fps <= 0) return Math.max(cut, videoStartSeconds);
  // The first frame at or after the cut (a microsecond of slack for float rates like 24000/1001).
  const frames = Math.ceil((cut - videoStartSeconds) * fps - 1e-6);
  return videoStartSeconds + frames / fps;
}

/** The VOD playlist's durations: n × segmentSeconds, the last one the remainder. */
export function vodDurations(durationSeconds: number, segmentSeconds: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(i < count - 1 ? segmentSeconds : durationSeconds - segmentSeconds * (count - 1));
  }
  return out;
}
