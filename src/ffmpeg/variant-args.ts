// Pure: the part of FFmpeg's arguments that makes several variants from one decode: split the decoded picture, give
// each branch its family's filter, map the branches and the audio, and put every encoder flag on its own stream.
import type { VideoEncoderArgs } from './encoders/common.js';

/** One variant's encoder arguments; a copy's come from the copy family and take the source's video unfiltered. */
export interface VariantEncode {
  readonly copy: boolean;
  readonly args: VideoEncoderArgs;
}

export interface VariantStreams {
  readonly beforeInput: readonly string[];
  /** -filter_complex and the -map of every output stream, in var_stream_map order. */
  readonly mapping: readonly string[];
  /** Every variant's codec flags, each on its own output stream (-c:v:1 libx264 -b:v:1 ...). */
  readonly codecs: readonly string[];
  /** -var_stream_map's value: which video and audio stream each variant holds. */
  readonly streamMap: string;
}

/**
 * An encoder family's flags for output video stream i: `-b:v` becomes `-b:v:i`, `-preset` becomes `-preset:v:i`.
 * Every family writes flag/value pairs; anything else is a programming error.
 */
export function onStream(args: readonly string[], i: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < args.length; k += 2) {
    const flag = args[k];
    const value = args[k + 1];
    if (flag === undefined || !flag.startsWith('-') || value === undefined)
      throw new Error(`encoder flags are not flag/value pairs at ${String(flag)}`);
    out.push(flag.endsWith(':v') ? `${flag}:${i}` : `${flag}:v:${i}`, value);
  }
  return out;
}

/**
 * The filter that draws an image subtitle stream over the video: its pictures (a PGS canvas is the video's size, a
 * DVD one smaller) bottom-centred; the video goes on unchanged when the subtitles end. A picture chain (deinterlace,
 * tone map) runs on the video before the overlay, so the subtitles keep their own colours.
 */
export function burnIn(videoStreamIndex: number, subtitleStreamIndex: number, pictureFilter = ''): string {
  const video =
    pictureFilter === ''
      ? `[0:${videoStreamIndex}]`
      : `[0:${videoStreamIndex}]${pictureFilter}[picture];[picture]`;
  return `${video}[0:${subtitleStreamIndex}]overlay=x=(W-w)/2:y=H-h:eof_action=pass`;
}

/** The variants' streams: one decode, `split` into one branch per encode; a copy maps the source's video as it is. */
export function variantStreams(
  variants: readonly VariantEncode[],
  videoStreamIndex: number,
  audioStreamIndex: number | null,
  burnStreamIndex?: number,
  pictureFilter = '',
): VariantStreams {
  const encodes = variants.flatMap((v, i) => (v.copy ? [] : [{ i, args: v.args }]));
  const graph: string[] = [];
  if (encodes.length > 0) {
    const labels = encodes.map(({ i }) => `[s${i}]`).join('');
    // Burned-in subtitles and the picture chain run once, before the split: every variant shows them.
    const source =
      burnStreamIndex !== undefined
        ? `${burnIn(videoStreamIndex, burnStreamIndex, pictureFilter)}[burned];[burned]`
        : pictureFilter === ''
          ? `[0:${videoStreamIndex}]`
          : `[0:${videoStreamIndex}]${pictureFilter},`;
    graph.push(`${source}split=${encodes.length}${labels}`);
    for (const { i, args } of encodes)
      graph.push(`[s${i}]${args.filter === '' ? 'null' : args.filter}[v${i}]`);
  }
  const mapping: string[] = graph.length === 0 ? [] : ['-filter_complex', graph.join(';')];
  const codecs: string[] = [];
  variants.forEach((v, i) => {
    mapping.push('-map', v.copy ? `0:${videoStreamIndex}` : `[v${i}]`);
    codecs.push(...onStream(v.args.output, i));
  });
  // Each variant carries its own audio (muxed, as every TV plays it): the same track, mapped once per variant.
  if (audioStreamIndex !== null) variants.forEach(() => mapping.push('-map', `0:${audioStreamIndex}`));
  const streamMap = variants
    .map((_, i) => (audioStreamIndex === null ? `v:${i}` : `v:${i},a:${i}`))
    .join(' ');
  // Device set-up is per machine, not per variant: the first encode's (all use the same device).
  const beforeInput = encodes[0]?.args.beforeInput ?? [];
  return { beforeInput, mapping, codecs, streamMap };
}
