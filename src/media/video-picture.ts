// Pure: what ffprobe says about a video's picture (colour, bit depth, HDR, field order), the facts that decide
// tone mapping, keeping HDR and deinterlacing.

/** The transfer that makes a picture HDR: PQ (HDR10, SMPTE ST 2084) or HLG (ARIB STD-B67); null for SDR. */
export type HdrTransfer = 'pq' | 'hlg';

/** Which field is shown first; null when the container does not say (an idet check can then tell). */
export type FieldOrder = 'progressive' | 'tff' | 'bff';

/** A CIE 1931 chromaticity (x, y), each 0..1. */
export interface Chromaticity {
  readonly x: number;
  readonly y: number;
}

/** HDR10 static metadata (SMPTE ST 2086 mastering display, CTA-861.3 content light level), as decoded from the first frame. */
export interface Hdr10Metadata {
  readonly masteringDisplay: {
    readonly red: Chromaticity;
    readonly green: Chromaticity;
    readonly blue: Chromaticity;
    readonly whitePoint: Chromaticity;
    /** cd/m² */
    readonly minLuminance: number;
    /** cd/m² */
    readonly maxLuminance: number;
  } | null;
  /** MaxCLL and MaxFALL in cd/m². */
  readonly contentLight: { readonly maxCll: number; readonly maxFall: number } | null;
}

export interface VideoPicture {
  /** ffprobe's names (smpte2084, arib-std-b67, bt709, bt2020nc, tv, pc); '' when the source does not say. */
  readonly transfer: string;
  readonly primaries: string;
  readonly space: string;
  readonly range: string;
  /** Bits per sample: bits_per_raw_sample when stated, else read from pix_fmt (yuv420p10le → 10); 8 by default. */
  readonly bitDepth: number;
  readonly hdr: HdrTransfer | null;
  /** Filled by a look at the first frame (probeHdr10) when the source is HDR; null when absent or not looked for. */
  readonly hdr10: Hdr10Metadata | null;
  readonly fieldOrder: FieldOrder | null;
}

/** The stream fields ffprobe is asked for (-show_entries stream=...) to fill a VideoPicture. */
export const PICTURE_ENTRIES =
  'bits_per_raw_sample,color_range,color_space,color_transfer,color_primaries,field_order';

export interface PictureStreamFields {
  pix_fmt?: string;
  bits_per_raw_sample?: string;
  color_range?: string;
  color_space?: string;
  color_transfer?: string;
  color_primaries?: string;
  field_order?: string;
}

/** 'unknown' and 'unspecified' say nothing; keep them out so a caller tests one value (''). */
function stated(value: string | undefined): string {
  return value === undefined || value === 'unknown' || value === 'unspecified' ? '' : value;
}

/** Bits per sample from a pixel format's name: the digits before the endianness (p010le, yuv420p10le, gray12le). */
export function pixFmtBitDepth(pixFmt: string): number {
  const m = /(\d{1,2})(?:le|be)$/.exec(pixFmt);
  const bits = m === null ? 8 : Number(m[1]);
  return bits >= 8 && bits <= 16 ? bits : 8;
}

/** smpte2084 → pq, arib-std-b67 → hlg (the only two HDR transfers FFmpeg 5.1 reports), anything else SDR. */
export function hdrTransfer(transfer: string): HdrTransfer | null {
  return transfer === 'smpte2084' ? 'pq' : transfer === 'arib-std-b67' ? 'hlg' : null;
}

/**
 * FFmpeg's field order names the coded order then the displayed one (tb: top coded first, bottom shown first);
 * deinterlacing cares about the displayed one. Quirk: ffmpeg 5.1's CLI tags top-first content coded as progressive
 * frames "tb" (seen with libx264 without +ildct), so tb/bt say "interlaced" reliably but their parity less so.
 */
export function fieldOrder(value: string | undefined): FieldOrder | null {
  switch (value ?? '') {
    case 'progressive':
      return 'progressive';
    case 'tt':
    case 'bt':
      return 'tff';
    case 'bb':
    case 'tb':
      return 'bff';
    default:
      return null;
  }
}

