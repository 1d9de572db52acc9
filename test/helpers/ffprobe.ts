// ffprobe wrappers for checking what the worker produced. Asynchronous: the daemon under test shares this event loop.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** ffprobe's standard output. */
async function ffprobe(args: string[], maxBuffer?: number): Promise<string> {
  const { stdout } = await run('ffprobe', args, {
    encoding: 'utf8',
    ...(maxBuffer === undefined ? {} : { maxBuffer }),
  });
  return stdout;
}

export interface StreamFacts {
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  readonly duration: number;
}

/** Facts of the first video stream of a file or URL. */
export async function videoFacts(input: string): Promise<StreamFacts> {
  const out = await ffprobe([
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,height:format=duration',
    '-of',
    'json',
    input,
  ]);
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
export async function streamTypes(input: string): Promise<string[]> {
  // JSON, not CSV: for MPEG-TS the CSV form repeats each stream under its program.
  const out = await ffprobe(['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'json', input]);
  return (JSON.parse(out) as { streams: { codec_type: string }[] }).streams.map((s) => s.codec_type);
}

/** Video packets of a file, in decode order: pts time, size in bytes and whether each is a keyframe. */
export async function videoPackets(input: string): Promise<{ pts: number; size: number; key: boolean }[]> {
  const out = await ffprobe(
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
    64 * 1024 * 1024,
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
export async function videoStreamDuration(input: string): Promise<number> {
  const out = await ffprobe([
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=duration',
    '-of',
    'csv=p=0',
    input,
  ]);
  return Number.parseFloat(out.trim());
}

/** Presentation time of a file's first video frame (the smallest PTS). */
export async function firstVideoPts(input: string): Promise<number> {
  return Math.min(...(await videoPackets(input)).map((p) => p.pts));
}
