// Stream copy ("direct stream"): the source's video goes into the segments as it is, no decode, no encode. Cuts
// fall on the source's own keyframes, so segment durations vary.
import { hevcTag, type VideoEncodeSettings, type VideoEncoderArgs } from './common.js';

export const COPY_ENCODER = 'copy';

export function copy(s: VideoEncodeSettings): VideoEncoderArgs {
  // prettier-ignore
  return {
    beforeInput: [],
    filter: '',
    // The MPEG-TS muxer inserts h264_mp4toannexb/hevc_mp4toannexb itself; hvc1 for HEVC in fMP4 (Apple).
    output: ['-c:v', 'copy', ...hevcTag(s.codec)],
  };
}
