// VideoToolbox (macOS): Apple's hardware encoder, CPU scaling.
import {
  hevcTag,
  profile,
  rateControl,
  segmentCuts,
  softwareScale,
  type VideoEncodeSettings,
  type VideoEncoderArgs,
} from './common.js';

export function videotoolbox(s: VideoEncodeSettings): VideoEncoderArgs {
  // prettier-ignore
  return {
    beforeInput: [],
    // CPU scaling; VideoToolbox takes yuv420p and uploads it itself.
    filter: softwareScale(s.height),
    output: [
      '-c:v', s.encoder,
      ...profile(s.codec),
      // -allow_sw 0: fail rather than fall back to Apple's software encoder, so the test encode tells the truth.
      '-allow_sw', '0',
      // -b:v is VideoToolbox's average bitrate; the VBV figures count only where the wrapper maps them.
      ...rateControl(s.bitrateKbps),
      // VideoToolbox honours forced keyframes (kVTEncodeFrameOptionKey_ForceKeyFrame); -g is MaxKeyFrameInterval.
      ...segmentCuts(s),
      ...hevcTag(s.codec),
    ],
  };
}
