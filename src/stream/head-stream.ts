// One job's stream made by encoder heads: FFmpeg runs that each start at some segment. Segment k is requested →
// a head that will reach it soon is waited for, else one starts at k (a seek). Heads stop when they reach made
// segments or nobody watches near them, and pause (SIGSTOP) when they run too far ahead of their viewers. Seek starts
// are rationed per job and never replace a head a viewer fetches from: a seek that may not start now is deferred.
// Longer than our ~400 lines on purpose: it is the one state machine of a stream's heads (start, seek, hold,
// throttle, park, idle stop, exit, fallback, end), whose steps read and change the same table of heads. What stands
// alone lives beside it: the plan (plan.ts, head-plan.ts), the decisions (heads.ts), a head and its pauses (head.ts),
// publishing files (segment-publisher.ts), what is made and its playlists (made-segments.ts), the master playlist
// (stream-master.ts), background work (background-tasks.ts).
import {
  headPlaylistId,
  headSegment,
  initName,
  type Container,
  type VariantId,
} from '../hls/stream-folder.js';
import { buildHlsArgs } from '../ffmpeg/hls-args.js';
import type { FfmpegExit, FfmpegRun } from '../ffmpeg/process.js';
import { isWholeSegment } from '../hls/stream-playlist.js';
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
} from './heads.js';
import {
  holdOthers,
  newHead,
  parkHeads,
  releaseHeld,
  unparkHeads,
  viewOfHead,
  type Head,
  type HeadView,
} from './head.js';
import { headPolicy, type StreamPlan } from './plan.js';
import { planHead } from './head-plan.js';
import { MadeSegments } from './made-segments.js';
import { SegmentPublisher } from './segment-publisher.js';
import { StreamMaster } from './stream-master.js';
import { BackgroundTasks } from './background-tasks.js';
import { DeferredSeeks } from './deferred-seeks.js';

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
  /** What is made so far, and the media playlists that list it. */
  readonly #segments: MadeSegments;
  /** A copy's keyframe index, being read; null otherwise. */
  readonly #keyframes: Promise<readonly number[] | null> | null;
  readonly #publisher: SegmentPublisher;
  /** A hardware encoder failed: every head from now on runs software encoders. */
  #softwareOnly = false;
  readonly #heads = new Map<number, Head>();
  #nextHeadId = 0;
  readonly #master: StreamMaster;
  #ended = false;
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
    // A copy is cut at the source's own keyframes: its VOD playlist waits for the keyframe index.
    const vod = plan.vod && (!plan.copyCuts || keyframes !== undefined);
    this.#keyframes = plan.copyCuts && vod ? (keyframes ?? null) : null;
    this.#segments = new MadeSegments(plan, job.dir, vod);
    // (A seek head's fMP4 segments are moved to the film's timeline as they are published: FFmpeg 5.1 starts each
    // run's fragments at decode time 0.)
    this.#policy = headPolicy(plan, deps);
    this.#tasks = new BackgroundTasks(deps.log, { jobId: job.id });
    this.#publisher = new SegmentPublisher({
      jobId: job.id,
      dir: job.dir,
      container: plan.container,
      renditions: plan.renditions,
      arrivals: job.arrivals,
      forgetFile: deps.forgetFile,
      learn: (variant, name) => {
        this.#tasks.run(this.#master.learn(variant, name), 'codec string');
      },
      log: deps.log,
    });
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
    this.ended = new Promise((resolve) => {
      this.#resolveEnd = resolve;
    });
  }

  get vod(): boolean {
    return this.#segments.vod;
  }

  get container(): Container {
    return this.#plan.container;
  }

  /** The init segment subtitle timing is read from: the first variant's (init.mp4 for one quality). */
  get firstInit(): string {
    return initName(this.#plan.renditions[0] ?? null);
  }

  get count(): number | null {
    return this.#segments.count;
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
    else if (this.#segments.vod) await this.#segments.update();
    if (this.#policy.idleMs > 0) {
      this.#timer = setInterval(() => {
        this.#stopIdle();
      }, 1000);
      this.#timer.unref();
    }
  }

  heads(): HeadView[] {
    return [...this.#heads.values()].map(viewOfHead);
  }

  runs(): FfmpegRun[] {
    return [...this.#heads.values()].map((h) => h.run);
  }

  /** A viewer asked for segment k: note it (throttling, idleness) and make sure a head brings it if needed. */
  request(k: number): void {
    const count = this.#segments.count;
    if (this.#ended || k < 0 || (count !== null && k >= count)) return;
    const now = this.#deps.now();
    for (const h of this.#heads.values()) {
      const near = nearWindow(h, this.#policy);
      if (k >= near.from && k <= near.to) h.lastNear = now;
      if (fetchesFrom(h, k, this.#policy.aheadSegments)) h.lastFetched = now;
      if (k >= h.start && k <= h.next) h.furthest = Math.max(h.furthest ?? k, k);
      this.#throttle(h);
    }
    if (this.#segments.has(k) || !this.#plan.seeks) return;
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
      if (this.#ended || this.#segments.has(index)) continue;
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
    parkHeads(this.#heads.values());
    return true;
  }

  /** A request to the stream (a playlist or a segment): a stream parked with a paused head goes on. */
  visited(): void {
    if (this.#parkedAt !== null && !this.#plan.seeks) this.#unpark();
  }

  #unpark(): void {
    this.#parkedAt = null;
    unparkHeads(this.#heads.values());
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
    if (this.#segments.indexed(keyframes)) this.#countKnown();
    await this.#segments.update();
  }

  /** The job view's segment count follows the film's (a copy's keyframe index, an input that ended early). */
  #countKnown(): void {
    const output = this.#master.output;
    const count = this.#segments.count;
    if (output !== null && count !== null) this.#master.setOutput({ ...output, segmentCount: count });
  }

  /**
   * The VOD segment durations once known (at once for a transcode, after the keyframe index for a copy); null for an
   * event playlist. Subtitle renditions are cut to them.
   */
  get durations(): Promise<readonly number[] | null> {
    return this.#segments.durations;
  }

  /** The job's subtitle renditions: the master lists them beside the variant(s). */
  attachSubtitles(renditions: readonly SubtitleRendition[]): void {
    this.#tasks.run(this.#master.attachSubtitles(renditions), 'master playlist');
  }

  #codecOf(variant: VariantId): OutputCodec {
    const v = variant === null ? undefined : this.#plan.layout?.variants[variant];
    return v?.codec ?? this.#plan.video.codec;
  }

  /** The seek head's first segment is what a viewer waits for: the others pause until it is out. */
  #hold(seekHead: Head): void {
    if (this.#deps.canPause) holdOthers(seekHead, this.#heads.values());
  }

  #release(seekHead: Head): void {
    releaseHeld(seekHead, this.#heads);
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
    // The count the film is known to have now (a copy's keyframe index, an input that ended early), not the planned one.
    const count = this.#segments.count;
    this.#master.setOutput(count === null ? output : { ...output, segmentCount: count });
    const run = this.#deps.startHead(buildHlsArgs(plan), (p) => {
      this.#report.speed(p.speed);
      // A progress block is a cheap moment to catch a file event that inotify may have coalesced.
      this.#job.arrivals.recheck();
    });
    const head = newHead({
      id,
      at,
      run,
      plan,
      copy: this.#plan.video.copy,
      encoder: plan.variants === undefined ? encoder : this.#encoderFor(plan.video.codec),
      generation: this.#segments.generation,
      now: this.#deps.now(),
    });
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
    const head = this.#heads.get(headId);
    // A head being stopped may flush a cut-short segment: never publish it.
    if (head === undefined || head.stopping !== null) {
      this.#publisher.discard(name);
      return;
    }
    const published = this.#publisher.publish(head, variant, index, name);
    if (published.kind === 'stop') {
      this.#tasks.run(this.#stopHead(head.id, published.reason), 'stop a head');
      return;
    }
    if (published.kind !== 'whole') return;
    this.#segments.add(index, head.encoder.name, head.generation);
    this.#release(head);
    head.next = Math.max(head.next, index + 1);
    this.#report.made(this.#segments.size, this.#segments.progress());
    if (this.#segments.complete()) {
      this.#tasks.run(this.#completeUnlessDiskFull(), 'completion');
      return;
    }
    if (reachedOtherWork(head, [...this.#heads.values()], (i) => this.#segments.has(i))) {
      this.#tasks.run(this.#stopHead(head.id, 'reached segments made already'), 'stop a head');
      return;
    }
    this.#throttle(head);
    // A VOD playlist changes only after a mid-stream fallback: as segments come, from either generation.
    if (!this.#segments.vod || this.#segments.generation > 0)
      this.#tasks.run(this.#segments.update(), 'playlists');
  }

  /** Event playlists carry FFmpeg's own durations: read them from the head's playlist. */
  #readDurations(headId: number, listing = this.#publisher.headListing(headId)): void {
    if (listing === null) return;
    this.#segments.learnDurations(listing);
    if (!this.#segments.vod) this.#tasks.run(this.#segments.update(), 'playlists');
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
    this.#publisher.removeLeftovers(head.id);
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
    for (const f of this.#publisher.finishedFiles(head, this.#plan.layout !== null))
      this.#segmentDone(head.id, f.variant, f.index, f.name);
    this.#readDurations(head.id);
  }

  async #headReachedEnd(head: Head): Promise<void> {
    // A copy can finish before its keyframe index: the VOD playlist is written before the job completes.
    if (this.#keyframes !== null) await this.#indexed(await this.#keyframes);
    const early = endedEarlyReason(
      head.next,
      this.#segments.count,
      this.#plan.segmentSeconds,
      this.#plan.durationSeconds,
    );
    if (early !== null) {
      this.#end({ status: 'failed', reason: (await this.#deps.diskFull()) ?? early });
      return;
    }
    // The input ended a segment or two before the probed length said: the film has this many.
    if (this.#segments.endsAt(head.next)) this.#countKnown();
    if (this.#segments.complete() || this.#segments.count === null) {
      await this.#completeUnlessDiskFull();
      return;
    }
    // Holes left by heads that stopped: a prepared job fills them now, a watched one when a viewer asks. Not once the
    // stream ended while this waited (a cancel's stopAll has already run: a head started now would run unowned).
    if (this.#ended) return;
    if (this.#job.request.prepare === true && this.#heads.size === 0) {
      const hole = this.#segments.firstHole();
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
    if (
      !this.#softwareOnly &&
      this.#plan.container === 'fmp4' &&
      this.#publisher.initPublished(this.#segments.generation)
    )
      this.#segments.newGeneration();
    this.#softwareOnly = true;
    this.#encoder = softwareEncoder(this.#plan.video.codec);
    this.#report.fallback({ from, reason: reason.text, atSegment: at }, this.#encoder);
    if (this.#ended) return;
    this.#startHead(at, this.#encoder);
    if (this.#segments.vod && this.#segments.generation > 0)
      this.#tasks.run(this.#segments.update(), 'playlists');
  }

  /** The failed head's last segment, if cut short, is unpublished; returns where the next head starts. */
  #dropCutShort(head: Head): number {
    // Variants of the segment after its last whole one that it published before failing: never a whole index.
    const partial = head.next;
    if (this.#publisher.hasAnyVariant(partial) && !this.#segments.has(partial)) this.#unpublish(partial);
    const last = head.next - 1;
    const made = this.#segments.get(last);
    if (last < head.start || made === undefined) return head.next;
    // Without the head's playlist the nominal duration stands.
    const listed =
      this.#publisher.headListing(head.id)?.find((s) => s.index === last)?.duration ?? made.duration;
    const count = this.#segments.count;
    const isLast = count !== null && last === count - 1;
    if (isLast || isWholeSegment(listed, this.#plan.segmentSeconds, this.#plan.source.video?.fps ?? 0))
      return head.next;
    this.#unpublish(last);
    return last;
  }

  /** Removes every variant's file of a segment index: it will be made again. */
  #unpublish(index: number): void {
    this.#publisher.unpublish(index);
    this.#segments.remove(index);
    this.#report.made(this.#segments.size, null);
  }

  #end(end: StreamEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    if (end.status === 'completed') this.#segments.markCompleted();
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#deferred.close();
    this.#tasks.run(
      this.#segments.update().then(() => {
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
