// Pure: a job plan → FFmpeg's argument list for one HLS rendition. Every flag group says why it is there.
import path from 'node:path';
import { fileUrl, inputHardening } from '../media/demuxers.js';
import { videoEncoderArgs, type VideoEncodeSettings } from './video-encoder.js';

export const PLAYLIST_NAME = 'stream.m3u8';

/** Segment file name for an index; the HTTP layer accepts exactly these names. */
export function segmentName(index: number): string {
  return `seg-${index}.ts`;
}

/** Index of a segment file name, or null if the name is not one we write (seg-012.ts, seg-1.ts.tmp → null). */
export function segmentIndex(name: string): number | null {
  const m = /^seg-(0|[1-9][0-9]{0,8})\.ts$/.exec(name);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/** The playlist file name of the run that starts at a segment. */
export function runPlaylistName(startSegment: number): string {
  return `run-${startSegment}.m3u8`;
}

/** Start segment of a run playlist name, or null for any other name. */
export function runPlaylistStart(name: string): number | null {
  const m = /^run-(0|[1-9][0-9]{0,8})\.m3u8$/.exec(name);
  return m?.[1] === undefined ? null : Number(m[1]);
}

export interface AudioPlan {
  /** ffprobe stream index of the chosen audio track. */
  readonly streamIndex: number;
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
  /** First segment this run writes: 0, or where a run that failed stopped (the input is sought to it). */
  readonly startSegment: number;
}

/** Frames in one segment at this frame rate, rounded up: the GOP length that never cuts inside a segment. */
export function gopFrames(fps: number, segmentSeconds: number): number {
  return Math.max(1, Math.ceil(fps * segmentSeconds - 1e-6));
}

/** The full argument list (without the ffmpeg binary itself). */
export function buildHlsArgs(plan: HlsJobPlan): string[] {
  const v = videoEncoderArgs(plan.video);
  const start = plan.startSegment * plan.segmentSeconds;
  const audio: string[] =
    plan.audio === null
      ? []
      : // prettier-ignore
        [
          // AAC-LC stereo (or as asked): what every HLS client decodes.
          '-c:a', 'aac', '-b:a', `${plan.audio.bitrateKbps}k`, '-ac', String(plan.audio.channels),
        ];
  // prettier-ignore
  return [
    // Quiet, machine-readable: errors only on stderr, progress blocks on stdout, never read stdin.
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1',
    ...v.beforeInput,
    // Two decoder threads on a ≤ 1 GiB machine: each frame thread holds its own reference frames.
    ...(plan.video.lowMemory ? ['-threads', '2'] : []),
    // A continuing run seeks the input (accurate: decoded frames before the point are dropped) to its first cut.
    ...(plan.startSegment > 0 ? ['-ss', String(start)] : []),
    ...inputHardening(),
    '-i', fileUrl(plan.inputPath),
    // Explicit maps: one video track, the chosen audio track, no subtitles or data streams.
    '-map', `0:${plan.videoStreamIndex}`,
    ...(plan.audio === null ? [] : ['-map', `0:${plan.audio.streamIndex}`]),
    '-sn', '-dn',
    ...(v.filter === '' ? [] : ['-vf', v.filter]),
    ...v.output,
    ...audio,
    // Room for sources whose audio and video are interleaved far apart.
    '-max_muxing_queue_size', '1024',
    // A continuing run's timestamps carry on from where the stream is, not from zero.
    ...(plan.startSegment > 0 ? ['-output_ts_offset', String(start)] : []),
    '-f', 'hls',
    // Cut at the forced keyframes: every segment is segmentSeconds long.
    '-hls_time', String(plan.segmentSeconds),
    // Keep every segment listed (event playlist: players can seek back to the start).
    '-hls_list_size', '0', '-hls_playlist_type', 'event',
    // temp_file: a segment appears under its final name only once complete; independent_segments: each starts on an IDR.
    '-hls_flags', 'temp_file+independent_segments',
    '-hls_segment_type', 'mpegts',
    // Segment numbers continue the stream's; the run's own playlist is composed into stream.m3u8 by the worker.
    '-start_number', String(plan.startSegment),
    '-hls_segment_filename', path.join(plan.outputDir, 'seg-%d.ts'),
    path.join(plan.outputDir, runPlaylistName(plan.startSegment)),
  ];
}
