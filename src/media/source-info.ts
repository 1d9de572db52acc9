// What the job needs to know about a source, parsed from ffprobe's JSON (pure), and the ffprobe call (edge).
import { cleanLine } from '../ffmpeg/stderr-lines.js';
import type { AudioTrack } from './audio-choice.js';
import type { RunCommand } from '../process/run-command.js';
import { fileUrl, inputHardening } from './demuxers.js';
import { subtitleTrack, type SubtitleTrack } from './subtitle-track.js';
import {
  parseHdr10,
  parsePicture,
  PICTURE_ENTRIES,
  type Hdr10Metadata,
  type PictureStreamFields,
  type VideoPicture,
} from './video-picture.js';

export interface SourceInfo {
  readonly durationSeconds: number;
  readonly formatName: string;
  readonly video: {
    readonly index: number;
    readonly codec: string;
    readonly width: number;
    readonly height: number;
    readonly fps: number;
    readonly pixFmt: string;
    /** Seconds from the file's start to the video's first frame (what a head at 0 keeps). */
    readonly startSeconds: number;
    /** The video stream's own duration when the container states it, else 0. */
    readonly durationSeconds: number;
    /** As ffprobe names it (High, Main, Main 10, ...); '' when unknown. */
    readonly profile: string;
    /** ffprobe's level number (H.264: 41 for 4.1; HEVC: 123 for 4.1); 0 when unknown. */
    readonly level: number;
    /** Bits per second: the video stream's where the container states it (MP4), else the whole file's; 0 unknown. */
    readonly bitRate: number;
    /**
     * Colour, bit depth, HDR and field order. parseSourceInfo always sets it; optional only so that hand-made
     * fixtures written before it stay valid (a reader treats undefined as "SDR, 8-bit, field order unknown").
     */
    readonly picture?: VideoPicture;
  } | null;
  /** Every audio track, in the source's order. */
  readonly audioTracks: readonly AudioTrack[];
  /** Every subtitle track, in the source's order (text ones become WebVTT renditions). */
  readonly subtitleTracks: readonly SubtitleTrack[];
}

interface ProbeStream extends PictureStreamFields {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  pix_fmt?: string;
  channels?: number;
  duration?: string;
  start_time?: string;
  profile?: string;
  level?: number;
  bit_rate?: string;
  disposition?: { attached_pic?: number; default?: number; forced?: number };
  /** DURATION: Matroska's per-track end time (FFmpeg and mkvmerge write it; the format states no stream duration). */
  tags?: { language?: string; title?: string; DURATION?: string };
}

function rate(text: string | undefined): number {
  if (text === undefined) return 0;
  const [n, d] = text.split('/').map(Number);
  if (n === undefined || !Number.isFinite(n)) return 0;
  const value = d === undefined ? n : d === 0 ? 0 : n / d;
  return Number.isFinite(value) && value > 0 && value < 1000 ? value : 0;
}

