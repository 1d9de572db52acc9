// One job's master.m3u8: each variant's codec string, read from the first file it published (what was really
// encoded, or copied), the variants as the master lists them, and the subtitle renditions beside them.
import path from 'node:path';
import type { Logger } from 'pino';
import { MASTER_NAME, mediaPlaylistName, type Container, type VariantId } from '../hls/stream-folder.js';
import { closeFile, openFile, readAt } from '../hls/file-read.js';
import { composeMaster } from '../hls/master-playlist.js';
import { StreamPlaylistFile } from '../hls/stream-playlist-file.js';
import type { SubtitleRendition } from '../hls/subtitle-playlist.js';
import { audioCodecString, codecFromAnnexB, codecFromInit } from '../media/codec-string.js';
import type { SourceInfo } from '../media/source-info.js';
import type { OutputCodec } from '../media/video-mode.js';
import type { JobOutput, VariantView } from '../contract/job-view.js';
import { variantBandwidth } from './variant-plan.js';

/** What the master lists when a variant's SPS cannot be read: the profile and level our encoders default to. */
const FALLBACK_CODECS: Readonly<Record<OutputCodec, string>> = {
  h264: 'avc1.640028',
  hevc: 'hvc1.1.6.L120.90',
  av1: 'av01.0.08M.08',
};

/** Enough of a TS segment for its first SPS, or of an fMP4 init for its sample entry. */
const CODEC_READ_BYTES = 256 * 1024;

export interface StreamMasterSpec {
  readonly jobId: string;
  /** The stream folder master.m3u8 is written to. */
  readonly dir: string;
  /** The job view's output, with the codec strings read so far, each time it changes. */
  readonly report: (output: JobOutput) => void;
  readonly source: SourceInfo;
  readonly container: Container;
  readonly segmentSeconds: number;
  /** The variants each segment index has a file of: one (null) in a one-quality job. */
  readonly renditions: readonly VariantId[];
  /** Whether the one quality of a job without a ladder is a copy of the source. */
  readonly copy: boolean;
  /** The codec a variant is made in (what the master names should its SPS not be found). */
  readonly codecOf: (variant: VariantId) => OutputCodec;
  readonly log: Logger;
}

export class StreamMaster {
  readonly #spec: StreamMasterSpec;
  /** Each variant's video codec string, read from its first segment (or init): the master waits for all. */
  readonly #codecs = new Map<VariantId, string>();
  #subtitles: readonly SubtitleRendition[] = [];
  readonly #file: StreamPlaylistFile;
  /** What the stream makes (the latest head's plan), without the codec strings. */
  #output: JobOutput | null = null;

  constructor(spec: StreamMasterSpec) {
    this.#spec = spec;
    this.#file = new StreamPlaylistFile(spec.dir, () => this.#compose(), MASTER_NAME);
  }

  /** What the stream makes, as last set. */
  get output(): JobOutput | null {
    return this.#output;
  }

  /** A head's plan says what the stream makes: the job view gets it with the codec strings read so far. */
  setOutput(output: JobOutput): void {
    this.#output = output;
    this.#spec.report(this.#withCodecs(output));
  }

  /** The job's subtitle renditions: the master lists them beside the variant(s). */
  attachSubtitles(renditions: readonly SubtitleRendition[]): Promise<void> {
    this.#subtitles = renditions;
    return this.#file.update();
  }

  /**
   * Reads a variant's codec string from the first file it published (a TS segment, or the fMP4 init), puts it in
   * the job view and writes the master once every variant's is known.
   */
  async learn(variant: VariantId, name: string): Promise<void> {
    if (this.#codecs.has(variant)) return;
    const { dir, jobId, container, log } = this.#spec;
    const bytes = Buffer.alloc(CODEC_READ_BYTES);
    let read = 0;
    try {
      const { fd } = openFile(path.join(dir, name));
      try {
        read = await readAt(fd, bytes, 0, bytes.length, 0);
      } finally {
        closeFile(fd);
      }
    } catch {
      // Removed under us (job ended): the master is not needed any more.
      return;
    }
    if (this.#codecs.has(variant)) return;
    const data = bytes.subarray(0, read);
    const found = container === 'fmp4' ? codecFromInit(data) : codecFromAnnexB(data);
    this.#codecs.set(variant, found ?? FALLBACK_CODECS[this.#spec.codecOf(variant)]);
    if (found === null) log.warn({ jobId, variant, file: name }, 'no SPS found: master lists a default');
    if (this.#output !== null) this.#spec.report(this.#withCodecs(this.#output));
    await this.#file.update();
  }

  /** The job view's variants with the codec strings read so far. */
  #withCodecs(output: JobOutput): JobOutput {
    if (output.variants === undefined) return output;
    return {
      ...output,
      variants: output.variants.map((v) => ({ ...v, codecs: this.#codecsOf(v.index) ?? v.codecs })),
    };
  }

  /** RFC 6381 codecs of everything a variant carries (video as read from its SPS, then audio); null until read. */
  #codecsOf(variant: VariantId): string | null {
    const video = this.#codecs.get(variant);
    if (video === undefined) return null;
    const audio = this.#output?.audioTrack ?? null;
    const track = audio === null ? undefined : this.#spec.source.audioTracks[audio.index];
    const audioCodec = audio === null ? null : audioCodecString(audio.codec, track?.profile ?? '');
    return audioCodec === null ? video : `${video},${audioCodec}`;
  }

  /** master.m3u8, once every variant's codecs were read from what it encoded. */
  #compose(): string | null {
    const { renditions, container } = this.#spec;
    const output = this.#output;
    if (output === null || this.#codecs.size < renditions.length) return null;
    const views = output.variants ?? [oneQualityView(output, this.#spec)];
    return composeMaster(
      views.map((v, i) => ({
        uri: v.playlist,
        bandwidth: v.bandwidth,
        averageBandwidth: v.averageBandwidth,
        width: v.width,
        height: v.height,
        codecs: this.#codecsOf(renditions[i] ?? null) ?? '',
        frameRate: v.frameRate,
      })),
      this.#subtitles,
      container,
    );
  }
}

/** The one quality of a job without a ladder, as the master lists it. */
export function oneQualityView(
  output: JobOutput,
  spec: Pick<StreamMasterSpec, 'source' | 'copy' | 'container' | 'segmentSeconds'>,
): VariantView {
  const source = spec.source.video;
  const height = output.height ?? 0;
  // A copy's rate is the source's own.
  const bitrateKbps = spec.copy ? Math.round((source?.bitRate ?? 0) / 1000) : output.bitrateKbps;
  const variant = {
    index: 0,
    copy: spec.copy,
    codec: output.codec,
    height,
    width: output.width,
    bitrateKbps,
  };
  const audio = output.audioTrack;
  const audioPlan =
    audio === null ? null : { streamIndex: 0, copy: audio.copied, bitrateKbps: 128, channels: 2 };
  return {
    index: 0,
    playlist: mediaPlaylistName(null),
    codec: output.codec,
    encoder: output.encoder,
    copied: spec.copy,
    width: output.width,
    height,
    bitrateKbps,
    frameRate: Math.round((source?.fps ?? 0) * 1000) / 1000,
    ...variantBandwidth(variant, audioPlan, spec.container, spec.segmentSeconds),
    codecs: null,
  };
}
