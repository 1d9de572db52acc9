// The hardware profile: what the heartbeat and `transcode-worker probe` report, and what encoder choice reads.

export type AcceleratorType =
  'vaapi' | 'nvenc' | 'qsv' | 'videotoolbox' | 'dxva2' | 'd3d11va' | 'v4l2m2m' | 'amf' | 'mf';

export type VideoCodec = 'h264' | 'hevc' | 'av1';

export interface CpuProfile {
  readonly model: string;
  readonly arch: string;
  /** Physical cores. */
  readonly cores: number;
  /** Logical CPUs (hardware threads). */
  readonly threads: number;
  /** Current frequency in MHz (0 when nothing reports it). */
  readonly frequencyMhz: number;
  readonly maxFrequencyMhz: number | null;
  /** 1, 5 and 15 minute load averages. */
  readonly load: readonly [number, number, number];
}

export interface MemoryProfile {
  readonly totalBytes: number;
  /** MemAvailable on Linux (reclaimable cache counts as available). */
  readonly availableBytes: number;
  /** Set when the worker runs under a cgroup memory limit; totalBytes is then that limit. */
  readonly cgroupLimitBytes: number | null;
}

/** One encoder that was tried with a real test encode. */
export interface EncoderCheck {
  /** FFmpeg encoder name, e.g. libx264, h264_vaapi. */
  readonly name: string;
  readonly codec: VideoCodec;
  /** null for software encoders. */
  readonly accelerator: AcceleratorType | null;
  /** Device the encoder was tested on (/dev/dri/renderD128, cuda:0), null when none applies. */
  readonly device: string | null;
  readonly usable: boolean;
  /** FFmpeg's own reason when not usable (last error lines of the test encode). */
  readonly reason?: string;
  /** Measured encode speed as a multiple of real time, per output height; absent until measured. */
  readonly speed?: { readonly '720p'?: number; readonly '1080p'?: number };
  /** When each speed figure was measured (ISO 8601, UTC), per output height; present with its figure. */
  readonly measuredAt?: { readonly '720p'?: string; readonly '1080p'?: string };
}

export interface Accelerator {
  readonly type: AcceleratorType;
  /** Device node or identifier (/dev/dri/renderD128, /dev/nvidia0, /dev/video11, 'videotoolbox'). */
  readonly device: string;
  readonly vendor?: string;
  readonly driver?: string;
  readonly name?: string;
  readonly memoryBytes?: number;
  /** Encoders on this accelerator that passed a test encode. */
  readonly encoders: readonly string[];
  /** Every candidate tried on it, usable or not, with FFmpeg's reason. */
  readonly candidates: readonly EncoderCheck[];
}

export interface FfmpegProfile {
  readonly version: string;
  readonly path: string;
  /** The h264/hevc/av1 encoders this FFmpeg build lists (listed is not working: see `encoders`). */
  readonly encoders: readonly string[];
  readonly hwaccels: readonly string[];
}

export interface HardwareProfile {
  /** True while the test encodes or the speed measurement are still running. */
  readonly probing: boolean;
  readonly cpu: CpuProfile;
  readonly memory: MemoryProfile;
  readonly accelerators: readonly Accelerator[];
  /** Every encoder tested, software and hardware. */
  readonly encoders: readonly EncoderCheck[];
  readonly ffmpeg: FfmpegProfile;
  readonly os: { readonly platform: NodeJS.Platform; readonly release: string };
}
