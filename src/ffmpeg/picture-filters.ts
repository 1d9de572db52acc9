// Pure builders of the picture filters a family library needs: HDR → SDR tone mapping (software: zscale + tonemap),
// deinterlacing (bwdif) and burning a text subtitle file in (libass). Each returns one filtergraph fragment; the
// caller joins them with ',' in this order: deinterlace (on the decoded fields, before any scaling), tone map
// (which may also scale), burn subtitles (last, at the output size, so the text is drawn sharp), then the encoder's
// format. Checked against Debian 12's FFmpeg 5.1.
import type { HdrTransfer } from '../media/video-picture.js';

/** tonemap's curves in FFmpeg 5.1 (none is left out: it would pass HDR values through and clip them). */
export const TONE_MAP_OPERATORS = ['hable', 'mobius', 'reinhard', 'clip', 'linear', 'gamma'] as const;
export type ToneMapOperator = (typeof TONE_MAP_OPERATORS)[number];

/** What the tone mapper needs to know of the source; the probe's VideoPicture fits it. */
export interface ToneMapSource {
  readonly hdr: HdrTransfer;
  /** ffprobe's names; '' or an unusual value falls back to HDR's usual BT.2020, limited range. */
  readonly primaries?: string;
  readonly space?: string;
  readonly range?: string;
}

export interface ToneMapOptions {
  /** hable by default: it rolls highlights off gently and keeps shadows, where clip and linear lose one or the other. */
  readonly operator?: ToneMapOperator;
  /** Scale during the first zscale: the float stages then work on the output's pixels, not the source's (4K → 1080p: 4× fewer). */
  readonly size?: { readonly width: number; readonly height: number };
}

const PRIMARIES = new Set(['bt2020', 'bt709', 'smpte432', 'smpte431']);
const MATRICES = new Set(['bt2020nc', 'bt2020c', 'bt709']);

/**
 * Software tone mapping of a PQ or HLG source to BT.709 SDR, limited range, 8-bit 4:2:0:
 * zscale to linear light (npl=100: 100 cd/m² is SDR's reference white), float RGB for tonemap, BT.709 primaries
 * (still linear), the curve (desat=0: FFmpeg 5.1's default of 2 greys out bright colours), the BT.709 transfer, then
 * 16-bit integer RGB, which clamps the negative components that BT.2020 colours outside BT.709 leave (kept in float
 * they made luma 6-8, below black, at saturated edges; ~5 % more CPU), then matrix and range. The input's colour is stated, not left to the frames' tags, so a source whose decoder drops them
 * is still read as HDR. The frames leave tagged BT.709, so the encoder writes BT.709 colour tags.
 */
export function toneMapFilter(source: ToneMapSource, options: ToneMapOptions = {}): string {
  const operator = options.operator ?? 'hable';
  const transferIn = source.hdr === 'pq' ? 'smpte2084' : 'arib-std-b67';
  const primariesIn = PRIMARIES.has(source.primaries ?? '') ? (source.primaries ?? '') : 'bt2020';
  const matrixIn = MATRICES.has(source.space ?? '') ? (source.space ?? '') : 'bt2020nc';
  const rangeIn = source.range === 'pc' ? 'pc' : 'tv';
  const size = options.size === undefined ? '' : `w=${options.size.width}:h=${options.size.height}:`;
  return [
    `zscale=${size}transferin=${transferIn}:primariesin=${primariesIn}:matrixin=${matrixIn}:rangein=${rangeIn}:transfer=linear:npl=100`,
    'format=gbrpf32le',
    'zscale=primaries=bt709',
    `tonemap=tonemap=${operator}:desat=0`,
    'zscale=transfer=bt709',
    'format=gbrp16le',
    'zscale=matrix=bt709:range=tv',
    'format=yuv420p',
  ].join(',');
}

export interface DeinterlaceOptions {
  /** The field shown first when the source's tag is missing or wrong (from idet); auto reads each frame's flag. */
  readonly parity?: 'tff' | 'bff' | 'auto';
  /** One frame per field (50i → 50p, smoother motion, twice the encoding); default one frame per frame. */
  readonly doubleRate?: boolean;
}

/**
 * bwdif (better than yadif at about the same cost). mode is always stated: FFmpeg 5.1's default is send_field, which
 * doubles the frame rate. deint=all: a woven source coded as progressive frames (only idet sees the combing) has
 * every frame flagged progressive, and deint=interlaced would pass them through combed. With parity auto, bwdif
 * takes a frame flagged progressive as top field first, so give the idet verdict for such sources.
 */
export function deinterlaceFilter(options: DeinterlaceOptions = {}): string {
  const mode = options.doubleRate === true ? 'send_field' : 'send_frame';
  return `bwdif=mode=${mode}:parity=${options.parity ?? 'auto'}:deint=all`;
}

/**
 * Escapes a value for a filter option inside a filtergraph string (FFmpeg's two levels, see "Notes on filtergraph
 * escaping"): first for the option parser (\ ' : and white space, which it would trim), then for the graph parser
 * (\ ' [ ] , ;). Any file name then reaches the filter as it is.
 */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':\s]/g, (c) => `\\${c}`);
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

export interface SubtitleBurnOptions {
  /** Absolute path of the .ass, .ssa or .srt file (extracted by the worker into a folder it controls). */
  readonly file: string;
  /**
   * Source time, in seconds, of the frames' timestamp 0 where this filter runs: T when the input was opened with
   * `-ss T` (FFmpeg then starts timestamps at 0), 0 otherwise. The subtitle file keeps source times.
   */
  readonly sourceOffsetSeconds?: number;
  /** A folder of extra fonts (a film's attached fonts); fontconfig's system fonts are used either way. */
  readonly fontsDir?: string;
}

/** Seconds as FFmpeg's expression parser reads them: fixed, no exponent (1e-7 would not parse), trailing zeros cut. */
function seconds(value: number): string {
  return value.toFixed(6).replace(/\.?0+$/, '');
}

/**
 * Burns a text subtitle file in with libass (the subtitles filter: SRT, and ASS/SSA with their styling). libass
 * picks cues by the frame's timestamp, so after a seek the timestamps are moved to source time around it
 * (setpts=PTS+T/TB, and back), else a head started at T would show the cues of time 0 onwards.
 */
export function subtitleBurnFilter(options: SubtitleBurnOptions): string {
  const offset = options.sourceOffsetSeconds ?? 0;
  const fonts = options.fontsDir === undefined ? '' : `:fontsdir=${escapeFilterValue(options.fontsDir)}`;
  const burn = `subtitles=filename=${escapeFilterValue(options.file)}${fonts}`;
  if (!(offset > 0)) return burn;
  const t = seconds(offset);
  return `setpts=PTS+${t}/TB,${burn},setpts=PTS-${t}/TB`;
}
