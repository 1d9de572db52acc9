// Pure: the picture a transcode makes: its height, its width for the source's aspect ratio, a bitrate for it.
import type { OutputCodec } from './video-mode.js';

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
