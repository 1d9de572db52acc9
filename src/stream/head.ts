// One encoder head (an FFmpeg run that starts at some segment), what the job view shows of it, and its pauses: a
// head is paused (SIGSTOP) while throttled, held for a seek head, or parked, and runs again only once none holds.
import type { HlsJobPlan } from '../ffmpeg/hls-args.js';
import type { FfmpegRun } from '../ffmpeg/process.js';
import type { VariantId } from '../hls/stream-folder.js';
import type { EncoderChoice } from './encoder-choice.js';
import type { HeadState } from './heads.js';

export interface Head extends HeadState {
  next: number;
  throttled: boolean;
  readonly run: FfmpegRun;
  /** The encoder shown for it (an ABR head's first encode's). */
  readonly encoder: EncoderChoice;
  /** Hardware encoders it runs: if it fails, the job goes on in software. */
  readonly hardware: readonly string[];
  /** Encodes it runs (an ABR head: one per transcoded variant; a copy counts as one): what it costs the machine. */
  readonly cost: number;
  /** Source time of its first frame when it starts past 0: what its fMP4 decode times lack (FFmpeg starts at 0). */
  readonly shift: number;
  /** Its fMP4 init segment's generation (initName): a new one after a hardware encoder failed mid-stream. */
  readonly generation: number;
  /** Its tracks' timescales per variant, read from its init segment when its first fMP4 segment is done. */
  readonly timescales: Map<VariantId, ReadonlyMap<number, number>>;
  /** Set when the worker stops it on purpose (reached made segments, idle, replaced, job ended). */
  stopping: string | null;
  /** Furthest segment a viewer fetched within this head's range (for throttling). */
  furthest: number | null;
  /** Last fetch within its near window (ms). */
  lastNear: number;
  /** Last request for a segment it made or will reach soon (ms): it is not replaced for protectMs after. */
  lastFetched: number;
  /** Paused while a new seek head makes its first segment (the viewer waits for that one). */
  held: boolean;
  /** Paused because its job is parked (a stream that cannot start a head mid-film). */
  parked: boolean;
  /** Heads this one holds paused until its first segment is out. */
  holding: number[];
}

/** What GET /jobs/{id} shows of a head. */
export interface HeadView {
  readonly start: number;
  readonly next: number;
  readonly throttled: boolean;
  readonly encoder: string;
  readonly pid: number;
  readonly cost: number;
}

/** A head just started: what it runs (from its FFmpeg plan), what that costs, where its files sit on the timeline. */
export function newHead(spec: {
  readonly id: number;
  readonly at: number;
  readonly run: FfmpegRun;
  readonly plan: HlsJobPlan;
  /** Whether the one quality of a job without a ladder is a copy. */
  readonly copy: boolean;
  /** The encoder shown for it. */
  readonly encoder: EncoderChoice;
  readonly generation: number;
  readonly now: number;
}): Head {
  const { plan, at, now } = spec;
  const encodes = (plan.variants ?? [{ copy: spec.copy, settings: plan.video }]).filter((v) => !v.copy);
  return {
    id: spec.id,
    start: at,
    next: at,
    throttled: false,
    startedAt: now,
    run: spec.run,
    encoder: spec.encoder,
    hardware: [
      ...new Set(encodes.filter((v) => v.settings.accelerator !== null).map((v) => v.settings.encoder)),
    ],
    cost: Math.max(1, encodes.length),
    shift: at > 0 ? plan.firstFrameSeconds : 0,
    generation: spec.generation,
    timescales: new Map(),
    stopping: null,
    furthest: null,
    lastNear: now,
    lastFetched: now,
    held: false,
    parked: false,
    holding: [],
  };
}

/** What the job view shows of a head. */
export function viewOfHead(h: Head): HeadView {
  return {
    start: h.start,
    next: h.next,
    // A parked job's paused head is paused like a throttled one: it costs no CPU.
    throttled: h.throttled || h.parked,
    encoder: h.encoder.name,
    pid: h.run.pid,
    cost: h.cost,
  };
}

/**
 * A viewer waits for the seek head's first segment: the job's other heads pause (SIGSTOP) until it is out, so on
 * a small machine the seek gets every core instead of sharing them with a head nobody is waiting on right now.
 */
export function holdOthers(seekHead: Head, heads: Iterable<Head>): void {
  for (const other of heads) {
    if (other.id === seekHead.id || other.stopping !== null || other.held) continue;
    other.held = true;
    if (!other.throttled) other.run.signalGroup('SIGSTOP');
    seekHead.holding.push(other.id);
  }
}

/** The seek head's first segment is out (or it ended): the heads it held go on, unless throttled. */
export function releaseHeld(seekHead: Head, heads: ReadonlyMap<number, Head>): void {
  for (const id of seekHead.holding.splice(0)) {
    const other = heads.get(id);
    if (other === undefined || !other.held) continue;
    other.held = false;
    if (!other.throttled && other.stopping === null) other.run.signalGroup('SIGCONT');
  }
}

/** Nobody watches a stream that cannot start a head mid-film: its heads pause until a viewer is back. */
export function parkHeads(heads: Iterable<Head>): void {
  for (const h of heads) {
    if (h.stopping !== null || h.parked) continue;
    h.parked = true;
    if (!h.throttled && !h.held) h.run.signalGroup('SIGSTOP');
  }
}

/** A viewer is back: parked heads go on, unless throttled or held. */
export function unparkHeads(heads: Iterable<Head>): void {
  for (const h of heads) {
    if (!h.parked) continue;
    h.parked = false;
    if (!h.throttled && !h.held && h.stopping === null) h.run.signalGroup('SIGCONT');
  }
}
