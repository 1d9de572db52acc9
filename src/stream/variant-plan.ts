// Pure: an ABR job's ladder — which variants the source allows, each one's encode settings, and what the master
// playlist and the job view say about it (resolution, bandwidth, frame rate).
import type { AudioPlan, VariantPlan } from '../ffmpeg/hls-args.js';
import { mediaPlaylistName, type Container } from '../hls/stream-folder.js';
import type { VideoEncodeSettings } from '../ffmpeg/video-encoder.js';
import { defaultBitrateKbps, outputWidth } from '../media/picture.js';
import type { SourceInfo } from '../media/source-info.js';
import { resolveVariants, type DroppedVariant, type Variant } from '../media/variants.js';
import { transcodeCodec, type OutputCodec, type VideoMode } from '../media/video-mode.js';
import type { JobOutput, VariantView } from '../contract/job-view.js';
import type { JobRequest } from '../contract/job-request.js';
import type { EncoderChoice } from './encoder-choice.js';

type SourceVideo = NonNullable<SourceInfo['video']>;

export interface VariantLayout {
  readonly variants: readonly Variant[];
  readonly dropped: readonly DroppedVariant[];
  /**
   * A copy sits in the ladder: every variant cuts where the source has keyframes (the copy cannot cut elsewhere),
   * so segment k of every variant covers the same time.
   */
  readonly copyCuts: boolean;
}

/** The ladder of an ABR request for this source; null for a one-quality job. */
export function layoutOf(request: JobRequest, video: SourceVideo): VariantLayout | null {
  if (request.variants === undefined) return null;
  const { kept, dropped } = resolveVariants(request.variants, video, {
    defaultCodec: transcodeCodec(request.video),
    defaultBitrate: defaultBitrateKbps,
    widthFor: (height) => outputWidth(height, video),
    sourceKbps: Math.round(video.bitRate / 1000),
  });
  return { variants: kept, dropped, copyCuts: kept.some((v) => v.copy) };
}

/**
 * The job-level video mode of a ladder: what its first transcoded variant makes (the codec a hardware failure falls
 * back to in software); a copy only when the ladder is nothing but the copy.
 */
export function ladderMode(layout: VariantLayout): VideoMode {
  const encoded = layout.variants.find((v) => !v.copy);
  const reason = `${layout.variants.length} variant${layout.variants.length === 1 ? '' : 's'} asked`;
  if (encoded === undefined) return { copy: true, codec: layout.variants[0]?.codec ?? 'h264', reason };
  return { copy: false, codec: encoded.codec, reason };
}

/** Whether a job cuts at the source's keyframes: a copy, alone or in a ladder (its VOD playlist needs the index). */
export function cutsAtKeyframes(mode: VideoMode, layout: VariantLayout | null): boolean {
  return mode.copy || layout?.copyCuts === true;
}

/** Bytes of container around the payload: MPEG-TS packet and PES headers (~6 %), fMP4 boxes (~2 %). */
const OVERHEAD: Readonly<Record<Container, number>> = { ts: 1.06, fmp4: 1.02 };

/** A copied AC-3/E-AC-3 track may run at 640 kb/s; its real rate is not probed. */
const COPIED_AUDIO_KBPS = 640;

/** A film's peaks over its average bitrate, for a copy whose per-segment sizes are not known upfront. */
const COPY_PEAK_RATIO = 2;

/**
 * BANDWIDTH (peak) and AVERAGE-BANDWIDTH in bits/s. An encode runs under a VBV of maxrate = b and bufsize = 2b: a
 * segment of S seconds holds at most b·S + 2b bits, so its peak rate is b·(S + 2)/S.
 */
export function variantBandwidth(
  variant: Variant,
  audio: AudioPlan | null,
  container: Container,
  segmentSeconds: number,
): { readonly bandwidth: number; readonly averageBandwidth: number } {
  const audioKbps = audio === null ? 0 : audio.copy === true ? COPIED_AUDIO_KBPS : audio.bitrateKbps;
  const videoKbps =
    variant.bitrateKbps > 0 ? variant.bitrateKbps : defaultBitrateKbps(variant.height, variant.codec);
  const peak = variant.copy ? COPY_PEAK_RATIO : (segmentSeconds + 2) / segmentSeconds;
  const bits = (kbps: number): number => Math.round(kbps * 1000 * OVERHEAD[container]);
  return { bandwidth: bits(videoKbps * peak + audioKbps), averageBandwidth: bits(videoKbps + audioKbps) };
}

export interface LadderOptions {
  readonly encoderFor: (codec: OutputCodec) => EncoderChoice;
  readonly container: Container;
  readonly audio: AudioPlan | null;
  readonly gopFrames: number;
  readonly segmentSeconds: number;
  readonly threads: number | null;
  readonly lowMemory: boolean;
}

/** Frames a GOP may reach when keyframes follow the source's: long enough never to add a keyframe of its own. */
const SOURCE_CUT_GOP_SECONDS = 60;

/** Each variant's encode settings, the job view's variants, and the job-level output fields (the first variant's). */
export function planLadder(
  layout: VariantLayout,
  video: SourceVideo,
  o: LadderOptions,
): {
  readonly first: VideoEncodeSettings;
  readonly variants: readonly VariantPlan[];
  readonly views: readonly VariantView[];
  readonly output: Pick<JobOutput, 'codec' | 'encoder' | 'video' | 'width' | 'height' | 'bitrateKbps'>;
} {
  const gop = layout.copyCuts ? Math.ceil(video.fps * SOURCE_CUT_GOP_SECONDS) : o.gopFrames;
  const variants: VariantPlan[] = layout.variants.map((v) => {
    const encoder = v.copy ? { name: 'copy', accelerator: null, device: null } : o.encoderFor(v.codec);
    return {
      copy: v.copy,
      settings: {
        encoder: encoder.name,
        accelerator: encoder.accelerator,
        device: encoder.device,
        codec: v.codec,
        height: v.copy ? null : v.height,
        bitrateKbps: v.bitrateKbps,
        gopFrames: gop,
        segmentSeconds: o.segmentSeconds,
        threads: o.threads,
        lowMemory: o.lowMemory,
        ...(layout.copyCuts ? { cutBase: 'source' as const } : {}),
      },
    };
  });
  const views: VariantView[] = layout.variants.map((v, i) => ({
    index: v.index,
    playlist: mediaPlaylistName(v.index),
    codec: v.codec,
    encoder: variants[i]?.settings.encoder ?? 'copy',
    copied: v.copy,
    width: v.width,
    height: v.height,
    bitrateKbps: v.bitrateKbps,
    frameRate: Math.round(video.fps * 1000) / 1000,
    ...variantBandwidth(v, o.audio, o.container, o.segmentSeconds),
    codecs: null,
  }));
  const first = variants[0];
  const top = layout.variants[0];
  if (first === undefined || top === undefined) throw new Error('a ladder has at least one variant');
  const copies = layout.variants.filter((v) => v.copy).length;
  return {
    first: first.settings,
    variants,
    views,
    output: {
      codec: top.codec,
      encoder: first.settings.encoder,
      video: {
        copied: copies === layout.variants.length,
        reason: `${layout.variants.length} variants${copies > 0 ? ', one a copy of the source' : ''}`,
      },
      width: top.width,
      height: top.height,
      bitrateKbps: top.bitrateKbps,
    },
  };
}
