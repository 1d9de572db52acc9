// VAAPI (Intel and AMD GPUs on Linux): upload once, scale on the GPU, encode on the render node.
import {
  hevcTag,
  profile,
  rateControl,
  requireDevice,
  segmentCuts,
  type VideoEncodeSettings,
  type VideoEncoderArgs,
} from './common.js';

export function vaapi(s: VideoEncodeSettings): VideoEncoderArgs {
  // prettier-ignore
  return {
    // The render node to encode on (a machine may have an iGPU and a dGPU); also the filters' device.
    beforeInput: ['-vaapi_device', requireDevice(s)],
    // nv12 on the CPU (also 10-bit → 8-bit), one upload, then the GPU scales: scale_vaapi takes -2 (even width).
    filter: s.height === null ? 'format=nv12,hwupload' : `format=nv12,hwupload,scale_vaapi=w=-2:h=${s.height}`,
    output: [
      '-c:v', s.encoder,
      ...profile(s.codec),
      // VBR capped by maxrate/bufsize: the bandwidth the playlist promises, without CBR filler.
      '-rc_mode', 'VBR',
      ...rateControl(s.bitrateKbps),
      // VAAPI encodes every forced keyframe as an IDR, so each segment starts on one.
      ...segmentCuts(s),
      ...hevcTag(s.codec),
    ],
  };
}
