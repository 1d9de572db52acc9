// A stand-in for the FFmpeg runs a HeadStream starts: no process runs, the test plays FFmpeg's part. Each fake keeps
// the arguments it was started with, the signals it got (SIGSTOP/SIGCONT), and writes its files the way FFmpeg's hls
// muxer does (a segment under a temporary name, renamed once whole, then the head's own playlist rewritten).
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FfmpegExit, FfmpegRun } from '../../src/ffmpeg/process.js';
import { headPlaylistName } from '../../src/hls/stream-folder.js';
import type { StartHead } from '../../src/stream/ports.js';

/** The value after `flag` in an FFmpeg argument list. */
function valueOf(args: readonly string[], flag: string): string {
  const at = args.indexOf(flag);
  const value = at < 0 ? undefined : args[at + 1];
  if (value === undefined) throw new Error(`no ${flag} in the head's arguments`);
  return value;
}

/** One head's FFmpeg, driven by the test. */
export class FakeFfmpegRun implements FfmpegRun {
  readonly pid: number;
  readonly args: readonly string[];
  /** The head's id, read from its segment file pattern (h3-%d.ts → 3). */
  readonly head: number;
  /** The segment it starts at (-start_number). */
  readonly start: number;
  /** Its video encoder (-c:v). */
  readonly encoder: string;
  readonly dir: string;
  readonly signals: NodeJS.Signals[] = [];
  readonly exited: Promise<FfmpegExit>;
  /** How often stop() was called. */
  stops = 0;
  readonly #manualStop: boolean;
  readonly #listed: string[] = [];
  #resolve: (exit: FfmpegExit) => void = () => undefined;
  #exit: FfmpegExit | null = null;

  /** With `manualStop`, stop() only asks: the process exits when the test calls exit(). */
  constructor(pid: number, args: readonly string[], manualStop: boolean) {
    this.pid = pid;
    this.args = args;
    this.#manualStop = manualStop;
    const pattern = valueOf(args, '-hls_segment_filename');
    this.dir = path.dirname(pattern);
    const id = /^h([0-9]+)-/.exec(path.basename(pattern))?.[1];
    if (id === undefined) throw new Error(`not a head's segment pattern: ${pattern}`);
    this.head = Number(id);
    this.start = Number(valueOf(args, '-start_number'));
    this.encoder = valueOf(args, '-c:v');
    this.exited = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get ended(): boolean {
    return this.#exit !== null;
  }

  /** Paused by the last signal it got. */
  get paused(): boolean {
    return this.signals.at(-1) === 'SIGSTOP';
  }

  stop(): Promise<FfmpegExit> {
    this.stops++;
    // SIGTERM: FFmpeg exits with 255 (the real run sends SIGCONT first, which a fake needs not).
    if (!this.#manualStop) this.exit(255);
    return this.exited.then((exit) => ({ ...exit, cancelled: true }));
  }

  signalGroup(signal: NodeJS.Signals): void {
    if (!this.ended) this.signals.push(signal);
  }

  /** Finishes segment `index` as FFmpeg does; `duration` is what its playlist lists (a cut-short one is shorter). */
  writeSegment(index: number, duration = 4): Buffer {
    const name = `h${String(this.head)}-${String(index)}.ts`;
    const bytes = Buffer.from(`segment ${String(index)} made by head ${String(this.head)}`);
    // temp_file: the final name appears only once the segment is whole.
    writeFileSync(path.join(this.dir, `${name}.tmp`), bytes);
    renameSync(path.join(this.dir, `${name}.tmp`), path.join(this.dir, name));
    this.#listed.push(`#EXTINF:${duration.toFixed(6)},`, name);
    const playlist = path.join(this.dir, headPlaylistName(this.head));
    const text = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-PLAYLIST-TYPE:EVENT', ...this.#listed, ''].join(
      '\n',
    );
    writeFileSync(`${playlist}.tmp`, text);
    renameSync(`${playlist}.tmp`, playlist);
    return bytes;
  }

  /** The process ends: 0 when its input ended, anything else a failure with FFmpeg's last words on stderr. */
  exit(exitCode: number, stderrTail = ''): void {
    if (this.#exit !== null) return;
    this.#exit = { exitCode, signal: null, cancelled: this.stops > 0, forced: false, stderrTail };
    this.#resolve(this.#exit);
  }
}

/** The spawner a HeadStream is given (deps.startHead): every run it started, in order. */
export class FakeFfmpeg {
  readonly runs: FakeFfmpegRun[] = [];
  /** Runs started from now on exit on stop() only when the test says so. */
  manualStop = false;
  #pid = 70_000;

  // Progress blocks are not played: the stream learns of segments from the folder's file events alone.
  readonly startHead: StartHead = (args) => {
    const run = new FakeFfmpegRun(++this.#pid, args, this.manualStop);
    this.runs.push(run);
    return run;
  };

  /** Runs whose process has not exited. */
  get live(): FakeFfmpegRun[] {
    return this.runs.filter((r) => !r.ended);
  }

  /** The run of head `id`. */
  head(id: number): FakeFfmpegRun {
    const run = this.runs.find((r) => r.head === id);
    if (run === undefined) throw new Error(`no head ${String(id)} started`);
    return run;
  }
}
