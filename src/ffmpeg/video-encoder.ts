// Per encoder family: what goes before -i, the -vf chain and the codec flags. Pure, so the job's argument
// builder and the hardware test encode use the exact same chain.
import type { AcceleratorType, VideoCodec } from '../hardware/types.js';

export interface VideoEncodeSettings {
  /** FFmpeg encoder name: libx264, libx265, h264_vaapi, hevc_nvenc, ... */
  readonly encoder: string;
  readonly accelerator: AcceleratorType | null;
  /** Device for the accelerator (/dev/dri/renderD128 for VAAPI/QSV, /dev/video11 for V4L2 M2M), null if none. */
  readonly device: string | null;
  readonly codec: VideoCodec;
  /** Output height (even); null keeps the source size. */
  readonly height: number | null;
  readonly bitrateKbps: number;
  /** Frames in one segment, rounded up: the GOP length. */
  readonly gopFrames: number;
  readonly segmentSeconds: number;
  /** Encoder threads; null lets the encoder decide. */
  readonly threads: number | null;
  /** ≤ 1 GiB machine: cap lookahead and buffers. */
  readonly lowMemory: boolean;
}

export interface VideoEncoderArgs {
  /** Global/input options that must precede -i (hardware device set-up). */
  readonly beforeInput: readonly string[];
  /** The -vf chain (may be empty). */
  readonly filter: string;
  /** -c:v and everything about rate control and keyframes. */
  readonly output: readonly string[];
}

/** Keyframes at every segment boundary, whatever the frame rate: each segment starts on an IDR frame. */
export function forcedKeyframes(segmentSeconds: number): string[] {
  return ['-force_key_frames', `expr:gte(t,n_forced*${segmentSeconds})`];
}

/** Constant-ish bitrate with a VBV, so the stream's bandwidth is what the playlist promises. */
export function rateControl(bitrateKbps: number): string[] {
  return ['-b:v', `${bitrateKbps}k`, '-maxrate', `${bitrateKbps}k`, '-bufsize', `${bitrateKbps * 2}k`];
}

function softwareScale(height: number | null): string {
  // scale=-2:H keeps the aspect ratio with an even width; format=yuv420p makes 10-bit sources play on 8-bit TVs.
  return height === null ? 'format=yuv420p' : `scale=-2:${height},format=yuv420p`;
}

function libx264(s: VideoEncodeSettings): VideoEncoderArgs {
  const x264Params = s.lowMemory ? ['-x264-params', 'rc-lookahead=10:sync-lookahead=0'] : [];
  // prettier-ignore
  return {
    beforeInput: [],
    filter: softwareScale(s.height),
    output: [
      '-c:v', 'libx264',
      // veryfast: the contract's speed/quality point for live transcoding.
      '-preset', 'veryfast',
      // high profile: every TV and browser of the last decade decodes it.
      '-profile:v', 'high',
      ...rateControl(s.bitrateKbps),
      ...forcedKeyframes(s.segmentSeconds),
      // -sc_threshold 0: no scene-cut keyframes, so segments cut only where we force them.
      '-sc_threshold', '0',
      // GOP of one segment, so no extra keyframe lands inside a segment.
      '-g', String(s.gopFrames), '-keyint_min', String(s.gopFrames),
      ...(s.threads === null ? [] : ['-threads', String(s.threads)]),
      ...x264Params,
    ],
  };
}

function libx265(s: VideoEncodeSettings): VideoEncoderArgs {
  // x265 has no -sc_threshold: scene cuts and open GOPs are turned off in its own parameters.
  const params = [
    `keyint=${s.gopFrames}`,
    `min-keyint=${s.gopFrames}`,
    'scenecut=0',
    'open-gop=0',
    ...(s.lowMemory ? ['rc-lookahead=10', 'frame-threads=1'] : []),
    'log-level=error',
  ];
  // prettier-ignore
  return {
    beforeInput: [],
    filter: softwareScale(s.height),
    output: [
      '-c:v', 'libx265',
      '-preset', 'veryfast',
      ...rateControl(s.bitrateKbps),
      ...forcedKeyframes(s.segmentSeconds),
      // -forced-idr 1: a forced keyframe is an IDR, not an open I frame, so every segment decodes alone.
      '-forced-idr', '1',
      '-x265-params', params.join(':'),
      // hvc1 tag: what Apple players require for HEVC.
      '-tag:v', 'hvc1',
      ...(s.threads === null ? [] : ['-threads', String(s.threads)]),
    ],
  };
}

