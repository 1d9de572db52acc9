// The job as the worker's API shows it (GET /jobs/{id}): the contract the pool and the drop-in read too.
import type { JobRequest } from './job-request.js';
import type { DroppedVariant } from '../media/variants.js';
import type { BurnIn } from '../media/subtitle-track.js';

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface JobOutput {
  readonly codec: 'h264' | 'hevc' | 'av1';
  /** libx264, h264_vaapi, ..., or copy. */
  readonly encoder: string;
  /**
   * Whether the source's video was copied (direct stream) and why, or why it was transcoded; and whether it was
   * tone-mapped to SDR and deinterlaced, and why (shown when the request asks either, the source is HDR or
   * interlaced, or an interlace check ran).
   */
  readonly video: {
    readonly copied: boolean;
    readonly reason: string;
    readonly toneMapped?: PictureStep;
    readonly deinterlaced?: PictureStep;
  };
  readonly width: number | null;
  readonly height: number | null;
  readonly bitrateKbps: number;
  readonly segmentSeconds: number;
  /** Segments the finished stream will have (known once the source was probed). */
  readonly segmentCount: number | null;
  readonly audio: boolean;
  /** ts: MPEG-TS segments (seg-N.ts); fmp4: fragmented MP4 (init.mp4 + seg-N.m4s). */
  readonly container: 'ts' | 'fmp4';
  /** The audio track played and how (null without audio). */
  readonly audioTrack: AudioView | null;
  /** The subtitle track drawn into the picture (burnSubtitles; `text: true` for a text track), or null. */
  readonly burnedSubtitles?: BurnIn | null;
  /** An ABR job's variants, in the master playlist's order. */
  readonly variants?: readonly VariantView[];
  /** Variants asked for that the source does not allow (taller than it, a copy of a codec HLS does not carry). */
  readonly droppedVariants?: readonly DroppedVariant[];
}

/** One picture step of a job (tone mapping, deinterlacing): whether it ran and why. */
export interface PictureStep {
  readonly applied: boolean;
  readonly reason: string;
}

export interface AudioView {
  /** Position among the source's audio tracks (0 = first). */
  readonly index: number;
  readonly language: string | null;
  /** Codec of the output: the source's when copied, else aac. */
  readonly codec: string;
  readonly channels: number;
  readonly copied: boolean;
  /** Why it was copied or encoded. */
  readonly reason: string;
}

/** One variant of an ABR job as GET /jobs/{id} and the master playlist describe it. */
export interface VariantView {
  readonly index: number;
  /** Its media playlist (v0.m3u8), beside the master. */
  readonly playlist: string;
  readonly codec: 'h264' | 'hevc' | 'av1';
  /** libx264, h264_vaapi, ..., or copy. */
  readonly encoder: string;
  readonly copied: boolean;
  readonly width: number | null;
  readonly height: number;
  readonly bitrateKbps: number;
  readonly frameRate: number;
  /** Peak and average bits per second the master playlist announces (BANDWIDTH, AVERAGE-BANDWIDTH). */
  readonly bandwidth: number;
  readonly averageBandwidth: number;
  /** RFC 6381 codecs (avc1.64001f,mp4a.40.2), read from the first segment made; null until then. */
  readonly codecs: string | null;
}

/** A hardware encoder failed and the job went on in software from segment `atSegment`. */
export interface JobFallback {
  /** The encoder that failed (h264_vaapi, ...). */
  readonly from: string;
  /** FFmpeg's own reason. */
  readonly reason: string;
  /** First segment the software encoder made. */
  readonly atSegment: number;
}

/** One encoder head as GET /jobs/{id} shows it. */
export interface HeadInfo {
  readonly start: number;
  readonly next: number;
  readonly throttled: boolean;
  readonly encoder: string;
}

/** What GET /jobs/{id} answers. */
export interface JobView {
  readonly id: string;
  readonly status: JobStatus;
  readonly progress: number;
  readonly error?: string;
  readonly cancelReason?: string;
  /** The media playlist of a one-quality job; an ABR job's master playlist. */
  readonly playlistUrl: string;
  /** master.m3u8: the variant(s) and the subtitle renditions, for players that choose among them. */
  readonly masterUrl: string;
  readonly input: string;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationSeconds: number | null;
  /** Encoding speed as a multiple of real time, while running. */
  readonly speed: number | null;
  /** The encoder in use (or last used): the software one after a fallback. */
  readonly encoder: string;
  readonly fallback?: JobFallback;
  readonly output: JobOutput | null;
  readonly segmentsReady: number;
  /** vod: the whole playlist from the start; event: segments listed as made (also when the duration is unknown). */
  readonly playlist: 'vod' | 'event';
  /** An encoder head is paused because it is far ahead of its viewers. */
  readonly throttled: boolean;
  /** The FFmpeg runs (heads) making the stream now: where each started and the segment it is writing. */
  readonly heads: readonly HeadInfo[];
  /** Encodes it runs now (each running head, an ABR head once per encoded variant): what it weighs on max_jobs. */
  readonly cost: number;
  /**
   * Nobody watched it for jobs.idle_cancel_seconds: no FFmpeg works for it (its heads stopped, or its one head paused)
   * but the stream stays, and a request brings a head back. The status stays `running`.
   */
  readonly parked: boolean;
  /** When it was parked (ISO 8601), null while not parked. */
  readonly parkedAt: string | null;
  readonly request: JobRequest;
}
