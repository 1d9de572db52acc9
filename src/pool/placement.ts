// Pure: which live worker should take a job, and why. The rule of issue 17, over heartbeat payloads and plain values:
//   1. eligible: ready, a free slot, done probing, a usable encoder for every encoded output (a copy needs none);
//      an HDR source with SDR output will also need a tone-mapping path (skipped until the profile reports one);
//   2. predicted speed: the encoder the worker's `auto` picks, its measured speeds interpolated by output pixels
//      (a copy is nearly free), scaled by frame rate, times the worker's free share of capacity;
//   3. among workers predicted to keep REAL_TIME, the slowest (the fastest stay free for heavy jobs); else workers
//      whose speed is not measured yet; else the fastest, and the answer says it will not keep real time.
import type { EncoderState, WorkerState } from '../contract/heartbeat.js';

/** A worker must be predicted this many times real time to be counted as keeping up (margin for seeks, other load). */
export const REAL_TIME = 1.2;
/** What a copy (remux) is predicted at: bounded by disk and network, far above any encode. */
export const COPY_SPEED = 50;
/** The frame rate and output sizes the workers' speed figures were measured at (src/hardware/speed.ts). */
const MEASURED_FPS = 30;
const MEASURED_PIXELS = { '720p': 1280 * 720, '1080p': 1920 * 1080 } as const;

export type OutputCodec = 'h264' | 'hevc' | 'av1' | 'copy';

/** What placement knows of the source; every field may be unknown. */
export interface SourceFacts {
  readonly codec?: string;
  readonly width?: number;
  readonly height?: number;
  readonly frameRate?: number;
  readonly hdr?: boolean;
  readonly interlaced?: boolean;
}

/** A job's needs: its source and each output it encodes (one for a plain job, one per variant for a ladder). */
export interface JobNeeds {
  readonly source: SourceFacts;
  readonly outputs: readonly { readonly codec: OutputCodec; readonly height?: number }[];
  /** Tone mapping wanted (HDR source, SDR output): a criterion once the profile reports tone-mapping paths. */
  readonly sdrOutput?: boolean;
}

export type ExclusionReason = 'draining' | 'busy' | 'full' | 'probing' | 'no_encoder';

export interface Exclusion {
  readonly workerId: string;
  readonly name: string;
  readonly reason: ExclusionReason;
  readonly detail: string;
}

export interface Candidate {
  readonly workerId: string;
  readonly name: string;
  readonly url: string;
  /** The encoder per output, as the worker's `auto` picks it ("copy" for a copy). */
  readonly encoders: readonly string[];
  /** Whether any output runs on a hardware encoder. */
  readonly hardware: boolean;
  /** Predicted speed of the whole job on an idle worker; null when an encoder's speed is not measured yet. */
  readonly predictedSpeed: number | null;
  /** Slots free before this job (jobs.max − jobs.load), and as a share of jobs.max. */
  readonly freeSlots: number;
  readonly freeShare: number;
  /** predictedSpeed × freeShare: what ranks workers. */
  readonly effectiveSpeed: number | null;
  /** true/false against REAL_TIME; null when not predicted. */
  readonly keepsRealTime: boolean | null;
}

export interface Placement {
  /** The first candidate, or null when no live worker can take the job. */
  readonly chosen: Candidate | null;
  /** Every eligible worker in order of preference: the next ones are for retries. */
  readonly candidates: readonly Candidate[];
  readonly excluded: readonly Exclusion[];
  /** For humans: why this worker, or why none. */
  readonly reason: string;
}

/** Pure: interpolates a measured speed to `pixels` (throughput, speed × pixels, linear between the two figures). */
export function interpolateSpeed(speed: EncoderState['speed'], pixels: number): number | null {
  const points = (['720p', '1080p'] as const)
    .map((k) => ({ px: MEASURED_PIXELS[k], s: speed?.[k] }))
    .filter((p): p is { px: number; s: number } => p.s !== undefined);
  const [low, high] = points;
  if (low === undefined) return null;
  const throughput = (p: { px: number; s: number }): number => p.s * p.px;
  let t: number;
  if (high === undefined || pixels <= low.px) t = throughput(low);
  else if (pixels >= high.px) t = throughput(high);
  else {
    const f = (pixels - low.px) / (high.px - low.px);
    t = throughput(low) + f * (throughput(high) - throughput(low));
  }
  return t / pixels;
}

/**
 * The encoder a worker's `video.hardware: auto` takes for a codec: the usable one measured fastest at 1080p, then at
 * 720p, hardware first on ties. Mirrors fastestFirst in src/hardware/profiler.ts, which the pool does not load.
 */
export function autoEncoder(encoders: readonly EncoderState[], codec: string): EncoderState | null {
  const rank = (c: EncoderState): number[] => [
    c.speed?.['1080p'] ?? -1,
    c.speed?.['720p'] ?? -1,
    c.accelerator === null ? 0 : 1,
  ];
  let best: EncoderState | null = null;
  for (const c of encoders) {
    if (!c.usable || c.codec !== codec) continue;
    if (best === null) {
      best = c;
      continue;
    }
    const [a, b] = [rank(c), rank(best)];
    const i = a.findIndex((v, k) => v !== b[k]);
    if (i >= 0 && (a[i] ?? 0) > (b[i] ?? 0)) best = c;
  }
  return best;
}

/** Output size in pixels: the height asked (else the source's, else 1080), the source's aspect (else 16:9). */
function outputPixels(source: SourceFacts, height: number | undefined): number {
  const h = height ?? source.height ?? 1080;
  const aspect =
    source.width !== undefined && source.height !== undefined && source.height > 0
      ? source.width / source.height
      : 16 / 9;
  return Math.max(1, Math.round(h * aspect)) * h;
}

