// One job's stream made by encoder heads: FFmpeg runs that each start at some segment. Segment k is requested →
// a head that will reach it soon is waited for, else one starts at k (a seek). Each head writes its own files
// (hN-K.ts); a finished one is hard-linked to its public name seg-K.ts, which fails if another head made it
// first, so no two heads ever write one file. Heads stop when they reach made segments or nobody watches near them,
// and pause (SIGSTOP) when they run too far ahead of their viewers. Seek starts are rationed per job and never
// replace a head a viewer fetches from: a seek that may not start now is deferred, not refused.
import { linkSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  headPlaylistId,
  headPlaylistName,
  headInitName,
  headSegment,
  headSegmentPattern,
  initName,
  mediaPlaylistName,
  segmentName,
  type Container,
  type VariantId,
} from '../hls/stream-folder.js';
import { buildHlsArgs } from '../ffmpeg/hls-args.js';
import type { FfmpegExit, FfmpegRun } from '../ffmpeg/process.js';
import { StreamPlaylistFile } from '../hls/stream-playlist-file.js';
import {
  composeEventPlaylist,
  composeVodPlaylist,
  isWholeSegment,
  parseHeadPlaylist,
  type ListedSegment,
  type MadeSegment,
} from '../hls/stream-playlist.js';
import { copyDurations } from '../media/keyframe-index.js';
import type { OutputCodec } from '../media/video-mode.js';
import type { SubtitleRendition } from '../hls/subtitle-playlist.js';
import { softwareEncoder, type EncoderChoice } from './encoder-choice.js';
import { endedEarlyReason, exitReason } from './head-exit.js';
import type { StreamDeps, StreamJob, StreamReport } from './ports.js';
import {
  decideSeek,
  fetchesFrom,
  nearWindow,
  reachedOtherWork,
  throttleDecision,
  idleHeads,
  type HeadPolicy,
  type HeadState,
} from './heads.js';
import { headPolicy, type StreamPlan } from './plan.js';
import { planHead } from './head-plan.js';
import { readTimescales, shiftSegmentFile } from './fmp4-publish.js';
import { moveInitEdits } from '../hls/fmp4-shift.js';
import { StreamMaster } from './stream-master.js';
import { BackgroundTasks } from './background-tasks.js';
import { DeferredSeeks } from './deferred-seeks.js';

