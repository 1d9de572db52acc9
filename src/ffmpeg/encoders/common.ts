// What every encoder family shares: the settings it gets, the shape of its arguments, and the flag groups that
// keep segment cuts exact and the bandwidth what the playlist promises.
import { assertNever } from '../../errors.js';
import type { AcceleratorType, VideoCodec } from '../../hardware/types.js';

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
  /** ≤ 1 GiB machine: cap lookahead, threads and buffers. */
  readonly lowMemory: boolean;
  /**
   * Where a head that starts past segment 0 starts (absent for a head at 0), or 'source': keyframes where the
   * source has them, so this encode cuts where a copy of the source beside it cuts (ABR with an original).
   */
  readonly cutBase?: CutBase | 'source';
}

/** A head's first segment and the source time of its first frame: keyframes land where a head at 0 puts them. */
export interface CutBase {
  readonly segment: number;
  readonly firstFrameSeconds: number;
}

export interface VideoEncoderArgs {
  /** Global/input options that must precede -i (hardware device set-up). */
  readonly beforeInput: readonly string[];
  /** The -vf chain (may be empty). */
  readonly filter: string;
  /** -c:v and everything about rate control and keyframes. */
  readonly output: readonly string[];
}

/**
 * Keyframes at every segment boundary, whatever the frame rate: each segment starts on an IDR frame. FFmpeg's `t`
 * counts from the run's first frame, so a head that starts at segment k adds its first frame's source time and
 * counts cuts from k: the same frames become keyframes as in a head that started at 0.
 */
export function forcedKeyframes(segmentSeconds: number, base?: CutBase | 'source'): string[] {
  // Beside a copy: keyframes where the source has them, so the encode cuts where the copy does; frame times passed
  // through, since the constant-rate path may drop or repeat a frame and move a keyframe one frame off the source's.
  if (base === 'source') return ['-force_key_frames', 'source', '-fps_mode', 'passthrough'];
  if (base === undefined || (base.segment === 0 && base.firstFrameSeconds === 0))
    return ['-force_key_frames', `expr:gte(t,n_forced*${segmentSeconds})`];
  return [
    '-force_key_frames',
    `expr:gte(t+${base.firstFrameSeconds.toFixed(6)},(n_forced+${base.segment})*${segmentSeconds})`,
  ];
}

/**
 * The segment cut every family needs: a forced keyframe at each boundary, the family's flag that makes it an IDR
 * (`idr`), and a GOP of one segment so no extra keyframe lands inside a segment.
 */
export function segmentCuts(s: VideoEncodeSettings, idr: readonly string[] = []): string[] {
  return [...forcedKeyframes(s.segmentSeconds, s.cutBase), ...idr, '-g', String(s.gopFrames)];
}

/** Constant-ish bitrate with a VBV, so the stream's bandwidth is what the playlist promises. */
export function rateControl(bitrateKbps: number): string[] {
  return ['-b:v', `${bitrateKbps}k`, '-maxrate', `${bitrateKbps}k`, '-bufsize', `${bitrateKbps * 2}k`];
}

/** scale=-2:H keeps the aspect ratio with an even width; format=yuv420p makes 10-bit sources play on 8-bit TVs. */
export function softwareScale(height: number | null): string {
  return height === null ? 'format=yuv420p' : `scale=-2:${height},format=yuv420p`;
}

/** h264 high / hevc main: what every TV and browser decodes; AV1 encoders choose their only profile. */
export function profile(codec: VideoCodec): string[] {
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
export function hevcTag(codec: VideoCodec): string[] {
  return codec === 'hevc' ? ['-tag:v', 'hvc1'] : [];
}

export function requireDevice(s: VideoEncodeSettings): string {
  if (s.device === null) throw new Error(`encoder ${s.encoder} needs a device`);
  return s.device;
}
