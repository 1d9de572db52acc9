// Pure: request + probed source + chosen encoder → the HLS plan FFmpeg runs.
import type { Container, HlsJobPlan } from '../ffmpeg/hls-args.js';
import { gopFrames } from '../ffmpeg/hls-args.js';
import type { AcceleratorType } from '../hardware/types.js';
import { chooseAudioCodec, chooseAudioTrack } from '../media/audio-choice.js';
import type { OutputCodec, VideoMode } from '../media/video-mode.js';
import type { SourceInfo } from '../media/source-info.js';
import { firstFrameSeconds } from './heads.js';
import type { JobOutput } from './job.js';
import type { JobRequest } from './job-request.js';

export const DEFAULT_SEGMENT_SECONDS = 4;

/** A bitrate that looks good at this height for H.264; HEVC needs about 60 % of it. */
export function defaultBitrateKbps(height: number, codec: OutputCodec): number {
  const h264 =
    height <= 240
      ? 400
      : height <= 360
        ? 800
        : height <= 480
          ? 1400
          : height <= 576
            ? 2000
            : height <= 720
              ? 3000
              : height <= 1080
                ? 6000
                : height <= 1440
                  ? 10000
                  : 18000;
  return codec === 'hevc' ? Math.round(h264 * 0.6) : codec === 'av1' ? Math.round(h264 * 0.5) : h264;
}

/** Output height: exactly the requested one (the orchestrator decides; it may upscale), else the source's; always even. */
export function outputHeight(requested: number | undefined, sourceHeight: number): number {
  const h = requested ?? (sourceHeight > 0 ? sourceHeight : 720);
  return Math.max(2, h - (h % 2));
}

/** Output width for a height, keeping the source's aspect ratio, even (what scale=-2:H computes). */
export function outputWidth(height: number, source: { width: number; height: number }): number | null {
  if (source.width <= 0 || source.height <= 0) return null;
  // The same arithmetic as FFmpeg's scale=-2:H (round half up to a multiple of two).
  return Math.round((source.width * height) / (source.height * 2)) * 2;
}

/**
 * Number of segments a source of this duration is cut into: one per cut point some frame reaches. With the frame
 * rate known, the last frame starts a frame before the end; without it, a tail under a millisecond is rounding noise.
 */
export function segmentCount(durationSeconds: number, segmentSeconds: number, fps = 0): number {
  const lastFrameStart = durationSeconds - (fps > 0 ? 1 / fps : 0.001);
  return Math.max(1, Math.floor(lastFrameStart / segmentSeconds + 1e-9) + 1);
}

/** The length the stream will have: the video's own duration where the container states it, else the file's. */
export function mediaDuration(source: SourceInfo): number {
  const video = source.video?.durationSeconds ?? 0;
  return video > 0 ? video : source.durationSeconds;
}

/** Segments the stream will have; null when the source's length is unknown. */
export function streamSegments(source: SourceInfo, segmentSeconds: number): number | null {
  const duration = mediaDuration(source);
  return duration > 0 ? segmentCount(duration, segmentSeconds, source.video?.fps ?? 0) : null;
}

export interface EncoderChoice {
  readonly name: string;
  readonly accelerator: AcceleratorType | null;
  readonly device: string | null;
}

export interface PlanContext {
  readonly inputPath: string;
  readonly outputDir: string;
  readonly encoder: EncoderChoice;
  readonly threads: number | null;
  readonly lowMemory: boolean;
  /** The head's id (its file names). */
  readonly head: number;
  /** Copy or transcode, and to which codec (decided once the source was probed). */
  readonly video: VideoMode;
  /** First segment of this head (0, a seek, or where a failed hardware head stopped). */
  readonly startSegment: number;
}

/**
 * The segment container a job gets: fMP4 for AV1 (MPEG-TS does not carry it), what the request asks, else fMP4 for
 * HEVC (Apple plays HEVC in HLS only so), else TS.
 */
export function containerOf(request: JobRequest, codec: OutputCodec): Container {
  if (codec === 'av1') return 'fmp4';
  return request.container ?? (codec === 'hevc' ? 'fmp4' : 'ts');
}

/** Builds the plan and the output description the job reports. */
export function planJob(
  request: JobRequest,
  source: SourceInfo,
  ctx: PlanContext,
): { plan: HlsJobPlan; output: JobOutput } {
  const video = source.video;
  if (video === null) throw new Error('planJob needs a source with video');
  const segmentSeconds = request.segmentSeconds ?? DEFAULT_SEGMENT_SECONDS;
  const mode = ctx.video;
  const codec = mode.codec;
  // A copy keeps the source's picture and bitrate (0: not set by the worker).
  const height = mode.copy ? video.height : outputHeight(request.video.height, video.height);
  const bitrateKbps = mode.copy ? 0 : (request.video.bitrateKbps ?? defaultBitrateKbps(height, codec));
  const container = containerOf(request, codec);
  const track = chooseAudioTrack(source.audioTracks, {
    track: request.audio?.track,
    lang: request.audio?.lang,
  });
  const codecChoice =
    track === null ? null : chooseAudioCodec(request.audio?.codec ?? 'aac', track, request.audio?.channels);
  const audio =
    track === null || codecChoice === null
      ? null
      : {
          streamIndex: track.index,
          copy: codecChoice.copy,
          bitrateKbps: request.audio?.bitrateKbps ?? 128,
          channels: codecChoice.copy
            ? track.channels
            : (request.audio?.channels ?? Math.min(2, Math.max(1, track.channels))),
        };
  const plan: HlsJobPlan = {
    inputPath: ctx.inputPath,
    outputDir: ctx.outputDir,
    videoStreamIndex: video.index,
    video: {
      encoder: ctx.encoder.name,
      accelerator: ctx.encoder.accelerator,
      device: ctx.encoder.device,
      codec,
      height,
      bitrateKbps,
      gopFrames: gopFrames(video.fps, segmentSeconds),
      segmentSeconds,
      threads: ctx.threads,
      lowMemory: ctx.lowMemory,
    },
    audio,
    segmentSeconds,
    head: ctx.head,
    container,
    startSegment: ctx.startSegment,
    firstFrameSeconds: firstFrameSeconds(ctx.startSegment, segmentSeconds, video.fps, video.startSeconds),
  };
  const output: JobOutput = {
    codec,
    encoder: ctx.encoder.name,
    video: { copied: mode.copy, reason: mode.reason },
    width: mode.copy ? video.width : outputWidth(height, video),
    height,
    bitrateKbps,
    segmentSeconds,
    segmentCount: streamSegments(source, segmentSeconds),
    audio: audio !== null,
    container,
    audioTrack:
      track === null || audio === null || codecChoice === null
        ? null
        : {
            index: source.audioTracks.indexOf(track),
            language: track.language,
            codec: audio.copy ? track.codec : 'aac',
            channels: audio.channels,
            copied: audio.copy,
            reason: codecChoice.reason,
          },
  };
  return { plan, output };
}