/** The picture facts of one ffprobe video stream (HDR10 metadata left null: it lives in frames, see probeHdr10). */
export function parsePicture(s: PictureStreamFields): VideoPicture {
  const raw = Number.parseInt(s.bits_per_raw_sample ?? '', 10);
  const transfer = stated(s.color_transfer);
  return {
    transfer,
    primaries: stated(s.color_primaries),
    space: stated(s.color_space),
    range: stated(s.color_range),
    bitDepth: raw >= 8 && raw <= 16 ? raw : pixFmtBitDepth(s.pix_fmt ?? ''),
    hdr: hdrTransfer(transfer),
    hdr10: null,
    fieldOrder: fieldOrder(s.field_order),
  };
}

interface SideData {
  side_data_type?: string;
  red_x?: string;
  red_y?: string;
  green_x?: string;
  green_y?: string;
  blue_x?: string;
  blue_y?: string;
  white_point_x?: string;
  white_point_y?: string;
  min_luminance?: string;
  max_luminance?: string;
  max_content?: number;
  max_average?: number;
}

/** "34000/50000" → 0.68; NaN when not a ratio. */
function ratio(text: string | undefined): number {
  const [n, d] = (text ?? '').split('/').map(Number);
  if (n === undefined || d === undefined || d === 0) return NaN;
  return n / d;
}

function point(x: string | undefined, y: string | undefined): Chromaticity | null {
  const p = { x: ratio(x), y: ratio(y) };
  return p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1 ? p : null;
}

/**
 * Parses `ffprobe -show_entries frame_side_data=...` JSON of a source's first frame. FFmpeg 5.1 reports HDR10
 * metadata there (from HEVC SEI), not on the stream: MP4 and MKV made by libx265 carry no stream side data.
 */
export function parseHdr10(json: string): Hdr10Metadata | null {
  const data = JSON.parse(json) as { frames?: { side_data_list?: SideData[] }[] };
  const list = data.frames?.[0]?.side_data_list ?? [];
  const md = list.find((d) => d.side_data_type === 'Mastering display metadata');
  const cl = list.find((d) => d.side_data_type === 'Content light level metadata');
  let masteringDisplay: Hdr10Metadata['masteringDisplay'] = null;
  if (md !== undefined) {
    const red = point(md.red_x, md.red_y);
    const green = point(md.green_x, md.green_y);
    const blue = point(md.blue_x, md.blue_y);
    const whitePoint = point(md.white_point_x, md.white_point_y);
    const minLuminance = ratio(md.min_luminance);
    const maxLuminance = ratio(md.max_luminance);
    if (red && green && blue && whitePoint && minLuminance >= 0 && maxLuminance > 0)
      masteringDisplay = { red, green, blue, whitePoint, minLuminance, maxLuminance };
  }
  const contentLight =
    cl !== undefined && typeof cl.max_content === 'number' && typeof cl.max_average === 'number'
      ? { maxCll: cl.max_content, maxFall: cl.max_average }
      : null;
  return masteringDisplay === null && contentLight === null ? null : { masteringDisplay, contentLight };
}

/**
 * x265's master-display and max-cll values for the same metadata (chromaticity in 0.00002 steps, luminance in
 * 0.0001 cd/m²), so an HDR10 output can carry the source's: "G(13250,34500)B(7500,3000)R(34000,16000)WP(...)L(...)".
 */
export function x265Hdr10Params(meta: Hdr10Metadata): {
  masterDisplay: string | null;
  maxCll: string | null;
} {
  const md = meta.masteringDisplay;
  const c = (p: Chromaticity): string => `${Math.round(p.x * 50000)},${Math.round(p.y * 50000)}`;
  return {
    masterDisplay:
      md === null
        ? null
        : `G(${c(md.green)})B(${c(md.blue)})R(${c(md.red)})WP(${c(md.whitePoint)})` +
          `L(${Math.round(md.maxLuminance * 10000)},${Math.round(md.minLuminance * 10000)})`,
    maxCll: meta.contentLight === null ? null : `${meta.contentLight.maxCll},${meta.contentLight.maxFall}`,
  };
}