function positive(text: string | undefined): number {
  const n = Number.parseFloat(text ?? '');
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * A Matroska track's length from its DURATION tag ("01:23:45.678000000"): the time its last frame ends, from 0, less
 * where it starts. 0 when there is no such tag.
 */
function taggedLength(tag: string | undefined, start: string | undefined): number {
  const m = /^(\d+):([0-5]\d):([0-5]\d(?:\.\d+)?)$/.exec(tag ?? '');
  if (m === null) return 0;
  const end = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  const from = Number.parseFloat(start ?? '');
  const length = end - (Number.isFinite(from) && from > 0 ? from : 0);
  return length > 0 ? length : 0;
}

function startOffset(stream: string | undefined, format: string | undefined): number {
  const s = Number.parseFloat(stream ?? '');
  const f = Number.parseFloat(format ?? '');
  if (!Number.isFinite(s) || !Number.isFinite(f)) return 0;
  const offset = s - f;
  return offset > 0 && offset < 60 ? offset : 0;
}

/** Parses `ffprobe -print_format json -show_format -show_streams` output. Throws on output that is not ffprobe JSON. */
export function parseSourceInfo(json: string): SourceInfo {
  const data = JSON.parse(json) as {
    streams?: ProbeStream[];
    format?: { duration?: string; format_name?: string; start_time?: string; bit_rate?: string };
  };
  const streams = data.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const audioTracks: AudioTrack[] = streams
    .filter((s) => s.codec_type === 'audio')
    .map((s) => ({
      index: s.index ?? 0,
      codec: s.codec_name ?? 'unknown',
      channels: s.channels ?? 2,
      language:
        /^[a-z]{2,3}$/i.test(s.tags?.language ?? '') && s.tags?.language !== 'und'
          ? (s.tags?.language ?? '').toLowerCase()
          : null,
      isDefault: s.disposition?.default === 1,
      profile: s.profile ?? '',
    }));
  const durations = [data.format?.duration, ...streams.map((s) => s.duration)]
    .map((d) => (d === undefined ? NaN : Number.parseFloat(d)))
    .filter((d) => Number.isFinite(d) && d > 0);
  return {
    durationSeconds:
      Number.parseFloat(data.format?.duration ?? '') > 0
        ? Number.parseFloat(data.format?.duration ?? '')
        : Math.max(0, ...durations),
    formatName: data.format?.format_name ?? 'unknown',
    video:
      v === undefined
        ? null
        : {
            index: v.index ?? 0,
            codec: v.codec_name ?? 'unknown',
            width: v.width ?? 0,
            height: v.height ?? 0,
            fps: rate(v.avg_frame_rate) || rate(v.r_frame_rate) || 25,
            pixFmt: v.pix_fmt ?? 'unknown',
            startSeconds: startOffset(v.start_time, data.format?.start_time),
            durationSeconds: positive(v.duration) || taggedLength(v.tags?.DURATION, v.start_time),
            profile: v.profile ?? '',
            level: v.level ?? 0,
            bitRate: positive(v.bit_rate) || positive(data.format?.bit_rate),
            picture: parsePicture(v),
          },
    audioTracks,
    subtitleTracks: streams.filter((s) => s.codec_type === 'subtitle').map(subtitleTrack),
  };
}

export type ProbeResult =
  { readonly ok: true; readonly info: SourceInfo } | { readonly ok: false; readonly reason: string };

/** Runs ffprobe on a verified absolute path. Never throws: an unreadable source is a reason, not a crash. */
export async function probeSource(
  run: RunCommand,
  ffprobePath: string,
  absolutePath: string,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  // prettier-ignore
  const args = [
    '-v', 'error',
    ...inputHardening(),
    '-print_format', 'json',
    '-show_entries',
    `format=duration,format_name,start_time,bit_rate:stream=index,codec_type,codec_name,profile,level,bit_rate,width,height,avg_frame_rate,r_frame_rate,pix_fmt,channels,duration,start_time,${PICTURE_ENTRIES}:stream_disposition=attached_pic,default,forced:stream_tags=language,title,DURATION`,
    fileUrl(absolutePath),
  ];
  const result = await run(ffprobePath, args, { timeoutMs: 30_000, ...(signal ? { signal } : {}) });
  if (result.spawnError !== undefined)
    return { ok: false, reason: `ffprobe could not start: ${result.spawnError}` };
  if (result.timedOut) return { ok: false, reason: 'ffprobe timed out reading the source' };
  if (result.exitCode !== 0)
    return {
      ok: false,
      reason: lastLines(result.stderr) || `ffprobe exited with ${String(result.exitCode)}`,
    };
  try {
    const info = parseSourceInfo(result.stdout);
    if (info.video === null) return { ok: false, reason: 'source has no video stream' };
    const picture = info.video.picture;
    if (picture === undefined || picture.hdr === null) return { ok: true, info };
    const hdr10 = await probeHdr10(run, ffprobePath, absolutePath, info.video.index, signal);
    return { ok: true, info: { ...info, video: { ...info.video, picture: { ...picture, hdr10 } } } };
  } catch {
    return { ok: false, reason: 'ffprobe printed no usable description of the source' };
  }
}

/**
 * HDR10 metadata from the first frame of stream `index` (FFmpeg 5.1 puts it on frames, decoded from SEI, not on the
 * stream). Never throws: a source without it, or a probe that fails, gives null (tone mapping works without it).
 */
export async function probeHdr10(
  run: RunCommand,
  ffprobePath: string,
  absolutePath: string,
  index: number,
  signal?: AbortSignal,
): Promise<Hdr10Metadata | null> {
  // prettier-ignore
  const args = [
    '-v', 'error',
    ...inputHardening(),
    '-print_format', 'json',
    // One packet of this stream only: the first frame carries the SEI; reading further would decode 4K for nothing.
    '-select_streams', String(index), '-read_intervals', '%+#1',
    '-show_entries', 'frame_side_data=side_data_type,red_x,red_y,green_x,green_y,blue_x,blue_y,white_point_x,white_point_y,min_luminance,max_luminance,max_content,max_average',
    fileUrl(absolutePath),
  ];
  const result = await run(ffprobePath, args, { timeoutMs: 30_000, ...(signal ? { signal } : {}) });
  if (result.exitCode !== 0) return null;
  try {
    return parseHdr10(result.stdout);
  } catch {
    return null;
  }
}

/** The last meaningful lines of FFmpeg's stderr, as FFmpeg wrote them (a job's view shortens the path: publicReason). */
export function lastLines(stderr: string, maxChars = 400): string {
  const lines = stderr
    .split('\n')
    .map(cleanLine)
    .filter((l) => l !== '');
  const text = lines.slice(-3).join('; ');
  return text.length > maxChars ? text.slice(text.length - maxChars) : text;
}