function libsvtav1(s: VideoEncodeSettings): VideoEncoderArgs {
  return {
    beforeInput: [],
    filter: softwareScale(s.height),
    output: [
      '-c:v',
      'libsvtav1',
      // Preset 10: real-time speed on a few cores (0 is slowest, 13 fastest).
      '-preset',
      '10',
      // VBR on the target with a VBV: SVT-AV1 1.4 rejects a -maxrate equal to -b:v ("must be greater").
      '-b:v',
      `${s.bitrateKbps}k`,
      '-bufsize',
      `${s.bitrateKbps * 2}k`,
      // FFmpeg 5.1's libsvtav1 ignores forced keyframes (one keyframe in 4 s with -g 300): kept for builds that
      // honour them; here the GOP alone places the keyframes.
      ...forcedKeyframes(s.segmentSeconds),
      // GOP of one segment: SVT-AV1 starts each with a key frame, and its scene detection is off by default.
      '-g',
      String(s.gopFrames),
    ],
  };
}

// ---- Hardware families. The test encode in src/hardware/test-encode.ts runs these exact chains. ----

/** h264 high / hevc main: what every TV and browser decodes; AV1 encoders choose their only profile. */
function profile(codec: VideoCodec): string[] {
  switch (codec) {
    case 'h264':
      return ['-profile:v', 'high'];
    case 'hevc':
      return ['-profile:v', 'main'];
    case 'av1':
      return [];
    default:
      return assertNever(codec);
  }
}

/** hvc1 tag: what Apple players require for HEVC. */
function hevcTag(codec: VideoCodec): string[] {
  return codec === 'hevc' ? ['-tag:v', 'hvc1'] : [];
}

function requireDevice(s: VideoEncodeSettings): string {
  if (s.device === null) throw new Error(`encoder ${s.encoder} needs a device`);
  return s.device;
}

function vaapi(s: VideoEncodeSettings): VideoEncoderArgs {
  return {
    // The render node to encode on (a machine may have an iGPU and a dGPU); also the filters' device.
    beforeInput: ['-vaapi_device', requireDevice(s)],
    // nv12 on the CPU (also 10-bit → 8-bit), one upload, then the GPU scales: scale_vaapi takes -2 (even width).
    filter:
      s.height === null ? 'format=nv12,hwupload' : `format=nv12,hwupload,scale_vaapi=w=-2:h=${s.height}`,
    output: [
      '-c:v',
      s.encoder,
      ...profile(s.codec),
      // VBR capped by maxrate/bufsize: the bandwidth the playlist promises, without CBR filler.
      '-rc_mode',
      'VBR',
      ...rateControl(s.bitrateKbps),
      // VAAPI encodes every forced keyframe as an IDR, so each segment starts on one.
      ...forcedKeyframes(s.segmentSeconds),
      // GOP of one segment, so no extra keyframe lands inside a segment.
      '-g',
      String(s.gopFrames),
      ...hevcTag(s.codec),
    ],
  };
}

function nvenc(s: VideoEncodeSettings): VideoEncoderArgs {
  return {
    beforeInput: [],
    // Scaling on the CPU keeps the chain free of CUDA filters; NVENC takes yuv420p frames directly.
    filter: softwareScale(s.height),
    output: [
      '-c:v',
      s.encoder,
      // p4: NVENC's balanced preset (p1 fastest … p7 best), far faster than real time at 1080p.
      '-preset',
      'p4',
      ...profile(s.codec),
      // VBR capped by maxrate/bufsize: the bandwidth the playlist promises, without CBR filler.
      '-rc',
      'vbr',
      ...rateControl(s.bitrateKbps),
      // -forced-idr 1: a forced keyframe becomes an IDR, so every segment decodes alone.
      ...forcedKeyframes(s.segmentSeconds),
      '-forced-idr',
      '1',
      // -no-scenecut 1: no extra I frames at scene cuts even if lookahead is ever enabled.
      '-no-scenecut',
      '1',
      // GOP of one segment, so no extra keyframe lands inside a segment.
      '-g',
      String(s.gopFrames),
      ...hevcTag(s.codec),
    ],
  };
}

function qsv(s: VideoEncodeSettings): VideoEncoderArgs {
  // On Linux libmfx opens the render node through VAAPI (child_device); on Windows it picks the adapter itself.
  const device = s.device === null ? 'qsv=hw:hw' : `qsv=hw:hw,child_device=${s.device}`;
  const scale = s.height === null ? '' : `scale=-2:${s.height},`;
  return {
    // A named QSV device for the upload filter; the encoder reuses it through the uploaded frames.
    beforeInput: ['-init_hw_device', device, '-filter_hw_device', 'hw'],
    // CPU scale (scale_qsv has no -2 for an even width), nv12, one upload; extra frames for the encoder's queue.
    filter: `${scale}format=nv12,hwupload=extra_hw_frames=64`,
    output: [
      '-c:v',
      s.encoder,
      // veryfast: QSV's fastest preset, the live-transcoding speed point.
      '-preset',
      'veryfast',
      ...profile(s.codec),
      // -b:v = -maxrate: QSV chooses its CBR mode, the bandwidth the playlist promises.
      ...rateControl(s.bitrateKbps),
      // -forced_idr 1: QSV makes forced keyframes plain I frames unless told to make them IDRs.
      ...forcedKeyframes(s.segmentSeconds),
      '-forced_idr',
      '1',
      // GOP of one segment, so no extra keyframe lands inside a segment.
      '-g',
      String(s.gopFrames),
      ...hevcTag(s.codec),
    ],
  };
}

