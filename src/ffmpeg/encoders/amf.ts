// AMF (AMD GPUs on Windows): CPU scaling, the GPU encodes with a fixed IDR period.
import {
  hevcTag,
  profile,
  rateControl,
  softwareScale,
  type VideoEncodeSettings,
  type VideoEncoderArgs,
} from './common.js';

export function amf(s: VideoEncodeSettings): VideoEncoderArgs {
  // AMF's option names differ per codec: SPS/PPS (VPS) with every IDR, so each segment decodes alone.
  const headers =
    s.codec === 'h264'
      ? ['-header_spacing', String(s.gopFrames)]
      : s.codec === 'hevc'
        ? ['-header_insertion_mode', 'idr', '-gops_per_idr', '1']
        : [];
  // prettier-ignore
  return {
    beforeInput: [],
    // CPU scaling; AMF takes yuv420p from system memory.
    filter: softwareScale(s.height),
    output: [
      '-c:v', s.encoder,
      // Transcoding usage at the speed preset: throughput first, as for the software veryfast.
      '-usage', 'transcoding', '-quality', 'speed',
      ...profile(s.codec),
      // Peak-constrained VBR: the bandwidth the playlist promises, without CBR filler.
      '-rc', 'vbr_peak',
      ...rateControl(s.bitrateKbps),
      // FFmpeg's AMF wrapper does not act on forced keyframes; -g is its IDR period, so each GOP of one segment
      // opens with an IDR (exact at whole frames per segment, as with any fixed GOP).
      '-g', String(s.gopFrames),
      ...headers,
      ...hevcTag(s.codec),
    ],
  };
}
