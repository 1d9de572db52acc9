// Pure: a job plan → FFmpeg's argument list for one HLS rendition. Every flag group says why it is there.
import path from 'node:path';
import { fileUrl, inputHardening } from '../media/demuxers.js';
import { burnIn, variantStreams } from './variant-args.js';
import { videoEncoderArgs, type VideoEncodeSettings, type VideoEncoderArgs } from './video-encoder.js';

export const PLAYLIST_NAME = 'stream.m3u8';

/** MPEG-TS segments (H.264 by default), or fragmented MP4 (HEVC, which Apple plays in HLS only this way). */
export type Container = 'ts' | 'fmp4';

/** The fMP4 initialisation segment players fetch once (#EXT-X-MAP). */
export const INIT_NAME = 'init.mp4';

function extension(container: Container): string {
  return container === 'fmp4' ? 'm4s' : 'ts';
}

/** The master playlist: every variant (and subtitle rendition) of a job, for players that choose among them. */
export const MASTER_NAME = 'master.m3u8';

/**
 * Variant i of an adaptive-bitrate job writes v{i}.m3u8, v{i}-init.mp4, v{i}-seg-K; a single-quality job has no
 * variant (null) and keeps stream.m3u8, init.mp4, seg-K.
 */
export type VariantId = number | null;

function prefix(variant: VariantId): string {
  return variant === null ? '' : `v${variant}-`;
}

/** Segment file name for an index; the HTTP layer accepts exactly these names. */
export function segmentName(index: number, container: Container = 'ts', variant: VariantId = null): string {
  return `${prefix(variant)}seg-${index}.${extension(container)}`;
}

/**
 * A variant's fMP4 initialisation segment. Generation 0 is the job's first encoder's; a hardware encoder that fails
 * mid-stream is followed by the software one's (generation 1: init-1.mp4), listed after a discontinuity.
 */
export function initName(variant: VariantId = null, generation = 0): string {
  const name = generation === 0 ? INIT_NAME : `init-${generation}.mp4`;
  return `${prefix(variant)}${name}`;
}

/** A variant's media playlist (stream.m3u8 for a single-quality job). */
export function mediaPlaylistName(variant: VariantId = null): string {
  return variant === null ? PLAYLIST_NAME : `v${variant}.m3u8`;
}

const NUMBER = '(0|[1-9][0-9]{0,8})';
const VARIANT = '(?:v([0-9])-)?';
const SEGMENT_RE = new RegExp(`^${VARIANT}seg-${NUMBER}\\.(?:ts|m4s)$`);
const INIT_RE = /^(?:v([0-9])-)?init(?:-[1-9])?\.mp4$/;
const PLAYLIST_RE = /^v([0-9])\.m3u8$/;
const HEAD_SEGMENT_RE = new RegExp(`^h${NUMBER}-${VARIANT}${NUMBER}\\.(?:ts|m4s)$`);
const HEAD_PLAYLIST_RE = new RegExp(`^h${NUMBER}(?:-v([0-9]))?\\.m3u8$`);

function variantOf(text: string | undefined): VariantId {
  return text === undefined ? null : Number(text);
}

/** Variant and index of a segment file name, or null if the name is not one we write (seg-012.ts, seg-1.ts.tmp). */
export function parseSegmentName(
  name: string,
): { readonly variant: VariantId; readonly index: number } | null {
  const m = SEGMENT_RE.exec(name);
  return m?.[2] === undefined ? null : { variant: variantOf(m[1]), index: Number(m[2]) };
}

/** Index of a segment file name of any variant, or null. */
export function segmentIndex(name: string): number | null {
  return parseSegmentName(name)?.index ?? null;
}

/** The variant of an init segment name (init.mp4 → null), or undefined for any other name. */
export function parseInitName(name: string): VariantId | undefined {
  const m = INIT_RE.exec(name);
  return m === null ? undefined : variantOf(m[1]);
}

