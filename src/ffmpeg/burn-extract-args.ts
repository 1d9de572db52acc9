// Pure: the FFmpeg run that writes one text subtitle track of a source to an .ass file for burning in with libass.
import { fileUrl, inputHardening } from '../media/demuxers.js';

export interface BurnExtraction {
  /** Verified absolute path inside the mount. */
  readonly inputPath: string;
  /** ffprobe stream index of the text track (subrip, ass/ssa, mov_text, webvtt). */
  readonly index: number;
  /** The .ass file to write, in a folder the worker controls (its name is escaped by subtitleBurnFilter). */
  readonly file: string;
}

/**
 * The full argument list (without the ffmpeg binary). ASS is the one format every text track converts to without
 * loss: an ASS/SSA track keeps its styles and positions, SRT, mov_text and WebVTT get libass's default style.
 */
export function buildBurnExtractArgs(x: BurnExtraction): string[] {
  // prettier-ignore
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-y',
    ...inputHardening(),
    '-i', fileUrl(x.inputPath),
    // Only the track, as text: no picture, sound or data decoded.
    '-map', `0:${x.index}`, '-vn', '-an', '-dn', '-c:s', 'ass',
    '-f', 'ass', x.file,
  ];
}
