// Pure decisions about a job's encoder heads: FFmpeg runs that each start at some segment and go forward. Which
// head will bring a requested segment, when a seek starts a new one (and when it must wait: head starts are
// rationed, and a head a viewer fetches from is never replaced), when a head stops (it reached work that is done, or
// nobody watches near it) and when it pauses (too far ahead of its viewers).

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

/** When a head was last wanted: a viewer fetched (or waits for) a segment it made or will reach soon. */
export interface HeadWatch {
  /** Last request within its near window (ahead_segments × 4 either side): idle stops. */
  readonly lastNear: number;
  /** Last request for a segment from its start to `ahead_segments` past where it writes: it may not be replaced. */
  readonly lastFetched: number;
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
  /** Seek heads a job may start in a row; beyond that one per segment's worth of time (see nextSeekStart). */
  readonly seekBurst: number;
  /** A head a viewer fetched from (or that started) this recently is never replaced by a seek, ms. */
  readonly protectMs: number;
}

/** The seek rationing of a policy: `seekBurst` starts at once, then one per segment's worth of time; protection for a
 * few seconds and at least two segments (a playing viewer fetches about one per segment). */
export function seekRationing(segmentSeconds: number): Pick<HeadPolicy, 'seekBurst' | 'protectMs'> {
  return { seekBurst: 2, protectMs: Math.max(5000, 2 * segmentSeconds * 1000) };
}

export type SeekDecision =
  | { readonly action: 'wait'; readonly head: number }
  | { readonly action: 'start'; readonly at: number; readonly replace: number | null }
  /** No head may start for it now (too many starts lately, or every head is watched): ask again at `until` (ms). */
  | { readonly action: 'defer'; readonly until: number };

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
 * When the next seek head may start (ms): at most `seekBurst` starts within any `seekBurst` segments' worth of time,
 * so a scrubbing viewer or a hostile loop starts at most seekBurst + t / segmentSeconds heads in t seconds.
 * `starts`: the job's seek starts so far (ms, any order); only the last seekBurst matter.
 */
export function nextSeekStart(starts: readonly number[], now: number, policy: HeadPolicy): number {
  const window = policy.seekBurst * policy.segmentSeconds * 1000;
  const recent = starts.filter((t) => now - t < window).sort((a, b) => a - b);
  if (recent.length < policy.seekBurst) return now;
  // The oldest start within the window leaves it first: then one fewer than seekBurst remain.
  return (recent[recent.length - policy.seekBurst] ?? now) + window;
}

/** Until when (ms) a head may not be replaced: `protectMs` after its start or the last fetch from it. */
export function protectedUntil(head: HeadState, watch: HeadWatch, policy: HeadPolicy): number {
  return Math.max(head.startedAt, watch.lastFetched) + policy.protectMs;
}

/**
 * A viewer asked for segment k, which is not done. Wait for a head that will reach it soon; else start a head at k
 * if the job's start ration allows, replacing (when the cap is reached) the head whose viewers were seen longest ago
 * among those nobody fetched from within protectMs. When no head may start now: defer to the moment one may.
 */
export function decideSeek(
  heads: readonly HeadState[],
  k: number,
  policy: HeadPolicy,
  now: number,
  seekStarts: readonly number[],
  watchOf: (head: HeadState) => HeadWatch,
): SeekDecision {
  const covering = coveringHead(heads, k, policy.aheadSegments);
  if (covering !== null) return { action: 'wait', head: covering.id };
  const allowed = nextSeekStart(seekStarts, now, policy);
  if (allowed > now) return { action: 'defer', until: allowed };
  if (heads.length < policy.maxHeads) return { action: 'start', at: k, replace: null };
  let victim: HeadState | null = null;
  let freed = Infinity;
  for (const h of heads) {
    const until = protectedUntil(h, watchOf(h), policy);
    if (until > now) {
      freed = Math.min(freed, until);
      continue;
    }
    if (victim === null || watchOf(h).lastNear < watchOf(victim).lastNear) victim = h;
  }
  if (victim === null) return { action: 'defer', until: freed };
  return { action: 'start', at: k, replace: victim.id };
}

/** Whether a request for segment k counts as fetching from a head (it made k or will reach it soon). */
export function fetchesFrom(head: HeadState, k: number, aheadSegments: number): boolean {
  return k >= head.start && k <= head.next + aheadSegments;
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

/** A segment a viewer asked for that no head could start for at the time (a deferred seek). */
export interface DeferredSeek {
  readonly index: number;
  /** ms of the latest request for it. */
  readonly askedAt: number;
}

/**
 * Deferred seeks still worth a head, newest request first (the viewer's latest position: a scrubbing viewer wants
 * where it stopped); one asked more than `waitMs` ago was answered 404 already and is dropped.
 */
export function deferredToTry(
  deferred: readonly DeferredSeek[],
  now: number,
  waitMs: number,
): DeferredSeek[] {
  return deferred
    .filter((d) => now - d.askedAt < waitMs)
    .sort((a, b) => b.askedAt - a.askedAt || a.index - b.index);
}
