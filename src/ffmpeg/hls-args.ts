// Pure: a job plan → FFmpeg's argument list for one HLS rendition. Every flag group says why it is there.
import path from 'node:path';
import { fileUrl, inputHardening } from '../media/demuxers.js';
import { burnIn, variantStreams } from './variant-args.js';
import { videoEncoderArgs, type VideoEncodeSettings, type VideoEncoderArgs } from './video-encoder.js';
import {
  headInitName,
  headPlaylistName,
  headSegmentPattern,
  TIMESTAMP_BASE_SECONDS,
  type Container,
} from '../hls/stream-folder.js';

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
  /**
   * Filters on the decoded picture before the encoder family's own (deinterlace, tone map, text burn-in), run once
   * before any split into variants; absent or '': none.
   */
  readonly pictureFilter?: string;
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
          plan.pictureFilter,
        );
  const picture = plan.pictureFilter ?? '';
  // The picture chain first, then the family's (scaling, pixel format, upload to the device).
  const vf = [picture, v.filter].filter((f) => f !== '').join(',');
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
          `${burnIn(plan.videoStreamIndex, plan.burnStreamIndex, picture)}${v.filter === '' ? '' : `,${v.filter}`}[v]`,
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
          ...(vf === '' ? [] : ['-vf', vf]),
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
