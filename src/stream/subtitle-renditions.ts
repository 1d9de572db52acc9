// A job's WebVTT subtitle renditions: one niced FFmpeg reads the source once and writes each text track to a .vtt
// file in the stream folder; a segment is composed on request from the cues of its time window, once the extraction
// has read past the window's end. A run that fails is retried one track at a time, so one bad track costs only its
// own cues; a track that fails alone has none. Nothing here ever fails the job.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { PidRecords, RecordedJob } from '../ffmpeg/pid-records.js';
import { startFfmpeg, type FfmpegExit, type FfmpegRun, type Launcher } from '../ffmpeg/process.js';
import { buildSubtitleArgs, extractionFileName } from '../ffmpeg/subtitle-args.js';
import { lastLines } from '../media/source-info.js';
import type { SubtitleTrack } from '../media/subtitle-track.js';
import {
  composeSubtitlePlaylist,
  renditionNames,
  subtitlePlaylistName,
  type SubtitleRendition,
} from '../hls/subtitle-playlist.js';
import type { TimestampMap } from '../hls/subtitle-timing.js';
import { composeVttSegment, cuesIn, parseWebVtt, type Cue, type TimeWindow } from '../hls/webvtt.js';

export interface SubtitleDeps {
  readonly launcher: Launcher;
  readonly ffmpegPath: string;
  readonly pidRecords: Pick<PidRecords, 'add' | 'remove'>;
  readonly log: Logger;
}

export interface SubtitleSource {
  readonly jobId: string;
  /** Verified absolute path inside the mount. */
  readonly inputPath: string;
  /** The stream folder: the extraction's files go there (and are swept with it). */
  readonly dir: string;
  /** ffprobe index of the source's video stream. */
  readonly videoIndex: number;
  /** The source's subtitle tracks; the text ones become renditions, in this order. */
  readonly tracks: readonly SubtitleTrack[];
  /**
   * The stream's X-TIMESTAMP-MAP (subtitle-timing.ts): tsTimestampMap() at once for MPEG-TS; for fMP4,
   * fmp4TimestampMap() of the init segment once it is there. Null (not yet known): the segment request answers null.
   */
  readonly timestampMap: (signal?: AbortSignal) => Promise<TimestampMap | null>;
  /** Longest a segment request waits for the extraction to reach its window. */
  readonly waitMs: number;
  /** Goes into the pid record, so a crash reports the job as lost. */
  readonly record?: RecordedJob;
}

/** Seconds read past a window's end before its cues are taken as complete (containers interleave loosely). */
const READ_MARGIN_SECONDS = 2;

interface Track {
  readonly source: SubtitleTrack;
  readonly file: string;
  /** How far the input has been read for this track (seconds on the extraction's timeline). */
  readTo: number;
  done: boolean;
  failed: boolean;
  /** Cues as last read, with the length of text they came from and whether the file was finished then. */
  parsed: { readonly length: number; readonly complete: boolean; readonly cues: readonly Cue[] } | null;
}

export class SubtitleRenditions {
  readonly #deps: SubtitleDeps;
  readonly #source: SubtitleSource;
  readonly #tracks: Track[];
  readonly #renditions: SubtitleRendition[];
  readonly #waiters = new Set<() => void>();
  #run: FfmpegRun | null = null;
  #map: TimestampMap | null = null;
  #task: Promise<void> | null = null;
  #stopped = false;

