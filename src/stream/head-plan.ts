// Pure: one head's FFmpeg plan and the job view's output, from the stream's plan plus where the head starts and which
// encoders it runs. The stream plan decided everything else once.
import path from 'node:path';
import { gopFrames, type HlsJobPlan } from '../ffmpeg/hls-args.js';
import { deinterlaceFilter, subtitleBurnFilter, toneMapFilter } from '../ffmpeg/picture-filters.js';
import { BURN_TEXT_NAME } from '../hls/stream-folder.js';
import { defaultBitrateKbps, outputHeight, outputWidth } from '../media/picture.js';
import type { SourceInfo } from '../media/source-info.js';
import type { OutputCodec, VideoMode } from '../media/video-mode.js';
import type { JobOutput } from '../contract/job-view.js';
import type { JobRequest } from '../contract/job-request.js';
import type { EncoderChoice } from './encoder-choice.js';
import { firstFrameSeconds } from './heads.js';
import { streamPlanOf, type StreamPlan } from './plan.js';
import { planLadder, type VariantLayout } from './variant-plan.js';

/** What differs between a stream's heads. */
export interface HeadContext {
  readonly inputPath: string;
  readonly outputDir: string;
  /** The encoder of a one-quality head (the copy choice for a copy). */
  readonly encoder: EncoderChoice;
  /** An ABR head's encoder of each codec its variants make. */
  readonly encoderFor: (codec: OutputCodec) => EncoderChoice;
  readonly threads: number | null;
  readonly lowMemory: boolean;
  /** The head's id (its file names). */
  readonly head: number;
  /** First segment of this head (0, a seek, or where a failed hardware head stopped). */
  readonly startSegment: number;
}

/**
 * The head's picture chain: deinterlace (on the decoded fields), tone map, then a text track burned in from the .ass
 * the job extracted, its cues moved to source time when the head started with a seek. '' for a plain job.
 */
export function pictureFilterOf(
  stream: StreamPlan,
  outputDir: string,
  firstFrameSeconds: number,
  seek: boolean,
): string {
  const { picture, burn, sourceVideo: video } = stream;
  const steps: string[] = [];
  if (picture.deinterlace !== null) steps.push(deinterlaceFilter(picture.deinterlace));
  if (picture.toneMap !== null) {
    // One quality: scale in the tone mapper's first zscale, so its float stages work on the output's pixels (4K →
    // 1080p: 4× fewer) and the family's scale is then a no-op. Not for a ladder (its variants differ) nor under an
    // image overlay (a PGS canvas is the source's size and must meet a picture of that size).
    const height = outputHeight(stream.request.video.height, video.height);
    const sized = stream.layout === null && (burn === null || burn.text === true);
    const width = sized ? outputWidth(height, video) : null;
    const size = width === null ? {} : { size: { width, height } };
    steps.push(toneMapFilter(picture.toneMap.source, { operator: picture.toneMap.operator, ...size }));
  }
  if (burn?.text === true)
    steps.push(
      subtitleBurnFilter({
        file: path.join(outputDir, BURN_TEXT_NAME),
        sourceOffsetSeconds: seek ? firstFrameSeconds : 0,
      }),
    );
  return steps.join(',');
}

/** Builds a head's plan and the output description the job reports. */
export function planHead(stream: StreamPlan, ctx: HeadContext): { plan: HlsJobPlan; output: JobOutput } {
  const { request, sourceVideo: video, segmentSeconds, audio, burn, container } = stream;
  const first = firstFrameSeconds(ctx.startSegment, segmentSeconds, video.fps, video.startSeconds);
  const pictureFilter = pictureFilterOf(stream, ctx.outputDir, first, ctx.startSegment > 0);
  const common = {
    inputPath: ctx.inputPath,
    outputDir: ctx.outputDir,
    videoStreamIndex: video.index,
    audio: audio?.plan ?? null,
    segmentSeconds,
    head: ctx.head,
    startSegment: ctx.startSegment,
    firstFrameSeconds: first,
    ...(burn === null || burn.text === true ? {} : { burnStreamIndex: burn.streamIndex }),
    ...(pictureFilter === '' ? {} : { pictureFilter }),
  };
  const steps = stream.picture.shown
    ? { toneMapped: stream.picture.toneMapped, deinterlaced: stream.picture.deinterlaced }
    : {};
  const described = {
    segmentSeconds,
    segmentCount: stream.nominalCount,
    audio: audio !== null,
    container,
    audioTrack: audio?.view ?? null,
  };
  const burned = { burnedSubtitles: burn === null ? null : { ...burn } };
  const settings = {
    gopFrames: gopFrames(video.fps, segmentSeconds),
    segmentSeconds,
    threads: ctx.threads,
    lowMemory: ctx.lowMemory,
  };
  if (stream.layout !== null) {
    const ladder = planLadder(stream.layout, video, {
      ...settings,
      encoderFor: ctx.encoderFor,
      container,
      audio: audio?.plan ?? null,
    });
    return {
      plan: { ...common, video: ladder.first, variants: ladder.variants, container },
      output: {
        ...ladder.output,
        video: { ...ladder.output.video, ...steps },
        ...described,
        variants: ladder.views,
        droppedVariants: stream.layout.dropped,
        ...burned,
      },
    };
  }
  const mode = stream.video;
  const codec = mode.codec;
  // A copy keeps the source's picture and bitrate (0: not set by the worker).
  const height = mode.copy ? video.height : outputHeight(request.video.height, video.height);
  const bitrateKbps = mode.copy ? 0 : (request.video.bitrateKbps ?? defaultBitrateKbps(height, codec));
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
    video: { copied: mode.copy, reason: mode.reason, ...steps },
    width: mode.copy ? video.width : outputWidth(height, video),
    height,
    bitrateKbps,
    ...described,
    ...burned,
  };
  return { plan, output };
}

/** A head of a fresh stream in one call, for tests and the bench: what planStream and planHead make together. */
export function planJob(
  request: JobRequest,
  source: SourceInfo,
  ctx: Omit<HeadContext, 'encoderFor'> & {
    readonly video: VideoMode;
    readonly ladder?: {
      readonly layout: VariantLayout;
      readonly encoderFor: (codec: OutputCodec) => EncoderChoice;
    };
  },
): { plan: HlsJobPlan; output: JobOutput } {
  const stream = streamPlanOf(request, source, ctx.video, ctx.ladder?.layout ?? null);
  return planHead(stream, { ...ctx, encoderFor: ctx.ladder?.encoderFor ?? (() => ctx.encoder) });
}
