// Input hardening shared by ffprobe and ffmpeg: only the file protocol, only self-contained media demuxers.
// Playlist-like demuxers (hls, concat, dash, image2 patterns) could make FFmpeg open files outside the mount.
export const SAFE_DEMUXERS = [
  'mov',
  'matroska',
  'mpegts',
  'mpeg',
  'mpegvideo',
  'avi',
  'flv',
  'asf',
  'ogg',
  'wav',
  'w64',
  'mp3',
  'aac',
  'flac',
  'ac3',
  'eac3',
  'dts',
  'truehd',
  'mxf',
  'nut',
  'wtv',
  'dv',
  'rm',
  'ivf',
  'h264',
  'hevc',
  'm4v',
  'vc1',
  'aiff',
  'wv',
  'ape',
  'amr',
  'obu',
  'av1',
  'yuv4mpegpipe',
] as const;

/** Input options that must precede every `-i` of a job input. */
export function inputHardening(): string[] {
  // -protocol_whitelist file: no network or pipe protocols even if a container references them.
  // -format_whitelist: no demuxer that follows references to other files.
  return ['-protocol_whitelist', 'file', '-format_whitelist', SAFE_DEMUXERS.join(',')];
}

/** The input URL for a verified absolute path: the file: prefix stops FFmpeg reading "x:" in a name as a protocol. */
export function fileUrl(absolutePath: string): string {
  return `file:${absolutePath}`;
}
