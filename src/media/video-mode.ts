// Pure: whether a job copies the source's video (direct stream) or transcodes it, and why.
import type { SourceInfo } from './source-info.js';

import type { VideoCodec } from '../hardware/types.js';

/** What a job's video ends up as: H.264, HEVC or AV1 (the last two in fMP4). */
export type OutputCodec = VideoCodec;

/** What the request says about video, as far as the choice needs it. */
export interface VideoWish {
  readonly codec: OutputCodec | 'copy' | 'auto';
  /** Codecs the client plays (auto): the first is the one a transcode makes. Default ['h264']. */
  readonly codecs?: readonly OutputCodec[] | undefined;
  readonly height?: number | undefined;
  /** Profiles the client plays, as ffprobe names them (lower case): high, main, main 10, ... */
  readonly profiles?: readonly string[] | undefined;
  /** Highest level the client plays, e.g. 4.1. */
  readonly maxLevel?: number | undefined;
}

export type VideoMode =
  | { readonly copy: true; readonly codec: OutputCodec; readonly reason: string }
  | { readonly copy: false; readonly codec: OutputCodec; readonly reason: string };

/** The codec a transcode makes for this request (also what the encoder is chosen for before the probe). */
export function transcodeCodec(wish: VideoWish): OutputCodec {
  if (wish.codec === 'copy' || wish.codec === 'auto') return wish.codecs?.[0] ?? 'h264';
  return wish.codec;
}

/** The level as people write it: ffprobe reports H.264 level 4.1 as 41 and HEVC level 4.1 as 123 (× 30). */
export function humanLevel(codec: string, level: number): number | null {
  if (!Number.isFinite(level) || level <= 0) return null;
  if (codec === 'h264') return level / 10;
  if (codec === 'hevc') return level / 30;
  return null;
}

/** Why the source's video cannot be copied for this request, or null when it can. */
function misfit(wish: VideoWish, video: NonNullable<SourceInfo['video']>): string | null {
  const accepted = wish.codecs ?? ['h264'];
  if (!accepted.some((c) => c === video.codec))
    return `the source is ${video.codec}, the client plays ${accepted.join(', ')}`;
  if (wish.height !== undefined && video.height > wish.height)
    return `the source is ${video.height} lines high, ${wish.height} asked`;
  const profile = video.profile.toLowerCase();
  if (wish.profiles !== undefined && !wish.profiles.some((p) => p.toLowerCase() === profile))
    return `profile ${profile} is not among ${wish.profiles.join(', ')}`;
  const level = humanLevel(video.codec, video.level);
  if (wish.maxLevel !== undefined && (level === null || level > wish.maxLevel + 1e-9))
    return `level ${level ?? 'unknown'} is above ${wish.maxLevel}`;
  return null;
}

/** copy: copy if HLS carries the codec; auto: copy when the source fits, else transcode to transcodeCodec. */
export function chooseVideoMode(
  wish: VideoWish,
  video: NonNullable<SourceInfo['video']>,
  burnIn = false,
): VideoMode | { readonly error: string } {
  const codec = transcodeCodec(wish);
  if (wish.codec !== 'copy' && wish.codec !== 'auto')
    return { copy: false, codec, reason: `${wish.codec} requested` };
  // Subtitles drawn into the picture need a decode and an encode (a copy is refused at the request).
  if (burnIn) return { copy: false, codec, reason: 'transcoded: subtitles are burned in' };
  // What HLS segments carry: H.264 and HEVC, and AV1 in fMP4.
  const carried = video.codec === 'h264' || video.codec === 'hevc' || video.codec === 'av1';
  if (wish.codec === 'copy') {
    if (!carried)
      return {
        error: `video.codec copy: the source's video is ${video.codec}, which HLS does not carry; ask for h264, hevc, av1 or auto`,
      };
    return { copy: true, codec: video.codec, reason: 'copy requested' };
  }
  const why = misfit(wish, video);
  if (why === null && carried)
    return {
      copy: true,
      codec: video.codec,
      reason: `the source's ${video.codec} fits the request`,
    };
  return { copy: false, codec, reason: `transcoded: ${why ?? `${video.codec} is not carried in HLS`}` };
}
