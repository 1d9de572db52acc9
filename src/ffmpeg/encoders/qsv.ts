// Intel Quick Sync (QSV): a named QSV device, CPU scaling, one upload.
import {
  hevcTag,
  profile,
  rateControl,
  segmentCuts,
  type VideoEncodeSettings,
  type VideoEncoderArgs,
} from './common.js';

export function qsv(s: VideoEncodeSettings): VideoEncoderArgs {
  // On Linux libmfx opens the render node through VAAPI (child_device); on Windows it picks the adapter itself.
  const device = s.device === null ? 'qsv=hw:hw' : `qsv=hw:hw,child_device=${s.device}`;
  const scale = s.height === null ? '' : `scale=-2:${s.height},`;
  // prettier-ignore
  return {
    // A named QSV device for the upload filter; the encoder reuses it through the uploaded frames.
    beforeInput: ['-init_hw_device', device, '-filter_hw_device', 'hw'],
    // CPU scale (scale_qsv has no -2 for an even width), nv12, one upload; extra frames for the encoder's queue.
    filter: `${scale}format=nv12,hwupload=extra_hw_frames=64`,
    output: [
      '-c:v', s.encoder,
      // veryfast: QSV's fastest preset, the live-transcoding speed point.
      '-preset', 'veryfast',
      ...profile(s.codec),
      // -b:v = -maxrate: QSV chooses its CBR mode, the bandwidth the playlist promises.
      ...rateControl(s.bitrateKbps),
      // -forced_idr 1: QSV makes forced keyframes plain I frames unless told to make them IDRs.
      ...segmentCuts(s, ['-forced_idr', '1']),
      ...hevcTag(s.codec),
    ],
  };
}
