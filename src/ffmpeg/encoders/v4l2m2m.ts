// V4L2 memory-to-memory encoders (Raspberry Pi bcm2835-codec, i.MX6 CODA960): CPU scaling, the SoC encodes.
import {
  hevcTag,
  rateControl,
  segmentCuts,
  softwareScale,
  type VideoEncodeSettings,
  type VideoEncoderArgs,
} from './common.js';

export function v4l2m2m(s: VideoEncodeSettings): VideoEncoderArgs {
  // prettier-ignore
  return {
    beforeInput: [],
    // The encoders take yuv420p from system memory. FFmpeg finds the encoder node itself by probing /dev/video*:
    // there is no device option.
    filter: softwareScale(s.height),
    output: [
      '-c:v', s.encoder,
      // -b:v becomes the V4L2 BITRATE control; maxrate/bufsize have no V4L2 control and are ignored.
      ...rateControl(s.bitrateKbps),
      // FFmpeg turns forced keyframes into V4L2 FORCE_KEY_FRAME requests; -g is the V4L2 GOP_SIZE.
      ...segmentCuts(s),
      ...hevcTag(s.codec),
    ],
  };
}