type Judged = { readonly candidate: Candidate } | { readonly exclusion: Exclusion };

/** Rule 1 and 2 for one worker. */
function judge(w: WorkerState, needs: JobNeeds): Judged {
  const out = (reason: ExclusionReason, detail: string): Judged => ({
    exclusion: { workerId: w.workerId, name: w.name, reason, detail },
  });
  if (w.status === 'draining') return out('draining', 'draining: shutting down');
  if (w.status === 'busy') return out('busy', `busy: ${w.statusReason ?? 'no reason given'}`);
  if (w.jobs.load >= w.jobs.max) return out('full', `full: load ${w.jobs.load} of ${w.jobs.max}`);
  if (w.hardware.probing) return out('probing', 'still testing its encoders');
  // Tone mapping (needs.sdrOutput with an HDR source): no profile reports a path yet, so no worker is excluded here.
  const fps = needs.source.frameRate ?? MEASURED_FPS;
  const encoders: string[] = [];
  let hardware = false;
  // One decode feeds every output: the job's time per media second is the sum of each output's.
  let secondsPerSecond = 0;
  let measured = true;
  for (const o of needs.outputs) {
    if (o.codec === 'copy') {
      encoders.push('copy');
      secondsPerSecond += 1 / COPY_SPEED;
      continue;
    }
    const e = autoEncoder(w.hardware.encoders, o.codec);
    if (e === null) return out('no_encoder', `no usable ${o.codec} encoder`);
    encoders.push(e.name);
    if (e.accelerator !== null) hardware = true;
    const s = interpolateSpeed(e.speed, outputPixels(needs.source, o.height));
    if (s === null) measured = false;
    else secondsPerSecond += fps / MEASURED_FPS / s;
  }
  const predictedSpeed = measured ? round2(1 / Math.max(secondsPerSecond, 1e-9)) : null;
  const freeShare = (w.jobs.max - w.jobs.load) / w.jobs.max;
  const effectiveSpeed = predictedSpeed === null ? null : round2(predictedSpeed * freeShare);
  return {
    candidate: {
      workerId: w.workerId,
      name: w.name,
      url: w.url,
      encoders,
      hardware,
      predictedSpeed,
      freeSlots: w.jobs.max - w.jobs.load,
      freeShare,
      effectiveSpeed,
      keepsRealTime: effectiveSpeed === null ? null : effectiveSpeed >= REAL_TIME,
    },
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

const TIER = (c: Candidate): number => (c.keepsRealTime === true ? 0 : c.keepsRealTime === null ? 1 : 2);

/**
 * Rule 3's order: real time slowest first, then unmeasured (hardware first), then the rest fastest first. A job that
 * only copies costs a slot, not speed: among real-time workers it goes where most slots are free.
 */
function compare(a: Candidate, b: Candidate, copyOnly: boolean): number {
  const tier = TIER(a) - TIER(b);
  if (tier !== 0) return tier;
  const ea = a.effectiveSpeed ?? 0;
  const eb = b.effectiveSpeed ?? 0;
  const bySpeed = TIER(a) === 0 ? (copyOnly ? 0 : ea - eb) : TIER(a) === 2 ? eb - ea : 0;
  if (bySpeed !== 0) return bySpeed;
  if (copyOnly && a.freeSlots !== b.freeSlots) return b.freeSlots - a.freeSlots;
  if (TIER(a) === 1 && a.hardware !== b.hardware) return a.hardware ? -1 : 1;
  if (a.freeShare !== b.freeShare) return b.freeShare - a.freeShare;
  return a.workerId < b.workerId ? -1 : a.workerId > b.workerId ? 1 : 0;
}

function describe(c: Candidate, others: number): string {
  const what = `${c.name}: ${c.encoders.join(' + ')}`;
  const free = `free share ${Math.round(c.freeShare * 100)}%`;
  if (c.keepsRealTime === null) return `${what}, speed not measured yet (${free})`;
  const predicted = `predicted ${String(c.effectiveSpeed)}× real time (${String(c.predictedSpeed)}× idle, ${free})`;
  if (c.keepsRealTime)
    return others > 0
      ? `${what} ${predicted}: the slowest of ${others + 1} workers keeping ≥${REAL_TIME}×, so faster ones stay free`
      : `${what} ${predicted}: keeps ≥${REAL_TIME}× real time`;
  return `${what} ${predicted}: no worker keeps ${REAL_TIME}× real time; this is the fastest, it will not keep up`;
}

/** Pure: places a job on one of `workers` (their latest beats). */
export function place(workers: readonly WorkerState[], needs: JobNeeds): Placement {
  const candidates: Candidate[] = [];
  const excluded: Exclusion[] = [];
  for (const w of workers) {
    const j = judge(w, needs);
    if ('candidate' in j) candidates.push(j.candidate);
    else excluded.push(j.exclusion);
  }
  const copyOnly = needs.outputs.every((o) => o.codec === 'copy');
  candidates.sort((a, b) => compare(a, b, copyOnly));
  const chosen = candidates[0] ?? null;
  if (chosen === null) {
    const why = excluded.map((e) => `${e.name}: ${e.detail}`).join('; ');
    return {
      chosen,
      candidates,
      excluded,
      reason: workers.length === 0 ? 'no live worker' : `no worker can take the job (${why})`,
    };
  }
  const sameTier = candidates.filter((c) => TIER(c) === TIER(chosen)).length - 1;
  const reason = copyOnly
    ? `${chosen.name}: copy, nearly free; the most free slots (${chosen.freeSlots})`
    : describe(chosen, sameTier);
  return { chosen, candidates, excluded, reason };
}
