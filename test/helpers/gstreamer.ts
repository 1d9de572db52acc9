// Plays an HLS URL to the end with GStreamer (gst-launch-1.0, Debian's packages), as a set-top box or a Linux
// player would, and reports what it decoded: how it ended, GStreamer's own errors, the caps its decoders saw, the
// number of video frames and the milliseconds of audio.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * `playbin` autoplugs the classic `hlsdemux` (gst-plugins-bad; `hlsdemux2` refuses a bin that is not streams-aware),
 * `playbin3` the newer `hlsdemux2` (gst-plugins-good): two HLS clients with their own playlist and segment code.
 */
export type GstPlayer = 'playbin' | 'playbin3';
export const GST_PLAYERS: readonly GstPlayer[] = ['playbin', 'playbin3'];

export interface DecodedVideo {
  /** As ffprobe names it: h264, hevc, … */
  readonly codec: string;
  readonly profile: string | null;
  /** Of the decoded pictures. */
  readonly width: number;
  readonly height: number;
}

export interface DecodedAudio {
  readonly codec: string;
  readonly rate: number;
  readonly channels: number;
}

export interface PlaybackReport {
  readonly player: GstPlayer;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Killed (SIGKILL) at the deadline. */
  readonly timedOut: boolean;
  /** The pipeline reached end-of-stream: the demuxer walked the playlist to its end. */
  readonly eos: boolean;
  /** GStreamer's ERROR and WARNING messages, each with its "Additional debug info". */
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  /** The HLS demuxer that played the stream: hlsdemux or hlsdemux2. */
  readonly demuxer: string | null;
  /** Decoder elements created, e.g. avdec_h264, avdec_aac. */
  readonly decoders: readonly string[];
  /** The coded video's codec and profile, and the size of the last decoded pictures. */
  readonly video: DecodedVideo | null;
  /** Each decoded picture size, in order of appearance ("426x240"): more than one when a player switches levels. */
  readonly videoSizes: readonly string[];
  readonly audio: DecodedAudio | null;
  /** Decoded video frames that reached the sink. */
  readonly videoFrames: number;
  /** Decoded audio that reached the sink, in milliseconds. */
  readonly audioMs: number;
  readonly wallMs: number;
}

export interface Playback {
  /** Whether a decoder has put out its first picture (a player that waits for buffering shows it only later). */
  decoding(): boolean;
  /** Decoded video frames that reached the sink so far. */
  frames(): number;
  /** Kills GStreamer if it still runs (SIGKILL); its report. */
  stop(): Promise<PlaybackReport>;
  readonly done: Promise<PlaybackReport>;
}

// Each decoded picture is scaled to 8×8 grey (64 bytes) and each 1 ms of audio to one signed byte, written to files:
// their sizes count frames and audio exactly (fakesink's last-message under -v drops notifications under load).
const FRAME_BYTES = 64;
const VIDEO_SINK =
  'videoconvert ! videoscale ! video/x-raw,format=GRAY8,width=8,height=8 ! filesink location=';
const AUDIO_SINK =
  'audioconvert ! audioresample ! audio/x-raw,format=S8,channels=1,rate=1000 ! filesink location=';

/** Starts GStreamer on `url` (no shell: one argument per element); `done` resolves when it exits or is killed. */
export function startPlayback(url: string, player: GstPlayer = 'playbin', timeoutMs = 30_000): Playback {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-gst-'));
  const videoFile = path.join(dir, 'video.gray');
  const audioFile = path.join(dir, 'audio.s8');
  const started = Date.now();
  // The sinks are bins gst-launch parses from one argument each. The debug categories log every element created
  // and every caps event (not -v: its property notifications drop some caps under load).
  const child = spawn(
    'gst-launch-1.0',
    [player, `uri=${url}`, `video-sink=${VIDEO_SINK}${videoFile}`, `audio-sink=${AUDIO_SINK}${audioFile}`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GST_DEBUG: 'GST_ELEMENT_FACTORY:4,GST_EVENT:4', GST_DEBUG_NO_COLOR: '1' },
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const done = new Promise<PlaybackReport>((resolve, reject) => {
    child.once('error', (e) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      reject(e);
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      const report: PlaybackReport = {
        player,
        exitCode,
        signal,
        timedOut,
        ...parseGstOutput(out),
        videoFrames: Math.floor(fileSize(videoFile) / FRAME_BYTES),
        audioMs: fileSize(audioFile),
        wallMs: Date.now() - started,
      };
      rmSync(dir, { recursive: true, force: true });
      resolve(report);
    });
  });
  return {
    decoding: () => parseGstOutput(out).videoSizes.length > 0,
    frames: () => Math.floor(fileSize(videoFile) / FRAME_BYTES),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return done;
    },
    done,
  };
}

/** Plays `url` to the end (or the deadline) and reports. */
export function playToEnd(
  url: string,
  player: GstPlayer = 'playbin',
  timeoutMs = 30_000,
): Promise<PlaybackReport> {
  return startPlayback(url, player, timeoutMs).done;
}