function v4l2m2m(s: VideoEncodeSettings): VideoEncoderArgs {
  return {
    beforeInput: [],
    // The Raspberry Pi (bcm2835-codec) and i.MX6 (coda) encoders take yuv420p from system memory; CPU scaling.
    // FFmpeg finds the encoder node itself by probing /dev/video*: there is no device option.
    filter: softwareScale(s.height),
    output: [
      '-c:v',
      s.encoder,
      // -b:v becomes the V4L2 BITRATE control; maxrate/bufsize have no V4L2 control and are ignored.
      ...rateControl(s.bitrateKbps),
      // FFmpeg turns forced keyframes into V4L2 FORCE_KEY_FRAME requests: an IDR at each segment start.
      ...forcedKeyframes(s.segmentSeconds),
      // GOP of one segment (V4L2 GOP_SIZE): no extra keyframe inside a segment.
      '-g',
      String(s.gopFrames),
      ...hevcTag(s.codec),
    ],
  };
}

function videotoolbox(s: VideoEncodeSettings): VideoEncoderArgs {
  return {
    beforeInput: [],
    // CPU scaling; VideoToolbox takes yuv420p and uploads it itself.
    filter: softwareScale(s.height),
    output: [
      '-c:v',
      s.encoder,
      ...profile(s.codec),
      // -allow_sw 0: fail rather than fall back to Apple's software encoder, so the test encode tells the truth.
      '-allow_sw',
      '0',
      // -b:v is VideoToolbox's average bitrate; the VBV figures count only where the wrapper maps them.
      ...rateControl(s.bitrateKbps),
      // VideoToolbox honours forced keyframes (kVTEncodeFrameOptionKey_ForceKeyFrame): each segment starts on one.
      ...forcedKeyframes(s.segmentSeconds),
      // GOP of one segment (MaxKeyFrameInterval), so no extra keyframe lands inside a segment.
      '-g',
      String(s.gopFrames),
      ...hevcTag(s.codec),
    ],
  };
}

function amf(s: VideoEncodeSettings): VideoEncoderArgs {
  // AMF's option names differ per codec: SPS/PPS (VPS) with every IDR, so each segment decodes alone.
  const headers =
    s.codec === 'h264'
      ? ['-header_spacing', String(s.gopFrames)]
      : s.codec === 'hevc'
        ? ['-header_insertion_mode', 'idr', '-gops_per_idr', '1']
        : [];
  return {
    beforeInput: [],
    // CPU scaling; AMF takes yuv420p from system memory.
    filter: softwareScale(s.height),
    output: [
      '-c:v',
      s.encoder,
      // Transcoding usage at the speed preset: throughput first, as for the software veryfast.
      '-usage',
      'transcoding',
      '-quality',
      'speed',
      ...profile(s.codec),
      // Peak-constrained VBR: the bandwidth the playlist promises, without CBR filler.
      '-rc',
      'vbr_peak',
      ...rateControl(s.bitrateKbps),
      // FFmpeg's AMF wrapper does not act on forced keyframes; -g is its IDR period, so each GOP of one segment
      // opens with an IDR (exact at whole frames per segment, as with any fixed GOP).
      '-g',
      String(s.gopFrames),
      ...headers,
      ...hevcTag(s.codec),
    ],
  };
}

function mf(s: VideoEncodeSettings): VideoEncoderArgs {
  return {
    beforeInput: [],
    // CPU scaling; Media Foundation hardware encoders want nv12.
    filter: s.height === null ? 'format=nv12' : `scale=-2:${s.height},format=nv12`,
    output: [
      '-c:v',
      s.encoder,
      // -hw_encoding 1: only a hardware MFT, never Microsoft's software one.
      '-hw_encoding',
      '1',
      // CBR: the rate-control mode every MFT implements.
      '-rate_control',
      'cbr',
      ...rateControl(s.bitrateKbps),
      // Media Foundation honours forced keyframes (CODECAPI_AVEncVideoForceKeyFrame).
      ...forcedKeyframes(s.segmentSeconds),
      // GOP of one segment, so no extra keyframe lands inside a segment.
      '-g',
      String(s.gopFrames),
      ...hevcTag(s.codec),
    ],
  };
}

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

function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}

/** Arguments for one encoder family. Throws for an encoder no family knows (a programming error). */
export function videoEncoderArgs(s: VideoEncodeSettings): VideoEncoderArgs {
  switch (s.encoder) {
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
