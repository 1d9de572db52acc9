// Pure: how a job's stream is made, decided once its source is probed and then frozen (StreamPlan): the video mode,
// the ladder, the segment length and count, the container, the audio, the burned-in subtitle, VOD or event, seek
// heads or one. Each head derives its FFmpeg arguments from this plan plus where it starts (head-plan.ts); nothing
// downstream re-derives a default.
import type { AudioPlan } from '../ffmpeg/hls-args.js';
import type { Container, VariantId } from '../hls/stream-folder.js';
import { chooseAudioCodec, chooseAudioTrack } from '../media/audio-choice.js';
import { chooseVideoMode, type OutputCodec, type VideoMode } from '../media/video-mode.js';
import type { SourceInfo } from '../media/source-info.js';
import { chooseBurnIn, type BurnIn } from '../media/subtitle-track.js';
import { seekRationing, vodDurations, type HeadPolicy } from './heads.js';
import type { AudioView } from '../contract/job-view.js';
import { cutsAtKeyframes, ladderMode, layoutOf, type VariantLayout } from './variant-plan.js';
import type { StreamDeps } from './ports.js';
import type { JobRequest } from '../contract/job-request.js';
import type { InterlaceVerdict } from '../media/interlace-check.js';
import { planPicture, type PicturePlan } from './picture-plan.js';

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

type SourceVideo = NonNullable<SourceInfo['video']>;

/** The audio a stream carries: what FFmpeg is told, and what the job view says. */
export interface PlannedAudio {
  readonly plan: AudioPlan;
  readonly view: AudioView;
}

/** How one job's stream is made: decided once (planStream), frozen, read by every head. */
export interface StreamPlan {
  readonly request: JobRequest;
  readonly source: SourceInfo;
  /** The source's video stream (a stream is only planned for a source with one). */
  readonly sourceVideo: SourceVideo;
  /** Copy or transcode, and to which codec (an ABR job: what its first transcoded variant makes). */
  readonly video: VideoMode;
  /** An ABR job's ladder; null for one quality. */
  readonly layout: VariantLayout | null;
  /** The variants each segment index has a file of: one (null) in a one-quality job. */
  readonly renditions: readonly VariantId[];
  readonly segmentSeconds: number;
  /** The stream's length (the video's own, where known): the VOD durations sum to it. */
  readonly durationSeconds: number;
  /** Segments the probed length gives (what the job view says until a copy's keyframe index is read). */
  readonly nominalCount: number | null;
  /** Cut at the source's own keyframes (a copy, alone or in a ladder): its count comes from the keyframe index. */
  readonly copyCuts: boolean;
  /** Segments the stream has, where known now: null for an unknown length or a copy (until its index is read). */
  readonly count: number | null;
  /** A VOD playlist (written at once, or once a copy's keyframes are read); else an event playlist. */
  readonly vod: boolean;
  /** The VOD playlist's durations where known now (a transcode's); null for a copy or an event playlist. */
  readonly vodDurations: readonly number[] | null;
  /** Whether a far request starts a head there: VOD, not cut at keyframes (a copy's cuts depend on its start). */
  readonly seeks: boolean;
  readonly container: Container;
  readonly audio: PlannedAudio | null;
  readonly burn: BurnIn | null;
  /** Tone mapping and deinterlacing, run once before any split into variants (none for a copy). */
  readonly picture: PicturePlan;
}

/** What the runner learned about the source after the probe (the idet check's verdict, when it ran). */
export interface StreamFacts {
  readonly interlace?: InterlaceVerdict | undefined;
}

/** The stream plan, or why the source cannot be streamed as asked (the job fails with it). */
export function planStream(
  request: JobRequest,
  source: SourceInfo,
  facts: StreamFacts = {},
): StreamPlan | { readonly error: string } {
  const burn = burnInOf(request, source);
  if (burn !== null && 'error' in burn) return { error: burn.error };
  const video = source.video;
  if (video === null) return { error: 'source has no video stream' };
  const layout = layoutOf(request, video);
  const mode = layout === null ? chooseVideoMode(request.video, video, burn !== null) : ladderMode(layout);
  if ('error' in mode) return { error: mode.error };
  return streamPlanOf(request, source, mode, layout, facts);
}

/** The stream plan for a video mode and ladder already chosen. */
export function streamPlanOf(
  request: JobRequest,
  source: SourceInfo,
  video: VideoMode,
  layout: VariantLayout | null,
  facts: StreamFacts = {},
): StreamPlan {
  const sourceVideo = source.video;
  if (sourceVideo === null) throw new Error('a stream plan needs a source with video');
  const burn = burnInOf(request, source);
  if (burn !== null && 'error' in burn) throw new Error(burn.error);
  const segmentSeconds = request.segmentSeconds ?? DEFAULT_SEGMENT_SECONDS;
  const durationSeconds = mediaDuration(source);
  const nominalCount = streamSegments(source, segmentSeconds);
  const copyCuts = cutsAtKeyframes(video, layout);
  const count = copyCuts ? null : nominalCount;
  // A copy's VOD playlist waits for its keyframe index (read whenever its playlist is VOD).
  const vod = request.playlist !== 'event' && (copyCuts || count !== null);
  return Object.freeze({
    request,
    source,
    sourceVideo,
    video,
    layout,
    renditions: layout === null ? [null] : layout.variants.map((v) => v.index),
    segmentSeconds,
    durationSeconds,
    nominalCount,
    copyCuts,
    count,
    vod,
    vodDurations: vod && count !== null ? vodDurations(durationSeconds, segmentSeconds, count) : null,
    // A copy's cuts depend on where its run starts: one head only.
    seeks: vod && !copyCuts,
    container: containerOf(request, layout === null ? video.codec : layout.variants.map((v) => v.codec)),
    audio: planAudio(request, source),
    burn,
    // An ABR ladder is a copy only when it is nothing but the copy: otherwise its encodes share the filtered picture.
    picture: planPicture(request, sourceVideo, { copy: video.copy, interlace: facts.interlace }),
  });
}

/** How the stream's heads are scheduled: the plan plus the worker's seek and throttle settings. */
export function headPolicy(
  plan: StreamPlan,
  settings: Pick<StreamDeps, 'seek' | 'throttle' | 'canPause'>,
): HeadPolicy {
  const prepare = plan.request.prepare === true;
  const { seek, throttle } = settings;
  return {
    aheadSegments: seek.aheadSegments,
    // Without seek heads players only ask for what the one head will make: it must not stop or pause for them.
    maxHeads: plan.seeks ? seek.maxHeads : 1,
    idleMs: prepare || !plan.seeks ? 0 : seek.idleMs,
    throttleAheadSeconds: prepare || !settings.canPause || !plan.seeks ? 0 : throttle.aheadSeconds,
    segmentSeconds: plan.segmentSeconds,
    ...seekRationing(plan.segmentSeconds),
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

/** The subtitle track a request burns in (null: none), or why it cannot. */
export function burnInOf(
  request: JobRequest,
  source: SourceInfo,
): BurnIn | { readonly error: string } | null {
  return request.burnSubtitles === undefined
    ? null
    : chooseBurnIn(source.subtitleTracks, request.burnSubtitles.track);
}

/** The audio a job carries (null without audio) and how the view describes it. */
export function planAudio(request: JobRequest, source: SourceInfo): PlannedAudio | null {
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