  constructor(deps: SubtitleDeps, source: SubtitleSource) {
    this.#deps = deps;
    this.#source = source;
    const text = source.tracks.filter((t) => t.text);
    this.#tracks = text.map((t, j) => ({
      source: t,
      file: path.join(source.dir, extractionFileName(j)),
      readTo: 0,
      done: false,
      failed: false,
      parsed: null,
    }));
    const names = renditionNames(text);
    // At most one DEFAULT=YES: the first track the source marks default.
    const defaultAt = text.findIndex((t) => t.default);
    this.#renditions = text.map((t, j) => ({
      id: j,
      language: t.language,
      name: names[j] ?? `Subtitles ${j + 1}`,
      default: j === defaultAt,
      forced: t.forced,
      playlist: subtitlePlaylistName(j),
    }));
  }

  /** The renditions for the master playlist (#EXT-X-MEDIA), in s{j} order; empty without text tracks. */
  renditions(): SubtitleRendition[] {
    return [...this.#renditions];
  }

  /** Starts the extraction (once); without text tracks nothing runs. */
  start(): void {
    if (this.#task !== null || this.#stopped || this.#tracks.length === 0) return;
    this.#task = this.#extract();
  }

  /** Rendition j's media playlist from the video's segment durations; null for no such rendition. */
  playlist(j: number, durations: readonly number[]): string | null {
    return this.#tracks[j] === undefined ? null : composeSubtitlePlaylist(j, durations);
  }

  /**
   * Rendition j's segment for a window (segmentWindow): waits until the extraction has read past the window's end
   * or ended, at most waitMs. Null for no such rendition, a wait that ran out, a client gone (signal) or a stop.
   */
  async segment(j: number, window: TimeWindow, signal?: AbortSignal): Promise<string | null> {
    const track = this.#tracks[j];
    if (track === undefined) return null;
    const ready = (): boolean => track.done || track.readTo >= window.to + READ_MARGIN_SECONDS;
    if (!(await this.#until(ready, signal))) return null;
    this.#map ??= await this.#source.timestampMap(signal);
    if (this.#map === null) return null;
    const cues = track.failed ? [] : await this.#cues(track);
    return composeVttSegment(cuesIn(cues, window), this.#map);
  }

  /** Resolves once the extraction has ended (every track read, failed, or stopped); never rejects. */
  async finished(): Promise<void> {
    await this.#task;
  }

  /** Pids of the extraction now running (none once it ended). */
  pids(): number[] {
    return this.#run === null || this.#run.pid <= 0 ? [] : [this.#run.pid];
  }

  /** Stops the extraction and waits until its FFmpeg has been reaped; pending segment requests answer null. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#notify();
    await this.#run?.stop();
    await this.#task;
  }

  /** All tracks in one read; if that run fails, each track alone (one FFmpeg at a time). */
  async #extract(): Promise<void> {
    try {
      const all = await this.#runFor(this.#tracks);
      if (all === 'ok' || all === 'stopped') return;
      for (const t of this.#tracks) {
        t.readTo = 0;
        t.parsed = null;
        if (this.#stopped) return;
        if ((await this.#runFor([t])) !== 'failed') continue;
        // Its waiters need not wait for the other tracks' runs.
        t.failed = true;
        t.done = true;
        this.#notify();
      }
    } catch (err) {
      this.#deps.log.error({ jobId: this.#source.jobId, err }, 'subtitle extraction failed');
      for (const t of this.#tracks) t.failed = true;
    } finally {
      for (const t of this.#tracks) t.done = true;
      this.#notify();
    }
  }

  async #runFor(tracks: readonly Track[]): Promise<'ok' | 'failed' | 'stopped'> {
    if (this.#stopped) return 'stopped';
    const { jobId, dir } = this.#source;
    const run = startFfmpeg({
      launcher: this.#deps.launcher,
      ffmpegPath: this.#deps.ffmpegPath,
      args: buildSubtitleArgs({
        inputPath: this.#source.inputPath,
        videoIndex: this.#source.videoIndex,
        tracks: tracks.map((t) => ({ index: t.source.index, file: t.file })),
      }),
      onProgress: (p) => {
        for (const t of tracks) t.readTo = Math.max(t.readTo, p.outTimeSeconds);
        this.#notify();
      },
    });
    this.#run = run;
    const unrecorded =
      run.pid > 0 ? this.#deps.pidRecords.add(jobId, run.pid, dir, this.#source.record) : null;
    if (unrecorded !== null)
      this.#deps.log.warn({ jobId, err: unrecorded }, 'could not write the pid record');
    const streams = tracks.map((t) => t.source.index);
    this.#deps.log.info({ jobId, pid: run.pid, streams }, 'subtitle extraction started');
    let exit: FfmpegExit;
    try {
      exit = await run.exited;
    } finally {
      if (run.pid > 0) this.#deps.pidRecords.remove(jobId, run.pid);
      this.#run = null;
    }
    if (exit.cancelled || this.#isStopped()) return 'stopped';
    if (exit.exitCode === 0) {
      for (const t of tracks) t.done = true;
      this.#notify();
      this.#deps.log.info({ jobId, streams }, 'subtitles extracted');
      return 'ok';
    }
    const reason =
      exit.spawnError ?? (lastLines(exit.stderrTail) || `ffmpeg exited with ${String(exit.exitCode)}`);
    this.#deps.log.warn({ jobId, streams, reason }, 'subtitle extraction failed');
    await Promise.all(tracks.map((t) => rm(t.file, { force: true })));
    return 'failed';
  }

  /** The track's cues, read again only when its file has grown. */
  async #cues(track: Track): Promise<readonly Cue[]> {
    let text: string;
    try {
      text = await readFile(track.file, 'utf8');
    } catch {
      // No file: the track had no cue yet (FFmpeg opens it with the first), or it failed.
      return [];
    }
    const complete = track.done;
    if (track.parsed?.length !== text.length || track.parsed.complete !== complete)
      track.parsed = { length: text.length, complete, cues: parseWebVtt(text, { complete }) };
    return track.parsed.cues;
  }

  /** Resolves true once `ready` holds, false when waitMs ran out, the client left or the renditions stopped. */
  #until(ready: () => boolean, signal?: AbortSignal): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (this.#stopped || signal?.aborted === true) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        signal?.removeEventListener('abort', finish);
        resolve(ready() && !this.#stopped);
      };
      const check = (): void => {
        if (ready() || this.#stopped) finish();
      };
      const timer = setTimeout(finish, this.#source.waitMs);
      this.#waiters.add(check);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }

  /** Read through a call: stop() changes it while a run is awaited, which narrowing cannot see. */
  #isStopped(): boolean {
    return this.#stopped;
  }

  #notify(): void {
    for (const check of [...this.#waiters]) check();
  }
}
