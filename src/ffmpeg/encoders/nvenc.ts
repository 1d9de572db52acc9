// NVENC (NVIDIA GPUs): CPU scaling, the GPU encodes.
import {
  hevcTag,
  profile,
  rateControl,
  segmentCuts,
  softwareScale,
  type VideoEncodeSettings,
  type VideoEncoderArgs,
} from './common.js';

export function nvenc(s: VideoEncodeSettings): VideoEncoderArgs {
  // prettier-ignore
  return {
    beforeInput: [],
    // Scaling on the CPU keeps the chain free of CUDA filters; NVENC takes yuv420p frames directly.
    filter: softwareScale(s.height),
    output: [
      '-c:v', s.encoder,
      // p4: NVENC's balanced preset (p1 fastest … p7 best), far faster than real time at 1080p.
      '-preset', 'p4',
      ...profile(s.codec),
      // VBR capped by maxrate/bufsize: the bandwidth the playlist promises, without CBR filler.
      '-rc', 'vbr',
      ...rateControl(s.bitrateKbps),
      // -forced-idr 1: a forced keyframe becomes an IDR; -no-scenecut 1: no extra I frames at scene cuts.
      ...segmentCuts(s, ['-forced-idr', '1', '-no-scenecut', '1']),
      ...hevcTag(s.codec),
    ],
  };
}
