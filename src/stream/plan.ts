// Pure: request + probed source + chosen encoder → the HLS plan FFmpeg runs.
import type { AudioPlan, HlsJobPlan } from '../ffmpeg/hls-args.js';
import { gopFrames } from '../ffmpeg/hls-args.js';
import type { Container } from '../hls/stream-folder.js';
import { chooseAudioCodec, chooseAudioTrack } from '../media/audio-choice.js';
import { defaultBitrateKbps, outputHeight, outputWidth } from '../media/picture.js';
import type { OutputCodec, VideoMode } from '../media/video-mode.js';
import type { SourceInfo } from '../media/source-info.js';
import { chooseBurnIn, type BurnIn } from '../media/subtitle-track.js';
import { firstFrameSeconds } from './heads.js';
import type { EncoderChoice } from './encoder-choice.js';
import type { AudioView, JobOutput } from '../contract/job-view.js';
import { planLadder, type VariantLayout } from './variant-plan.js';
import type { JobRequest } from '../contract/job-request.js';

export const DEFAULT_SEGMENT_SECONDS = 4;

export { defaultBitrateKbps, outputHeight, outputWidth } from '../media/picture.js';

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
  /** An ABR job's variants (null: one quality) and the encoder of each codec they make. */
  readonly ladder?: {
    readonly layout: VariantLayout;
    readonly encoderFor: (codec: OutputCodec) => EncoderChoice;
  };
}

/**
 * The segment container a job gets: fMP4 for AV1 (MPEG-TS does not carry it), what the request asks, else fMP4 when
 * a codec is HEVC (Apple plays HEVC in HLS only so), else TS. An ABR job's variants share one container.
 */
export function containerOf(request: JobRequest, codecs: OutputCodec | readonly OutputCodec[]): Container {
  const all: readonly OutputCodec[] = typeof codecs === 'string' ? [codecs] : codecs;
  if (all.includes('av1')) return 'fmp4';
  return request.container ?? (all.includes('hevc') ? 'fmp4' : 'ts');
}

/** The image subtitle track a request burns in (null: none), or why it cannot. */
export function burnInOf(
  request: JobRequest,
  source: SourceInfo,
): BurnIn | { readonly error: string } | null {
  return request.burnSubtitles === undefined
    ? null
    : chooseBurnIn(source.subtitleTracks, request.burnSubtitles.track);
}

/** The audio a job carries (null without audio) and how the view describes it. */
function planAudio(request: JobRequest, source: SourceInfo): { plan: AudioPlan; view: AudioView } | null {
  const track = chooseAudioTrack(source.audioTracks, {
    track: request.audio?.track,
    lang: request.audio?.lang,
  });
  if (track === null) return null;
  const choice = chooseAudioCodec(request.audio?.codec ?? 'aac', track, request.audio?.channels);
  const channels = choice.copy
    ? track.channels
    : (request.audio?.channels ?? Math.min(2, Math.max(1, track.channels)));
  return {
    plan: {
      streamIndex: track.index,
      copy: choice.copy,
      bitrateKbps: request.audio?.bitrateKbps ?? 128,
      channels,
    },
    view: {
      index: source.audioTracks.indexOf(track),
      language: track.language,
      codec: choice.copy ? track.codec : 'aac',
      channels,
      copied: choice.copy,
      reason: choice.reason,
    },
  };
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
  const audio = planAudio(request, source);
  const burn = burnInOf(request, source);
  if (burn !== null && 'error' in burn) throw new Error(burn.error);
  const common = {
    inputPath: ctx.inputPath,
    outputDir: ctx.outputDir,
    videoStreamIndex: video.index,
    audio: audio?.plan ?? null,
    segmentSeconds,
    head: ctx.head,
    startSegment: ctx.startSegment,
    firstFrameSeconds: firstFrameSeconds(ctx.startSegment, segmentSeconds, video.fps, video.startSeconds),
    ...(burn === null ? {} : { burnStreamIndex: burn.streamIndex }),
  };
  const burned = { burnedSubtitles: burn === null ? null : { ...burn } };
  const settings = {
    gopFrames: gopFrames(video.fps, segmentSeconds),
    segmentSeconds,
    threads: ctx.threads,
    lowMemory: ctx.lowMemory,
  };
  if (ctx.ladder !== undefined) {
    const { layout, encoderFor } = ctx.ladder;
    const container = containerOf(
      request,
      layout.variants.map((v) => v.codec),
    );
    const ladder = planLadder(layout, video, {
      ...settings,
      encoderFor,
      container,
      audio: audio?.plan ?? null,
    });
    return {
      plan: { ...common, video: ladder.first, variants: ladder.variants, container },
      output: {
        ...ladder.output,
        segmentSeconds,
        segmentCount: streamSegments(source, segmentSeconds),
        audio: audio !== null,
        container,
        audioTrack: audio?.view ?? null,
        variants: ladder.views,
        droppedVariants: layout.dropped,
        ...burned,
      },
    };
  }
  const mode = ctx.video;
  const codec = mode.codec;
  // A copy keeps the source's picture and bitrate (0: not set by the worker).
  const height = mode.copy ? video.height : outputHeight(request.video.height, video.height);
  const bitrateKbps = mode.copy ? 0 : (request.video.bitrateKbps ?? defaultBitrateKbps(height, codec));
  const container = containerOf(request, codec);
  const plan: HlsJobPlan = {
    ...common,
    video: {
      ...settings,
      encoder: ctx.encoder.name,
      accelerator: ctx.encoder.accelerator,
      device: ctx.encoder.device,
      codec,
      height,
      bitrateKbps,
    },
    container,
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
    audioTrack: audio?.view ?? null,
    ...burned,
  };
  return { plan, output };
}
