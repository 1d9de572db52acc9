// The software encoders: x264, x265 and SVT-AV1 on the CPU. Every machine has them; they are the fallback.
import {
  forcedKeyframes,
  rateControl,
  segmentCuts,
  softwareScale,
  type VideoEncodeSettings,
  type VideoEncoderArgs,
} from './common.js';

/** x264 threads on a ≤ 1 GiB machine: with 2 decoder threads and a short lookahead, 1080p→720p peaks near 200 MB. */
export const LOW_MEMORY_X264_THREADS = 3;

function threadsFor(s: VideoEncodeSettings): string[] {
  if (s.threads === null) return s.lowMemory ? ['-threads', String(LOW_MEMORY_X264_THREADS)] : [];
  return ['-threads', String(s.lowMemory ? Math.min(s.threads, LOW_MEMORY_X264_THREADS) : s.threads)];
}

export function libx264(s: VideoEncodeSettings): VideoEncoderArgs {
  // A 10-frame lookahead instead of veryfast's 20 and no sync lookahead: ~60 MB less at 720p, little quality lost.
  const x264Params = s.lowMemory ? ['-x264-params', 'rc-lookahead=10:sync-lookahead=0'] : [];
  // prettier-ignore
  return {
    beforeInput: [],
    filter: softwareScale(s.height),
    output: [
      '-c:v', 'libx264',
      // veryfast: the contract's speed/quality point for live transcoding.
      '-preset', 'veryfast',
      // high profile: every TV and browser of the last decade decodes it.
      '-profile:v', 'high',
      ...rateControl(s.bitrateKbps),
      // -sc_threshold 0: no scene-cut keyframes, so segments cut only where we force them; -keyint_min: no short GOPs.
      ...segmentCuts(s, ['-sc_threshold', '0']),
      '-keyint_min', String(s.gopFrames),
      ...threadsFor(s),
      ...x264Params,
    ],
  };
}

export function libx265(s: VideoEncodeSettings): VideoEncoderArgs {
  // x265 has no -sc_threshold or -g: the GOP, scene cuts and open GOPs are set in its own parameters.
  const params = [
    `keyint=${s.gopFrames}`,
    `min-keyint=${s.gopFrames}`,
    'scenecut=0',
    'open-gop=0',
    ...(s.lowMemory ? ['rc-lookahead=10', 'frame-threads=1'] : []),
    'log-level=error',
  ];
  // prettier-ignore
  return {
    beforeInput: [],
    filter: softwareScale(s.height),
    output: [
      '-c:v', 'libx265',
      '-preset', 'veryfast',
      ...rateControl(s.bitrateKbps),
      ...forcedKeyframes(s.segmentSeconds, s.cutBase),
      // -forced-idr 1: a forced keyframe is an IDR, not an open I frame, so every segment decodes alone.
      '-forced-idr', '1',
      '-x265-params', params.join(':'),
      // hvc1 tag: what Apple players require for HEVC.
      '-tag:v', 'hvc1',
      ...(s.threads === null ? [] : ['-threads', String(s.threads)]),
    ],
  };
}

export function libsvtav1(s: VideoEncodeSettings): VideoEncoderArgs {
  // prettier-ignore
  return {
    beforeInput: [],
    filter: softwareScale(s.height),
    output: [
      '-c:v', 'libsvtav1',
      // Preset 10: real-time speed on a few cores (0 is slowest, 13 fastest).
      '-preset', '10',
      // VBR on the target with a VBV: SVT-AV1 1.4 rejects a -maxrate equal to -b:v ("must be greater").
      '-b:v', `${s.bitrateKbps}k`, '-bufsize', `${s.bitrateKbps * 2}k`,
      // FFmpeg 5.1's libsvtav1 ignores forced keyframes (one keyframe in 4 s with -g 300): kept for builds that
      // honour them; here the GOP of one segment alone places the keyframes (scene detection is off by default).
      ...segmentCuts(s),
    ],
  };
}
