// ffprobe wrappers for checking what the worker produced.
import { execFileSync } from 'node:child_process';

export interface StreamFacts {
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  readonly duration: number;
}

/** Facts of the first video stream of a file or URL. */
export function videoFacts(input: string): StreamFacts {
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=codec_name,width,height:format=duration',
      '-of',
      'json',
      input,
    ],
    { encoding: 'utf8' },
  );
  const j = JSON.parse(out) as {
    streams: { codec_name: string; width: number; height: number }[];
    format: { duration?: string };
  };
  const s = j.streams[0];
  if (s === undefined) throw new Error(`no video stream in ${input}`);
  return {
    codec: s.codec_name,
    width: s.width,
    height: s.height,
    duration: Number(j.format.duration ?? 'NaN'),
  };
}

/** Codec types present (video, audio) in a file. */
export function streamTypes(input: string): string[] {
  // JSON, not CSV: for MPEG-TS the CSV form repeats each stream under its program.
  const out = execFileSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'json', input],
    {
      encoding: 'utf8',
    },
  );
  return (JSON.parse(out) as { streams: { codec_type: string }[] }).streams.map((s) => s.codec_type);
}

/** Video packets of a file, in decode order: pts time, size in bytes and whether each is a keyframe. */
export function videoPackets(input: string): { pts: number; size: number; key: boolean }[] {
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'packet=pts_time,size,flags',
      '-of',
      'csv=p=0',
      input,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      // ffprobe prints the fields in its own order: pts_time, size, flags.
      const [pts = 'NaN', size = 'NaN', flags = ''] = l.split(',');
      return { pts: Number(pts), size: Number(size), key: flags.includes('K') };
    });
}

/** The video stream's own duration (seconds) as the container states it. */
export function videoStreamDuration(input: string): number {
  const out = execFileSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=duration', '-of', 'csv=p=0', input],
    { encoding: 'utf8' },
  );
  return Number.parseFloat(out.trim());
}

/** Presentation time of a file's first video frame (the smallest PTS). */
export function firstVideoPts(input: string): number {
  return Math.min(...videoPackets(input).map((p) => p.pts));
}
