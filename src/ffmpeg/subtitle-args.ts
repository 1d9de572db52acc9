// Pure: one FFmpeg run that extracts a source's text subtitle tracks to WebVTT files, all in one read of the input.
import { fileUrl, inputHardening } from '../media/demuxers.js';

export interface SubtitleExtraction {
  /** Verified absolute path inside the mount. */
  readonly inputPath: string;
  /** ffprobe index of the source's video: its packets tell how far the input has been read. */
  readonly videoIndex: number;
  /** ffprobe stream index of each text track → the .vtt file it goes to. */
  readonly tracks: readonly { readonly index: number; readonly file: string }[];
}

/** The extraction's file for rendition j, in the stream folder (players never see it: segments are composed). */
export function extractionFileName(track: number): string {
  return `subtitles-${track}.webvtt`;
}

/** The full argument list (without the ffmpeg binary itself). */
export function buildSubtitleArgs(x: SubtitleExtraction): string[] {
  // prettier-ignore
  return [
    // Quiet, machine-readable: errors only on stderr, progress blocks on stdout, never read stdin.
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1',
    // Progress four times a second: a viewer's segment waits on how far the input has been read.
    '-stats_period', '0.25',
    ...inputHardening(),
    '-i', fileUrl(x.inputPath),
    ...x.tracks.flatMap((t) => [
      // One output per track: its text decoded and written as WebVTT, no picture, sound or data.
      '-map', `0:${t.index}`, '-vn', '-an', '-dn', '-c:s', 'webvtt',
      // Each cue reaches the file at once, so a segment can be composed while the rest of the film is read.
      '-flush_packets', '1',
      '-f', 'webvtt', t.file,
    ]),
    // The video's packets copied to nowhere (no decode): progress then follows the input, also between cues.
    '-map', `0:${x.videoIndex}`, '-c', 'copy', '-f', 'null', '-',
  ];
}