/** The variant of a variant playlist name (v2.m3u8 → 2), or null for any other name. */
export function parseVariantPlaylist(name: string): number | null {
  const m = PLAYLIST_RE.exec(name);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/**
 * A head's own name for segment n: each FFmpeg run writes its own files, so two runs never share a (temp) file.
 * With variants FFmpeg fills in %v (h0-v%v-%d.ts → h0-v1-7.ts).
 */
export function headSegmentPattern(head: number, container: Container = 'ts', variants = false): string {
  return `h${head}-${variants ? 'v%v-' : ''}%d.${extension(container)}`;
}

/** A head's own fMP4 initialisation segment (of a variant; with `'%v'`, the pattern FFmpeg fills in). */
export function headInitName(head: number, variant: VariantId | '%v' = null): string {
  return variant === null ? `h${head}-init.mp4` : `h${head}-v${variant}-init.mp4`;
}

/** Head id, variant and segment index of a head's finished segment file name, or null for any other name. */
export function headSegment(
  name: string,
): { readonly head: number; readonly variant: VariantId; readonly index: number } | null {
  const m = HEAD_SEGMENT_RE.exec(name);
  return m?.[1] === undefined || m[3] === undefined
    ? null
    : { head: Number(m[1]), variant: variantOf(m[2]), index: Number(m[3]) };
}

/** The playlist FFmpeg writes for one head (and variant; '%v' for the pattern). Players never see it. */
export function headPlaylistName(head: number, variant: VariantId | '%v' = null): string {
  return variant === null ? `h${head}.m3u8` : `h${head}-v${variant}.m3u8`;
}

/** Head id and variant of a head playlist name, or null for any other name. */
export function headPlaylistId(name: string): { readonly head: number; readonly variant: VariantId } | null {
  const m = HEAD_PLAYLIST_RE.exec(name);
  return m?.[1] === undefined ? null : { head: Number(m[1]), variant: variantOf(m[2]) };
}

/**
 * Output timestamps start this far in. A head at 0 would otherwise begin with a negative DTS (B-frame reorder
 * delay), which the muxer shifts by that delay, and a seek head would not: their segments would differ by it.
 */
export const TIMESTAMP_BASE_SECONDS = 1;

export interface AudioPlan {
  /** ffprobe stream index of the chosen audio track. */
  readonly streamIndex: number;
  /** Copy the track as it is (AAC, AC-3, E-AC-3) instead of encoding AAC. */
  readonly copy?: boolean;
  readonly bitrateKbps: number;
  readonly channels: number;
}

export interface HlsJobPlan {
  /** Verified absolute path inside the mount. */
  readonly inputPath: string;
  readonly outputDir: string;
  /** ffprobe stream index of the video track. */
  readonly videoStreamIndex: number;
  readonly video: VideoEncodeSettings;
  /** null when the source has no audio. */
  readonly audio: AudioPlan | null;
  readonly segmentSeconds: number;
  /** The head (FFmpeg run) id: its file names. */
  readonly head: number;
  /** First segment this head writes: 0, where a viewer sought to, or where a failed head stopped. */
  readonly startSegment: number;
  /** Source time of the head's first frame (the first at or after startSegment × segmentSeconds). */
  readonly firstFrameSeconds: number;
  /** Absent: MPEG-TS. */
  readonly container?: Container;
  /** An image subtitle stream (ffprobe index) drawn into the picture before scaling; absent: none. */
  readonly burnStreamIndex?: number;
  /** Adaptive bitrate: one encode (or copy) per variant from one decode; `video` is then the first's settings. */
  readonly variants?: readonly VariantPlan[];
}

export interface VariantPlan {
  readonly copy: boolean;
  readonly settings: VideoEncodeSettings;
}

/** Frames in one segment at this frame rate, rounded up: the GOP length that never cuts inside a segment. */
export function gopFrames(fps: number, segmentSeconds: number): number {
  return Math.max(1, Math.ceil(fps * segmentSeconds - 1e-6));
}

/** The full argument list (without the ffmpeg binary itself). */
export function buildHlsArgs(plan: HlsJobPlan): string[] {
  const base = { segment: plan.startSegment, firstFrameSeconds: plan.firstFrameSeconds };
  const encodeArgs = (s: VideoEncodeSettings): VideoEncoderArgs =>
    videoEncoderArgs({ ...s, cutBase: s.cutBase === 'source' ? 'source' : base });
  const v = encodeArgs(plan.video);
  const abr =
    plan.variants === undefined
      ? null
      : variantStreams(
          plan.variants.map((x) => ({ copy: x.copy, args: encodeArgs(x.settings) })),
          plan.videoStreamIndex,
          plan.audio?.streamIndex ?? null,
          plan.burnStreamIndex,
        );
  const seek = plan.startSegment > 0;
  const container = plan.container ?? 'ts';
  const start = plan.startSegment * plan.segmentSeconds;
  // A seek head's first frame becomes time 0 in FFmpeg; a head at 0 keeps the source's times.
  const offset = TIMESTAMP_BASE_SECONDS + (seek ? plan.firstFrameSeconds : 0);
  const audio: string[] =
    plan.audio === null
      ? []
      : plan.audio.copy === true
        ? // The source's own audio: no decode, no encode (the job chose copy for a codec HLS carries).
          ['-c:a', 'copy']
        : // prettier-ignore
          [
          // AAC-LC stereo (or as asked): what every HLS client decodes.
          '-c:a', 'aac', '-b:a', `${plan.audio.bitrateKbps}k`, '-ac', String(plan.audio.channels),
        ];
  // prettier-ignore
  return [
    // Quiet, machine-readable: errors only on stderr, progress blocks on stdout, never read stdin.
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1',
    ...(abr === null ? v.beforeInput : abr.beforeInput),
    // Two decoder threads on a ≤ 1 GiB machine: each frame thread holds its own reference frames.
    ...(plan.video.lowMemory ? ['-threads', '2'] : []),
    // A head past 0 seeks the input (accurate: decoded frames before the point are dropped) to its first cut.
    ...(seek ? ['-ss', String(start)] : []),
    ...inputHardening(),
    '-i', fileUrl(plan.inputPath),
    ...(abr === null && plan.burnStreamIndex !== undefined
      ? [
          // The subtitle pictures drawn over the video, then the family's chain; the result is the one video output.
          '-filter_complex',
          `${burnIn(plan.videoStreamIndex, plan.burnStreamIndex)}${v.filter === '' ? '' : `,${v.filter}`}[v]`,
          '-map', '[v]',
          ...(plan.audio === null ? [] : ['-map', `0:${plan.audio.streamIndex}`]),
          '-sn', '-dn',
          ...v.output,
        ]
      : abr === null
      ? [
          // Explicit maps: one video track, the chosen audio track, no subtitles or data streams.
          '-map', `0:${plan.videoStreamIndex}`,
          ...(plan.audio === null ? [] : ['-map', `0:${plan.audio.streamIndex}`]),
          '-sn', '-dn',
          ...(v.filter === '' ? [] : ['-vf', v.filter]),
          ...v.output,
        ]
      : [...abr.mapping, '-sn', '-dn', ...abr.codecs]),
    ...audio,
    // Room for sources whose audio and video are interleaved far apart.
    '-max_muxing_queue_size', '1024',
    // Every head's timestamps are the source's (plus the base): a segment from any head fits between any others.
    '-output_ts_offset', offset.toFixed(6),
    '-f', 'hls',
    // Cut at the forced keyframes: every segment is segmentSeconds long.
    '-hls_time', String(plan.segmentSeconds),
    // Keep every segment listed (event playlist: players can seek back to the start).
    '-hls_list_size', '0', '-hls_playlist_type', 'event',
    // temp_file: a segment appears under its final name only once complete; independent_segments: each starts on an IDR.
    '-hls_flags', 'temp_file+independent_segments',
    ...(container === 'fmp4'
      ? [
          // fMP4 with an init segment (#EXT-X-MAP): how Apple devices play HEVC in HLS; each head has its own.
          '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', headInitName(plan.head, abr === null ? null : '%v'),
        ]
      : ['-hls_segment_type', 'mpegts']),
    // One playlist and segment series per variant (%v in the names below), all cut at the same forced keyframes.
    ...(abr === null ? [] : ['-var_stream_map', abr.streamMap]),
    // Segment numbers are the stream's; the worker links each finished file to its public name (seg-N.ts).
    '-start_number', String(plan.startSegment),
    '-hls_segment_filename', path.join(plan.outputDir, headSegmentPattern(plan.head, container, abr !== null)),
    path.join(plan.outputDir, headPlaylistName(plan.head, abr === null ? null : '%v')),
  ];
}
