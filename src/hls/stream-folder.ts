// Every name in a job's stream folder, public (stream.m3u8, seg-K.ts, v1-init.mp4, master.m3u8) and private to one
// FFmpeg run (h3-7.ts, h3.m3u8), with the parsers that read them back, and the timeline base the folder's segments
// share. The argument builder writes these names, the stream publishes them, the HTTP layer accepts exactly them.

export const PLAYLIST_NAME = 'stream.m3u8';

/** MPEG-TS segments (H.264 by default), or fragmented MP4 (HEVC, which Apple plays in HLS only this way). */
export type Container = 'ts' | 'fmp4';

/** The fMP4 initialisation segment players fetch once (#EXT-X-MAP). */
export const INIT_NAME = 'init.mp4';

function extension(container: Container): string {
  return container === 'fmp4' ? 'm4s' : 'ts';
}

/** The master playlist: every variant (and subtitle rendition) of a job, for players that choose among them. */
export const MASTER_NAME = 'master.m3u8';

/**
 * Variant i of an adaptive-bitrate job writes v{i}.m3u8, v{i}-init.mp4, v{i}-seg-K; a single-quality job has no
 * variant (null) and keeps stream.m3u8, init.mp4, seg-K.
 */
export type VariantId = number | null;

function prefix(variant: VariantId): string {
  return variant === null ? '' : `v${variant}-`;
}

/** Segment file name for an index; the HTTP layer accepts exactly these names. */
export function segmentName(index: number, container: Container = 'ts', variant: VariantId = null): string {
  return `${prefix(variant)}seg-${index}.${extension(container)}`;
}

/**
 * A variant's fMP4 initialisation segment. Generation 0 is the job's first encoder's; a hardware encoder that fails
 * mid-stream is followed by the software one's (generation 1: init-1.mp4), listed after a discontinuity.
 */
export function initName(variant: VariantId = null, generation = 0): string {
  const name = generation === 0 ? INIT_NAME : `init-${generation}.mp4`;
  return `${prefix(variant)}${name}`;
}

/** A variant's media playlist (stream.m3u8 for a single-quality job). */
export function mediaPlaylistName(variant: VariantId = null): string {
  return variant === null ? PLAYLIST_NAME : `v${variant}.m3u8`;
}

const NUMBER = '(0|[1-9][0-9]{0,8})';
const VARIANT = '(?:v([0-9])-)?';
const SEGMENT_RE = new RegExp(`^${VARIANT}seg-${NUMBER}\\.(?:ts|m4s)$`);
const INIT_RE = /^(?:v([0-9])-)?init(?:-[1-9])?\.mp4$/;
const PLAYLIST_RE = /^v([0-9])\.m3u8$/;
const HEAD_SEGMENT_RE = new RegExp(`^h${NUMBER}-${VARIANT}${NUMBER}\\.(?:ts|m4s)$`);
const HEAD_PLAYLIST_RE = new RegExp(`^h${NUMBER}(?:-v([0-9]))?\\.m3u8$`);

function variantOf(text: string | undefined): VariantId {
  return text === undefined ? null : Number(text);
}

/** Variant and index of a segment file name, or null if the name is not one we write (seg-012.ts, seg-1.ts.tmp). */
export function parseSegmentName(
  name: string,
): { readonly variant: VariantId; readonly index: number } | null {
  const m = SEGMENT_RE.exec(name);
  return m?.[2] === undefined ? null : { variant: variantOf(m[1]), index: Number(m[2]) };
}

/** Index of a segment file name of any variant, or null. */
export function segmentIndex(name: string): number | null {
  return parseSegmentName(name)?.index ?? null;
}

/** The variant of an init segment name (init.mp4 → null), or undefined for any other name. */
export function parseInitName(name: string): VariantId | undefined {
  const m = INIT_RE.exec(name);
  return m === null ? undefined : variantOf(m[1]);
}

/** The variant of a variant playlist name (v2.m3u8 → 2), or null for any other name. */
export function parseVariantPlaylist(name: string): number | null {
  const m = PLAYLIST_RE.exec(name);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/**
 * A head's own name for segment n: each FFmpeg run writes its own files, so two runs never share a (temp) file.
 * With variants FFmpeg fills in %v (h0-v%v-%d.ts → h0-v1-7.ts).
 */
export function headSegmentPattern(head: number, container: Container = 'ts', variants = false): string {
  return `h${head}-${variants ? 'v%v-' : ''}%d.${extension(container)}`;
}

/** A head's own fMP4 initialisation segment (of a variant; with `'%v'`, the pattern FFmpeg fills in). */
export function headInitName(head: number, variant: VariantId | '%v' = null): string {
  return variant === null ? `h${head}-init.mp4` : `h${head}-v${variant}-init.mp4`;
}

/** Head id, variant and segment index of a head's finished segment file name, or null for any other name. */
export function headSegment(
  name: string,
): { readonly head: number; readonly variant: VariantId; readonly index: number } | null {
  const m = HEAD_SEGMENT_RE.exec(name);
  return m?.[1] === undefined || m[3] === undefined
    ? null
    : { head: Number(m[1]), variant: variantOf(m[2]), index: Number(m[3]) };
}

/** The playlist FFmpeg writes for one head (and variant; '%v' for the pattern). Players never see it. */
export function headPlaylistName(head: number, variant: VariantId | '%v' = null): string {
  return variant === null ? `h${head}.m3u8` : `h${head}-v${variant}.m3u8`;
}

/** Head id and variant of a head playlist name, or null for any other name. */
export function headPlaylistId(name: string): { readonly head: number; readonly variant: VariantId } | null {
  const m = HEAD_PLAYLIST_RE.exec(name);
  return m?.[1] === undefined ? null : { head: Number(m[1]), variant: variantOf(m[2]) };
}

/**
 * Output timestamps start this far in. A head at 0 would otherwise begin with a negative DTS (B-frame reorder
 * delay), which the muxer shifts by that delay, and a seek head would not: their segments would differ by it.
 */
export const TIMESTAMP_BASE_SECONDS = 1;

/**
 * The text subtitle track a job burns in, extracted to ASS before the first head starts. Private to the worker: it
 * matches none of the names above, so the HTTP layer never serves it.
 */
export const BURN_TEXT_NAME = 'burn-text.ass';
