// Per encoder family: what goes before -i, the -vf chain and the codec flags. Pure, so the job's argument
// builder, the hardware test encode and the speed run use the exact same chain. One file per family in encoders/.
import { assertNever } from '../errors.js';
import type { AcceleratorType } from '../hardware/types.js';
import { amf } from './encoders/amf.js';
import { copy, COPY_ENCODER } from './encoders/copy.js';
import type { VideoEncodeSettings, VideoEncoderArgs } from './encoders/common.js';
import { mf } from './encoders/mf.js';
import { nvenc } from './encoders/nvenc.js';
import { qsv } from './encoders/qsv.js';
import { libsvtav1, libx264, libx265 } from './encoders/software.js';
import { v4l2m2m } from './encoders/v4l2m2m.js';
import { vaapi } from './encoders/vaapi.js';
import { videotoolbox } from './encoders/videotoolbox.js';

export type { VideoEncodeSettings, VideoEncoderArgs } from './encoders/common.js';

function hardware(s: VideoEncodeSettings, accelerator: AcceleratorType): VideoEncoderArgs {
  // The name carries the family (h264_vaapi): a mismatch with the accelerator is a programming error.
  if (!s.encoder.endsWith(`_${accelerator}`))
    throw new Error(`encoder ${s.encoder} is not a ${accelerator} encoder`);
  switch (accelerator) {
    case 'vaapi':
      return vaapi(s);
    case 'nvenc':
      return nvenc(s);
    case 'qsv':
      return qsv(s);
    case 'v4l2m2m':
      return v4l2m2m(s);
    case 'videotoolbox':
      return videotoolbox(s);
    case 'amf':
      return amf(s);
    case 'mf':
      return mf(s);
    case 'dxva2':
    case 'd3d11va':
      throw new Error(`${accelerator} only decodes: no encoder family`);
    default:
      return assertNever(accelerator);
  }
}

/** Arguments for one encoder family. Throws for an encoder no family knows (a programming error). */
export function videoEncoderArgs(s: VideoEncodeSettings): VideoEncoderArgs {
  switch (s.encoder) {
    case COPY_ENCODER:
      return copy(s);
    case 'libx264':
      return libx264(s);
    case 'libx265':
      return libx265(s);
    case 'libsvtav1':
      return libsvtav1(s);
    default:
      if (s.accelerator !== null) return hardware(s, s.accelerator);
      throw new Error(`no argument family for encoder ${s.encoder}`);
  }
}