/** A one-line summary for assertion messages. */
export function describePlayback(r: PlaybackReport): string {
  const video = r.video === null ? 'no video' : `${r.video.codec} ${r.video.width}x${r.video.height}`;
  const ended = r.timedOut ? 'timed out' : `exit ${r.exitCode ?? r.signal ?? '?'}${r.eos ? ', EOS' : ''}`;
  const errors = [...r.errors, ...r.warnings].join(' | ');
  return `${r.player} via ${r.demuxer ?? '?'}: ${ended}, ${video}, ${r.videoFrames} frames, ${r.audioMs} ms audio${errors === '' ? '' : `; ${errors}`}`;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // nothing decoded yet
  }
}

type Caps = { readonly media: string; readonly fields: ReadonlyMap<string, string> };

/** "video/x-h264, width=(int)426, profile=(string)high" → media and field values (types dropped, quotes removed). */
export function parseCaps(text: string): Caps {
  const [media = '', ...rest] = text.split(/,\s*(?=[\w-]+=)/);
  const fields = new Map<string, string>();
  for (const f of rest) {
    const m = /^([\w-]+)=(?:\(\w+\))?"?(.*?)"?;?$/.exec(f.trim());
    if (m?.[1] !== undefined) fields.set(m[1], m[2] ?? '');
  }
  return { media: media.trim(), fields };
}

const CODEC_NAMES: Readonly<Record<string, string>> = { h265: 'hevc', 'x-vp9': 'vp9', 'x-av1': 'av1' };

function codecOf(caps: Caps): string {
  if (caps.media === 'audio/mpeg') return caps.fields.get('mpegversion') === '4' ? 'aac' : 'mp3';
  const name = caps.media.replace(/^(video|audio)\/(x-)?/, '');
  return CODEC_NAMES[name] ?? name;
}

const isOurs = (c: Caps): boolean => c.fields.get('width') === '8' || c.fields.get('rate') === '1000';

/**
 * What GStreamer said: EOS and errors (gst-launch's own lines), the elements it created and the caps events
 * (GST_DEBUG=GST_ELEMENT_FACTORY:4,GST_EVENT:4, logged in the streaming threads, so none is lost).
 */
export function parseGstOutput(
  text: string,
): Pick<
  PlaybackReport,
  'eos' | 'errors' | 'warnings' | 'demuxer' | 'decoders' | 'video' | 'videoSizes' | 'audio'
> {
  const lines = text.split('\n');
  // gst-launch prints "ERROR: from element /path: text", then "Additional debug info:" and one line of details.
  const messages = (kind: string): string[] =>
    lines.flatMap((l, i) => {
      if (!l.startsWith(`${kind}: `)) return [];
      const debug =
        lines[i + 1]?.startsWith('Additional debug info:') === true ? ` (${lines[i + 2] ?? ''})` : '';
      return [`${l}${debug}`];
    });
  const elements = [...text.matchAll(/creating element "([\w-]+)"/g)].map((m) => m[1] ?? '');
  const caps = [...text.matchAll(/creating caps event (.+)$/gm)].map((m) => parseCaps(m[1] ?? ''));
  const coded = (kind: string): Caps | undefined =>
    caps.filter((c) => c.media.startsWith(`${kind}/`) && !c.media.endsWith('/x-raw')).at(-1);
  // The first raw caps of each kind are the decoder's output (converters downstream only repeat them, then ours).
  const raw = (kind: string): Caps[] => caps.filter((c) => c.media === `${kind}/x-raw` && !isOurs(c));
  const codedVideo = coded('video');
  const rawVideo = raw('video');
  const codedAudio = coded('audio');
  const rawAudio = raw('audio')[0];
  const size = (c: Caps): string => `${c.fields.get('width') ?? '?'}x${c.fields.get('height') ?? '?'}`;
  const lastVideo = rawVideo.at(-1);
  return {
    eos: /^Got EOS from element/m.test(text),
    errors: messages('ERROR'),
    warnings: messages('WARNING'),
    demuxer: elements.filter((e) => e.startsWith('hlsdemux')).at(-1) ?? null,
    decoders: [...new Set(elements.filter((e) => e.startsWith('avdec_') || /dec$/.test(e)))],
    video:
      codedVideo === undefined || lastVideo === undefined
        ? null
        : {
            codec: codecOf(codedVideo),
            profile: codedVideo.fields.get('profile') ?? null,
            width: Number(lastVideo.fields.get('width')),
            height: Number(lastVideo.fields.get('height')),
          },
    videoSizes: [...new Set(rawVideo.map(size))],
    audio:
      codedAudio === undefined || rawAudio === undefined
        ? null
        : {
            codec: codecOf(codedAudio),
            rate: Number(rawAudio.fields.get('rate')),
            channels: Number(rawAudio.fields.get('channels')),
          },
  };
}
