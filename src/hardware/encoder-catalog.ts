// Which listed FFmpeg encoders this worker can drive: the software families and, per accelerator, the hardware
// encoder names (`${codec}_${accelerator}`). Pure.
import type { ListedEncoder } from './parse-ffmpeg.js';
import type { AcceleratorType, VideoCodec } from './types.js';

/** One encoder to try with a test encode. */
export interface EncoderCandidate {
  readonly name: string;
  readonly codec: VideoCodec;
  readonly accelerator: AcceleratorType | null;
  /** Device handed to the argument family (render node, /dev/videoN, /dev/nvidia0); null when none applies. */
  readonly device: string | null;
}

const SOFTWARE: readonly ListedEncoder[] = [
  { name: 'libx264', codec: 'h264' },
  { name: 'libx265', codec: 'hevc' },
  { name: 'libsvtav1', codec: 'av1' },
];

/** Accelerators that have encoder families in src/ffmpeg/video-encoder.ts (dxva2/d3d11va only decode). */
export type EncodingAccelerator = Exclude<AcceleratorType, 'dxva2' | 'd3d11va'>;

const HARDWARE_CODECS: Readonly<Record<EncodingAccelerator, readonly VideoCodec[]>> = {
  vaapi: ['h264', 'hevc', 'av1'],
  qsv: ['h264', 'hevc', 'av1'],
  nvenc: ['h264', 'hevc', 'av1'],
  v4l2m2m: ['h264', 'hevc'],
  videotoolbox: ['h264', 'hevc'],
  amf: ['h264', 'hevc', 'av1'],
  mf: ['h264', 'hevc'],
};

/** The software candidates (libx264, libx265, libsvtav1) this FFmpeg lists. */
export function softwareCandidates(listed: readonly ListedEncoder[]): EncoderCandidate[] {
  const names = new Set(listed.map((e) => e.name));
  return SOFTWARE.filter((e) => names.has(e.name)).map((e) => ({ ...e, accelerator: null, device: null }));
}

/** The hardware candidates of one accelerator (h264_vaapi, hevc_vaapi, ...) that this FFmpeg lists. */
export function hardwareCandidates(
  accelerator: EncodingAccelerator,
  device: string | null,
  listed: readonly ListedEncoder[],
): EncoderCandidate[] {
  const names = new Set(listed.map((e) => e.name));
  return HARDWARE_CODECS[accelerator]
    .map((codec) => ({ name: `${codec}_${accelerator}`, codec }))
    .filter((e) => names.has(e.name))
    .map((e) => ({ ...e, accelerator, device }));
}

/** The hardware families FFmpeg can have on each platform. */
const PLATFORM_FAMILIES: Readonly<Partial<Record<NodeJS.Platform, readonly EncodingAccelerator[]>>> = {
  linux: ['vaapi', 'qsv', 'nvenc', 'v4l2m2m'],
  darwin: ['videotoolbox'],
  win32: ['nvenc', 'qsv', 'amf', 'mf'],
};

/**
 * Hardware encoders this FFmpeg lists that no device found here accounts for. They are test-encoded anyway (VAAPI on
 * the conventional first render node), so the profile says in FFmpeg's words why each one is not usable, and a
 * device the scan missed still gets its chance.
 */
export function unscannedCandidates(
  platform: NodeJS.Platform,
  listed: readonly ListedEncoder[],
  covered: ReadonlySet<string>,
  devRoot: string,
): EncoderCandidate[] {
  return (PLATFORM_FAMILIES[platform] ?? []).flatMap((accelerator) =>
    hardwareCandidates(
      accelerator,
      accelerator === 'vaapi' ? `${devRoot}/dri/renderD128` : null,
      listed,
    ).filter((c) => !covered.has(c.name)),
  );
}