interface Head extends HeadState {
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

export type StreamEnd =
  | { readonly status: 'completed' }
  | { readonly status: 'failed'; readonly reason: string }
  | { readonly status: 'cancelled' };

export class HeadStream {
  readonly #job: StreamJob;
  readonly #report: StreamReport;
  /** How the stream is made, decided once. */
  readonly #plan: StreamPlan;
  readonly #deps: StreamDeps;
  /** The encoder new heads run: the job's first choice, software after a hardware failure. */
  #encoder: EncoderChoice;
  readonly #policy: HeadPolicy;
  /** Segments the film has; null when the source's duration is unknown (then: event playlist, one head). */
  #count: number | null;
  #vod: boolean;
  /** The VOD playlist's durations; null until known (a copy's keyframe index) or without a VOD playlist. */
  #vodList: readonly number[] | null;
  readonly #keyframes: Promise<readonly number[] | null> | null;
  /** How many variants' files of each segment index are published; the index is made once all are. */
  readonly #published = new Map<number, number>();
  /** fMP4 init segments published, as "generation/variant". */
  readonly #inits = new Set<string>();
  /** The init generation new heads get. */
  #generation = 0;
  #softwareOnly = false;
  readonly #durations: Promise<readonly number[] | null>;
  #durationsKnown: (durations: readonly number[] | null) => void = () => undefined;
  readonly #made = new Map<number, MadeSegment>();
  readonly #heads = new Map<number, Head>();
  #nextHeadId = 0;
  readonly #playlists: ReadonlyMap<VariantId, StreamPlaylistFile>;
  readonly #master: StreamMaster;
  #ended = false;
  #completed = false;
  #resolveEnd: (end: StreamEnd) => void = () => undefined;
  readonly ended: Promise<StreamEnd>;
  #timer: NodeJS.Timeout | null = null;
  /** When each seek head started (ms): the ration of new heads (nextSeekStart). */
  readonly #seekStarts: number[] = [];
  /** Segments asked for that no head could start for yet, and the timer that asks again. */
  readonly #deferred = new DeferredSeeks(() => {
    this.#retryDeferred();
  });
  /** When the job was parked (ms): nobody watched it for jobs.idle_cancel_seconds. Null while watched. */
  #parkedAt: number | null = null;
  /** Owns every piece of background work (exit handling, playlist writes, codec reads): stopAll awaits them. */
  readonly #tasks: BackgroundTasks;

  constructor(
    job: StreamJob,
    report: StreamReport,
    plan: StreamPlan,
    deps: StreamDeps,
    /** A copy's keyframe index, being read: its VOD playlist is written from it. */
    keyframes?: Promise<readonly number[] | null>,
  ) {
    this.#job = job;
    this.#report = report;
    this.#plan = plan;
    this.#deps = deps;
    this.#encoder = job.encoder;
    this.#count = plan.count;
    this.#vod = plan.vod && (!plan.copyCuts || keyframes !== undefined);
    this.#vodList = plan.vodDurations;
    // A copy is cut at the source's own keyframes: its VOD playlist waits for the keyframe index.
    this.#keyframes = plan.copyCuts && this.#vod ? (keyframes ?? null) : null;
    // (A seek head's fMP4 segments are moved to the film's timeline as they are published: FFmpeg 5.1 starts each
    // run's fragments at decode time 0.)
    this.#policy = headPolicy(plan, deps);
    this.#tasks = new BackgroundTasks(deps.log, { jobId: job.id });
    this.#playlists = new Map(
      this.#plan.renditions.map((variant) => [
        variant,
        new StreamPlaylistFile(job.dir, () => this.#composePlaylist(variant), mediaPlaylistName(variant)),
      ]),
    );
    this.#master = new StreamMaster({
      jobId: job.id,
      dir: job.dir,
      report: (output) => {
        report.output(output);
      },
      source: plan.source,
      container: this.#plan.container,
      segmentSeconds: this.#plan.segmentSeconds,
      renditions: this.#plan.renditions,
      copy: plan.video.copy,
      codecOf: (variant) => this.#codecOf(variant),
      log: deps.log,
    });
    this.#durations = new Promise((resolve) => {
      this.#durationsKnown = resolve;
    });
    if (this.#vodList !== null || !this.#vod) this.#durationsKnown(this.#vodList);
    this.ended = new Promise((resolve) => {
      this.#resolveEnd = resolve;
    });
  }

  get vod(): boolean {
    return this.#vod;
  }

  get container(): Container {
    return this.#plan.container;
  }

  /** The init segment subtitle timing is read from: the first variant's (init.mp4 for one quality). */
  get firstInit(): string {
    return initName(this.#plan.renditions[0] ?? null);
  }

  get count(): number | null {
    return this.#count;
  }

  /** Writes the VOD playlist (at once) and starts the first head at 0. */
  async start(): Promise<void> {
    this.#job.arrivals.onArrival = (name) => {
      this.#onArrival(name);
    };
    // The head first: a request that comes in while the playlist is written must find it (not start a second one).
    this.#startHead(0, this.#encoder);
    if (this.#keyframes !== null)
      this.#tasks.run(
        this.#keyframes.then((k) => this.#indexed(k)),
        'keyframe index',
      );
    else if (this.#vod) await this.#updatePlaylists();
    if (this.#policy.idleMs > 0) {
      this.#timer = setInterval(() => {
        this.#stopIdle();
      }, 1000);
      this.#timer.unref();
    }
  }

  heads(): HeadView[] {
    return [...this.#heads.values()].map((h) => ({
      start: h.start,
      next: h.next,
      // A parked job's paused head is paused like a throttled one: it costs no CPU.
      throttled: h.throttled || h.parked,
      encoder: h.encoder.name,
      pid: h.run.pid,
      cost: h.cost,
    }));
  }

  runs(): FfmpegRun[] {
    return [...this.#heads.values()].map((h) => h.run);
  }

  /** A viewer asked for segment k: note it (throttling, idleness) and make sure a head brings it if needed. */
  request(k: number): void {
    if (this.#ended || k < 0 || (this.#count !== null && k >= this.#count)) return;
    const now = this.#deps.now();
    for (const h of this.#heads.values()) {
      const near = nearWindow(h, this.#policy);
      if (k >= near.from && k <= near.to) h.lastNear = now;
      if (fetchesFrom(h, k, this.#policy.aheadSegments)) h.lastFetched = now;
      if (k >= h.start && k <= h.next) h.furthest = Math.max(h.furthest ?? k, k);
      this.#throttle(h);
    }
    if (this.#made.has(k) || !this.#plan.seeks) return;
    // A parked stream that seeks: the viewer is back past what was made, and a head starts there as a seek does.
    if (this.#parkedAt !== null) this.#unpark();
    if (this.#seek(k, now)) return;
    if (this.#deferred.add(k, now))
      this.#deps.log.info({ jobId: this.#job.id, segment: k }, 'seek deferred: head starts are rationed');
  }

  /** Waits for a covering head or starts one at k; false when the policy defers it (a timer asks again then). */
  #seek(k: number, now: number): boolean {
    const live = [...this.#heads.values()].filter((h) => h.stopping === null);
    const decision = decideSeek(live, k, this.#policy, now, this.#seekStarts, (h) => h as Head);
    if (decision.action === 'wait') return true;
    if (decision.action === 'defer') {
      this.#deferred.retryAt(decision.until);
      return false;
    }
    if (decision.replace !== null)
      this.#tasks.run(this.#stopHead(decision.replace, 'replaced by a seek'), 'stop a head');
    this.#deps.log.info(
      { jobId: this.#job.id, segment: k, replaces: decision.replace },
      'seek: starting a head',
    );
    this.#seekStarts.push(now);
    // Only the last seekBurst starts count towards the ration.
    if (this.#seekStarts.length > this.#policy.seekBurst) this.#seekStarts.shift();
    const seekHead = this.#startHead(decision.at, this.#encoder);
    this.#hold(seekHead);
    return true;
  }

  /**
   * The deferred seeks' moment: the viewer's latest request first gets a head (or finds one that covers it now); the
   * others wait on for the next moment, until made, covered, or older than the segment wait (answered 404 by then).
   */
  #retryDeferred(): void {
    const now = this.#deps.now();
    for (const { index, askedAt } of this.#deferred.take(now, this.#deps.segmentWaitMs)) {
      if (this.#ended || this.#made.has(index)) continue;
      if (!this.#seek(index, now)) this.#deferred.add(index, askedAt);
    }
  }

  /** When the job was parked (ms since epoch), or null. */
  get parkedAt(): number | null {
    return this.#parkedAt;
  }

  /**
   * Nobody watches: stop costing CPU without ending the stream (its made segments and playlist stay). A stream that
   * seeks loses its heads, and a later request for a segment not made starts one there, as a seek does. One that
   * cannot start a head mid-film (a copy cut at the source's keyframes, an event playlist that lists made segments
   * in order) has its head paused (SIGSTOP), continued by the next request to the stream. False when it is not
   * parked: ended, parked already, or a head that cannot be paused on this platform (it runs on to its end).
   */
  async park(): Promise<boolean> {
    if (this.#ended || this.#parkedAt !== null || (!this.#plan.seeks && !this.#deps.canPause)) return false;
    this.#parkedAt = this.#deps.now();
    this.#deferred.clear();
    this.#deps.log.info({ jobId: this.#job.id, heads: this.#heads.size }, 'job parked: nobody watches');
    this.#report.changed();
    if (this.#plan.seeks) {
      await this.stopAll('parked: nobody watches');
      return true;
    }
    for (const h of this.#heads.values()) {
      if (h.stopping !== null || h.parked) continue;
      h.parked = true;
      if (!h.throttled && !h.held) h.run.signalGroup('SIGSTOP');
    }
    return true;
  }

  /** A request to the stream (a playlist or a segment): a stream parked with a paused head goes on. */
  visited(): void {
    if (this.#parkedAt !== null && !this.#plan.seeks) this.#unpark();
  }

  #unpark(): void {
    this.#parkedAt = null;
    for (const h of this.#heads.values()) {
      if (!h.parked) continue;
      h.parked = false;
      if (!h.throttled && !h.held && h.stopping === null) h.run.signalGroup('SIGCONT');
    }
    this.#deps.log.info({ jobId: this.#job.id }, 'job unparked: a viewer is back');
    this.#report.changed();
  }

  /**
   * Stops every head (cancel, failure, shutdown, parking) and waits until each FFmpeg has been reaped and the work
   * their ends started (exit handling, playlist writes) has settled.
   */
  async stopAll(reason: string): Promise<void> {
    await Promise.all([...this.#heads.keys()].map((id) => this.#stopHead(id, reason)));
    await this.#tasks.settled();
  }

  /** The copy's keyframe index is in: its VOD playlist can be written (or, without one, it is listed as made). */
  async #indexed(keyframes: readonly number[] | null): Promise<void> {
    if (this.#vodList !== null || !this.#vod) return;
    if (keyframes === null) {
      this.#vod = false;
      this.#durationsKnown(null);
    } else {
      // Keyframe times count from the first keyframe, where the video starts: the last segment ends at its length.
      this.#vodList = copyDurations(keyframes, this.#plan.segmentSeconds, this.#plan.durationSeconds);
      this.#count = this.#vodList.length;
      const output = this.#master.output;
      if (output !== null) this.#master.setOutput({ ...output, segmentCount: this.#count });
      this.#durationsKnown(this.#vodList);
    }
    await this.#updatePlaylists();
  }

  /**
   * The VOD segment durations once known (at once for a transcode, after the keyframe index for a copy); null for an
   * event playlist. Subtitle renditions are cut to them.
   */
  get durations(): Promise<readonly number[] | null> {
    return this.#durations;
  }

  /** The job's subtitle renditions: the master lists them beside the variant(s). */
  attachSubtitles(renditions: readonly SubtitleRendition[]): void {
    this.#tasks.run(this.#master.attachSubtitles(renditions), 'master playlist');
  }

  #updatePlaylists(): Promise<void> {
    return Promise.all([...this.#playlists.values()].map((p) => p.update())).then(() => undefined);
  }

  #composePlaylist(variant: VariantId): string | null {
    if (this.#vod) {
      if (this.#vodList === null) return null;
      // After a mid-stream fallback: each segment's init, the one it was made with or the one new heads make it with.
      const inits =
        this.#generation === 0
          ? null
          : this.#vodList.map((_, i) => this.#made.get(i)?.init ?? this.#generation);
      return composeVodPlaylist(
        this.#vodList,
        this.#plan.segmentSeconds,
        this.#plan.container,
        variant,
        inits,
      );
    }
    const contiguous: MadeSegment[] = [];
    for (let i = 0; ; i++) {
      const s = this.#made.get(i);
      if (s === undefined || s.duration <= 0) break;
      contiguous.push(s);
    }
    return composeEventPlaylist(contiguous, {
      segmentSeconds: this.#plan.segmentSeconds,
      ended: this.#completed,
      container: this.#plan.container,
      variant,
    });
  }

  #codecOf(variant: VariantId): OutputCodec {
    const v = variant === null ? undefined : this.#plan.layout?.variants[variant];
    return v?.codec ?? this.#plan.video.codec;
  }

  #complete(): boolean {
    return this.#count !== null && this.#made.size >= this.#count;
  }

  /**
   * A viewer waits for the seek head's first segment: the job's other heads pause (SIGSTOP) until it is out, so on
   * a small machine the seek gets every core instead of sharing them with a head nobody is waiting on right now.
   */
  #hold(seekHead: Head): void {
    if (!this.#deps.canPause) return;
    for (const other of this.#heads.values()) {
      if (other.id === seekHead.id || other.stopping !== null || other.held) continue;
      other.held = true;
      if (!other.throttled) other.run.signalGroup('SIGSTOP');
      seekHead.holding.push(other.id);
    }
  }

  /** The seek head's first segment is out (or it ended): the heads it held go on, unless throttled. */
  #release(seekHead: Head): void {
    for (const id of seekHead.holding.splice(0)) {
      const other = this.#heads.get(id);
      if (other === undefined || !other.held) continue;
      other.held = false;
      if (!other.throttled && other.stopping === null) other.run.signalGroup('SIGCONT');
    }
  }

  /** The encoder of a codec in this job: the one chosen at submission, software after a hardware failure. */
  #encoderFor(codec: OutputCodec): EncoderChoice {
    if (this.#softwareOnly) return softwareEncoder(codec);
    return this.#job.encoders.get(codec) ?? softwareEncoder(codec);
  }

  #startHead(at: number, encoder: EncoderChoice): Head {
    const id = this.#nextHeadId++;
    const { plan, output } = planHead(this.#plan, {
      inputPath: this.#job.inputPath,
      outputDir: this.#job.dir,
      encoder,
      encoderFor: (c) => this.#encoderFor(c),
      threads: this.#deps.threads(),
      lowMemory: this.#deps.lowMemory(),
      head: id,
      startSegment: at,
    });
    this.#master.setOutput(output);
    const encodes = (plan.variants ?? [{ copy: this.#plan.video.copy, settings: plan.video }]).filter(
      (v) => !v.copy,
    );
    const hardware = [
      ...new Set(encodes.filter((v) => v.settings.accelerator !== null).map((v) => v.settings.encoder)),
    ];
    const run = this.#deps.startHead(buildHlsArgs(plan), (p) => {
      this.#report.speed(p.speed);
      // A progress block is a cheap moment to catch a file event that inotify may have coalesced.
      this.#job.arrivals.recheck();
    });
    const head: Head = {
      id,
      start: at,
      next: at,
      throttled: false,
      startedAt: this.#deps.now(),
      run,
      encoder: plan.variants === undefined ? encoder : this.#encoderFor(plan.video.codec),
      hardware,
      cost: Math.max(1, encodes.length),
      shift: at > 0 ? plan.firstFrameSeconds : 0,
      generation: this.#generation,
      timescales: new Map(),
      stopping: null,
      furthest: null,
      lastNear: this.#deps.now(),
      lastFetched: this.#deps.now(),
      held: false,
      parked: false,
      holding: [],
    };
    this.#heads.set(id, head);
    this.#report.started(run.pid);
    this.#deps.log.info(
      { jobId: this.#job.id, head: id, pid: run.pid, encoder: encoder.name, startSegment: at },
      'ffmpeg started',
    );
    this.#report.changed();
    this.#tasks.run(
      run.exited.then((exit) => {
        this.#onExit(head, exit);
      }),
      'head exit',
    );
    return head;
  }

  #stopHead(id: number, reason: string): Promise<void> {
    const head = this.#heads.get(id);
    if (head === undefined) return Promise.resolve();
    head.stopping ??= reason;
    // SIGCONT comes first inside stop(): a paused head could not act on SIGTERM.
    return head.run.stop().then(() => undefined);
  }

  /** A file changed in the stream folder: a head finished a segment, or rewrote its playlist. */
  #onArrival(name: string): void {
    const seg = headSegment(name);
    if (seg !== null) {
      this.#segmentDone(seg.head, seg.variant, seg.index, name);
      return;
    }
    // Every variant is cut at the same points: the first one's playlist has the durations.
    const playlistOf = headPlaylistId(name);
    if (playlistOf !== null && playlistOf.variant === (this.#plan.renditions[0] ?? null))
      this.#readDurations(playlistOf.head);
  }

  #segmentDone(headId: number, variant: VariantId, index: number, name: string): void {
    const file = path.join(this.#job.dir, name);
    const head = this.#heads.get(headId);
    // A head being stopped may flush a cut-short segment: never publish it.
    if (head === undefined || head.stopping !== null) {
      rmSync(file, { force: true });
      return;
    }
    if (this.#plan.container === 'fmp4') {
      if (!this.#publishInit(head, variant)) return;
      if (head.shift !== 0 && !this.#shiftToTimeline(head, variant, file)) return;
    }
    const publicName = segmentName(index, this.#plan.container, variant);
    try {
      // link fails with EEXIST when another head made this segment first: no file is ever written twice.
      linkSync(file, path.join(this.#job.dir, publicName));
    } catch (err) {
      // ENOENT: the event of our own unlink, or a repeat event.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      // EEXIST: another head made this segment first; this one only repeats its work from here on.
      rmSync(file, { force: true });
      this.#tasks.run(this.#stopHead(head.id, 'reached a segment made already'), 'stop a head');
      return;
    }
    rmSync(file, { force: true });
    this.#job.arrivals.notify(publicName);
    if (this.#plan.container === 'ts')
      this.#tasks.run(this.#master.learn(variant, publicName), 'codec string');
    // The index is made once every variant has its file (one FFmpeg writes them all at about the same time).
    const published = (this.#published.get(index) ?? 0) + 1;
    this.#published.set(index, published);
    if (published < this.#plan.renditions.length) return;
    this.#made.set(index, {
      index,
      duration: this.#vodList?.[index] ?? 0,
      encoder: head.encoder.name,
      init: head.generation,
    });
    this.#release(head);
    head.next = Math.max(head.next, index + 1);
    this.#report.made(
      this.#made.size,
      this.#count === null ? null : Math.min(1, this.#made.size / this.#count),
    );
    if (this.#complete()) {
      this.#tasks.run(this.#completeUnlessDiskFull(), 'completion');
      return;
    }
    if (reachedOtherWork(head, [...this.#heads.values()], (i) => this.#made.has(i))) {
      this.#tasks.run(this.#stopHead(head.id, 'reached segments made already'), 'stop a head');
      return;
    }
    this.#throttle(head);
    // A VOD playlist changes only after a mid-stream fallback: as segments come, from either generation.
    if (!this.#vod || this.#generation > 0) this.#tasks.run(this.#updatePlaylists(), 'playlists');
  }

  /** A seek head's fMP4 segment, moved to the film's timeline in place; false (and the file gone) if it cannot be. */
  #shiftToTimeline(head: Head, variant: VariantId, file: string): boolean {
    try {
      let timescales = head.timescales.get(variant);
      if (timescales === undefined) {
        timescales = readTimescales(path.join(this.#job.dir, headInitName(head.id, variant)));
        head.timescales.set(variant, timescales);
      }
      shiftSegmentFile(file, head.shift, timescales);
      return true;
    } catch (err) {
      // ENOENT: a repeat event for a file already published. Anything else: this head's output is unusable.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      this.#deps.log.warn({ jobId: this.#job.id, head: head.id, err }, 'could not move an fMP4 segment');
      rmSync(file, { force: true });
      this.#tasks.run(
        this.#stopHead(head.id, 'its fMP4 segments could not be moved to the film timeline'),
        'stop a head',
      );
      return false;
    }
  }

  /**
   * The fMP4 init segment of the head's generation, published with its first media segment: FFmpeg has written it
   * completely by then (in place, without a temporary name). Every head of a generation runs the same encoders, so
   * the first one's stays; a seek head's has its start in the edit list, moved to the film's timeline first. False
   * (and the head stopped) when its init cannot be read.
   */
  #publishInit(head: Head, variant: VariantId): boolean {
    const key = `${head.generation}/${variant}`;
    if (this.#inits.has(key)) return true;
    const name = initName(variant, head.generation);
    const own = path.join(this.#job.dir, headInitName(head.id, variant));
    const published = path.join(this.#job.dir, name);
    try {
      if (head.shift === 0) linkSync(own, published);
      else {
        const part = `${published}.part`;
        writeFileSync(part, moveInitEdits(readFileSync(own), head.shift).data);
        try {
          linkSync(part, published);
        } finally {
          rmSync(part, { force: true });
        }
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOENT: a repeat event for a head whose files are gone. EEXIST: published meanwhile.
      if (code === 'ENOENT') return false;
      if (code !== 'EEXIST') {
        this.#deps.log.warn({ jobId: this.#job.id, head: head.id, err }, 'could not publish an init segment');
        this.#tasks.run(this.#stopHead(head.id, 'its init segment could not be published'), 'stop a head');
        return false;
      }
    }
    this.#inits.add(key);
    this.#job.arrivals.notify(name);
    this.#tasks.run(this.#master.learn(variant, name), 'codec string');
    return true;
  }

  #initPublished(generation: number): boolean {
    return [...this.#inits].some((key) => key.startsWith(`${generation}/`));
  }

  /** What a head's own playlist lists so far; null while it has none. */
  #headListing(headId: number, variant = this.#plan.renditions[0] ?? null): ListedSegment[] | null {
    try {
      return parseHeadPlaylist(
        readFileSync(path.join(this.#job.dir, headPlaylistName(headId, variant)), 'utf8'),
      );
    } catch {
      return null;
    }
  }

  /** Event playlists carry FFmpeg's own durations: read them from the head's playlist. */
  #readDurations(headId: number, listing = this.#headListing(headId)): void {
    if (listing === null) return;
    for (const listed of listing) {
      const made = this.#made.get(listed.index);
      if (made !== undefined && made.duration === 0)
        this.#made.set(listed.index, { ...made, duration: listed.duration });
    }
    if (!this.#vod) this.#tasks.run(this.#updatePlaylists(), 'playlists');
  }

  #throttle(head: Head): void {
    if (head.stopping !== null) return;
    const decision = throttleDecision(head, head.furthest, this.#policy);
    if (decision === null) return;
    head.throttled = decision === 'pause';
    // A held head is stopped already and continues when it is released.
    if (!head.held) head.run.signalGroup(decision === 'pause' ? 'SIGSTOP' : 'SIGCONT');
    this.#deps.log.info(
      { jobId: this.#job.id, head: head.id, at: head.next, viewer: head.furthest },
      decision === 'pause' ? 'head paused: far ahead of its viewers' : 'head resumed',
    );
    this.#report.changed();
  }

  #stopIdle(): void {
    const now = this.#deps.now();
    const live = [...this.#heads.values()].filter((h) => h.stopping === null);
    for (const id of idleHeads(live, this.#policy, now, (h) => (h as Head).lastNear))
      this.#tasks.run(this.#stopHead(id, 'nobody watches near it'), 'stop a head');
  }

  #onExit(head: Head, exit: FfmpegExit): void {
    // Publish what it finished whose file events are still queued, before its leftovers go.
    if (!this.#ended && head.stopping === null) this.#sweepFinished(head);
    this.#release(head);
    this.#heads.delete(head.id);
    if (head.run.pid > 0) this.#report.exited(head.run.pid);
    this.#removeLeftovers(head.id);
    this.#deps.log.info(
      {
        jobId: this.#job.id,
        head: head.id,
        startSegment: head.start,
        next: head.next,
        exitCode: exit.exitCode,
        signal: exit.signal,
        stopped: head.stopping,
      },
      'ffmpeg ended',
    );
    this.#report.changed();
    // A place under max_heads: a deferred seek may start now (if the ration allows).
    if (this.#deferred.size > 0) this.#deferred.retryAt(this.#deps.now());
    if (this.#ended || head.stopping !== null) return;
    if (exit.exitCode === 0) {
      this.#tasks.run(this.#headReachedEnd(head), 'head reached the end');
      return;
    }
    this.#tasks.run(this.#headFailed(head, exit), 'head failed');
  }

  /** Publishes finished files of a head whose events may still be queued. */
  #sweepFinished(head: Head): void {
    const pattern = headSegmentPattern(head.id, this.#plan.container, this.#plan.layout !== null);
    for (const variant of this.#plan.renditions) {
      const listing = this.#headListing(head.id, variant);
      if (listing === null) continue;
      const named = pattern.replace('%v', String(variant));
      for (const s of listing)
        this.#segmentDone(head.id, variant, s.index, named.replace('%d', String(s.index)));
    }
    this.#readDurations(head.id);
  }

  async #headReachedEnd(head: Head): Promise<void> {
    // A copy can finish before its keyframe index: the VOD playlist is written before the job completes.
    if (this.#keyframes !== null) await this.#indexed(await this.#keyframes);
    const early = endedEarlyReason(
      head.next,
      this.#count,
      this.#plan.segmentSeconds,
      this.#plan.durationSeconds,
    );
    if (early !== null) {
      this.#end({ status: 'failed', reason: (await this.#deps.diskFull()) ?? early });
      return;
    }
    // The input ended a segment or two before the probed length said: the film has this many.
    if (this.#count !== null && head.next < this.#count) this.#count = head.next;
    if (this.#complete() || this.#count === null) {
      await this.#completeUnlessDiskFull();
      return;
    }
    // Holes left by heads that stopped: a prepared job fills them now, a watched one when a viewer asks. Not once the
    // stream ended while this waited (a cancel's stopAll has already run: a head started now would run unowned).
    if (this.#ended) return;
    if (this.#job.request.prepare === true && this.#heads.size === 0) {
      const hole = this.#firstHole();
      if (hole !== null) this.#startHead(hole, this.#encoder);
    }
  }

  /**
   * Every segment is there, but FFmpeg 5.1 renames a segment it could not write (disk full) as if it were whole and
   * exits 0: on a full disk the stream is not complete, whatever the file names say.
   */
  async #completeUnlessDiskFull(): Promise<void> {
    const full = await this.#deps.diskFull();
    this.#end(full === null ? { status: 'completed' } : { status: 'failed', reason: full });
  }

  #firstHole(): number | null {
    if (this.#count === null) return null;
    for (let i = 0; i < this.#count; i++) if (!this.#made.has(i)) return i;
    return null;
  }

  async #headFailed(head: Head, exit: FfmpegExit): Promise<void> {
    const full = await this.#deps.diskFull();
    const reason = { text: full ?? exitReason(exit) };
    if (head.hardware.length === 0 || full !== null) {
      this.#end({ status: 'failed', reason: reason.text });
      return;
    }
    // The hardware encoder failed: keep its whole segments and go on in software from the next one.
    const at = this.#dropCutShort(head);
    for (const name of head.hardware) this.#deps.markUnusable(name, reason.text);
    const from = head.hardware.join(', ');
    this.#deps.log.warn(
      { jobId: this.#job.id, encoder: from, reason: reason.text, atSegment: at },
      'hardware encoder failed: continuing in software',
    );
    // fMP4 carries the parameter sets in the init segment: the software run's segments get their own, listed after a
    // discontinuity (in a VOD playlist too, which is otherwise never changed).
    // A generation whose init is out keeps it: the software run needs a new one (a failure before any, none).
    if (!this.#softwareOnly && this.#plan.container === 'fmp4' && this.#initPublished(this.#generation))
      this.#generation++;
    this.#softwareOnly = true;
    this.#encoder = softwareEncoder(this.#plan.video.codec);
    this.#report.fallback({ from, reason: reason.text, atSegment: at }, this.#encoder);
    if (this.#ended) return;
    this.#startHead(at, this.#encoder);
    if (this.#vod && this.#generation > 0) this.#tasks.run(this.#updatePlaylists(), 'playlists');
  }

  /** The failed head's last segment, if cut short, is unpublished; returns where the next head starts. */
  #dropCutShort(head: Head): number {
    // Variants of the segment after its last whole one that it published before failing: never a whole index.
    const partial = head.next;
    if ((this.#published.get(partial) ?? 0) > 0 && !this.#made.has(partial)) this.#unpublish(partial);
    const last = head.next - 1;
    const made = this.#made.get(last);
    if (last < head.start || made === undefined) return head.next;
    // Without the head's playlist the nominal duration stands.
    const listed = this.#headListing(head.id)?.find((s) => s.index === last)?.duration ?? made.duration;
    const isLast = this.#count !== null && last === this.#count - 1;
    if (isLast || isWholeSegment(listed, this.#plan.segmentSeconds, this.#plan.source.video?.fps ?? 0))
      return head.next;
    this.#unpublish(last);
    return last;
  }

  /** Removes every variant's file of a segment index: it will be made again. */
  #unpublish(index: number): void {
    for (const variant of this.#plan.renditions) {
      const file = path.join(this.#job.dir, segmentName(index, this.#plan.container, variant));
      try {
        unlinkSync(file);
      } catch {
        // Already gone.
      }
      this.#deps.forgetFile(file);
    }
    this.#published.delete(index);
    this.#made.delete(index);
    this.#report.made(this.#made.size, null);
  }

  /** A stopped head's unpublished files: the segment it was writing (.tmp) or flushed cut short. */
  #removeLeftovers(headId: number): void {
    let names: string[];
    try {
      names = readdirSync(this.#job.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith(`h${headId}-`)) rmSync(path.join(this.#job.dir, name), { force: true });
    }
  }

  #end(end: StreamEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#completed = end.status === 'completed';
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#deferred.close();
    this.#tasks.run(
      this.#updatePlaylists().then(() => {
        this.#resolveEnd(end);
      }),
      'final playlists',
    );
  }

  /** The job was cancelled or failed from outside: stop heads, settle. */
  abort(): void {
    this.#end({ status: 'cancelled' });
  }
}
