// Media Foundation (Windows): a hardware MFT from whichever GPU vendor, CPU scaling.
import {
  hevcTag,
  rateControl,
  segmentCuts,
  type VideoEncodeSettings,
  type VideoEncoderArgs,
} from './common.js';

export function mf(s: VideoEncodeSettings): VideoEncoderArgs {
  // prettier-ignore
  return {
    beforeInput: [],
    // CPU scaling; Media Foundation hardware encoders want nv12.
    filter: s.height === null ? 'format=nv12' : `scale=-2:${s.height},format=nv12`,
    output: [
      '-c:v', s.encoder,
      // -hw_encoding 1: only a hardware MFT, never Microsoft's software one.
      '-hw_encoding', '1',
      // CBR: the rate-control mode every MFT implements.
      '-rate_control', 'cbr',
      ...rateControl(s.bitrateKbps),
      // Media Foundation honours forced keyframes (CODECAPI_AVEncVideoForceKeyFrame).
      ...segmentCuts(s),
      ...hevcTag(s.codec),
    ],
  };
}
