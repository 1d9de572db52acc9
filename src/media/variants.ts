// Pure: the qualities an adaptive-bitrate job makes from the variants it asked for and the probed source.
import type { SourceInfo } from './source-info.js';
import type { OutputCodec } from './video-mode.js';

/** One variant as the request names it. */
export interface VariantWish {
  readonly height?: number | undefined;
  readonly bitrateKbps?: number | undefined;
  readonly codec?: OutputCodec | 'copy' | undefined;
}

/** A variant the job makes: v{index}.m3u8, v{index}-seg-K. */
export interface Variant {
  readonly index: number;
  /** The source's video as it is (the "original" quality). */
  readonly copy: boolean;
  readonly codec: OutputCodec;
  readonly height: number;
  /** null when the source's size is unknown. */
  readonly width: number | null;
  /** The encode's target; for a copy, the source's video bitrate (0 when unknown). */
  readonly bitrateKbps: number;
}

export interface DroppedVariant {
  readonly requested: VariantWish;
  readonly reason: string;
}

type SourceVideo = NonNullable<SourceInfo['video']>;

export interface VariantRules {
  /** The codec a variant without one transcodes to. */
  readonly defaultCodec: OutputCodec;
  /** A bitrate that looks good at a height. */
  readonly defaultBitrate: (height: number, codec: OutputCodec) => number;
  /** Width for a height, keeping the source's aspect ratio. */
  readonly widthFor: (height: number) => number | null;
  /** The source video's bitrate in kb/s, 0 when unknown. */
  readonly sourceKbps: number;
}

/** Codecs HLS segments carry: what a copy variant can be. */
function copyable(codec: string): codec is OutputCodec {
  return codec === 'h264' || codec === 'hevc' || codec === 'av1';
}

/**
 * Keeps the variants the source allows, in the request's order: a copy of a codec HLS carries, transcodes no taller
 * than the source (upscaling only costs bandwidth). When no variant is left, the stream still plays: one transcode at
 * the source's height.
 */
export function resolveVariants(
  wishes: readonly VariantWish[],
  video: SourceVideo,
  rules: VariantRules,
): { readonly kept: readonly Variant[]; readonly dropped: readonly DroppedVariant[] } {
  const kept: Variant[] = [];
  const dropped: DroppedVariant[] = [];
  const sourceHeight = video.height - (video.height % 2);
  for (const wish of wishes) {
    const index = kept.length;
    if (wish.codec === 'copy') {
      if (!copyable(video.codec)) {
        dropped.push({ requested: wish, reason: `the source's ${video.codec} cannot be copied into HLS` });
        continue;
      }
      kept.push({
        index,
        copy: true,
        codec: video.codec,
        height: video.height,
        width: video.width > 0 ? video.width : null,
        bitrateKbps: rules.sourceKbps,
      });
      continue;
    }
    const codec = wish.codec ?? rules.defaultCodec;
    const wanted = wish.height ?? sourceHeight;
    if (video.height > 0 && wanted > video.height) {
      dropped.push({ requested: wish, reason: `taller than the source (${video.height} lines)` });
      continue;
    }
    const height = Math.max(2, wanted - (wanted % 2));
    kept.push({
      index,
      copy: false,
      codec,
      height,
      width: rules.widthFor(height),
      bitrateKbps: wish.bitrateKbps ?? rules.defaultBitrate(height, codec),
    });
  }
  if (kept.length > 0) return { kept, dropped };
  const codec = rules.defaultCodec;
  const height = Math.max(2, sourceHeight);
  return {
    kept: [
      {
        index: 0,
        copy: false,
        codec,
        height,
        width: rules.widthFor(height),
        bitrateKbps: rules.defaultBitrate(height, codec),
      },
    ],
    dropped: dropped.map((d) => ({
      ...d,
      reason: `${d.reason}; no variant was left: one at the source's height`,
    })),
  };
}
