// Test media made by FFmpeg's own sources (testsrc2 picture, sine tone), cached per run in a temp folder.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface MediaSpec {
  readonly seconds: number;
  readonly width?: number;
  readonly height?: number;
  /** e.g. 30, '24000/1001' */
  readonly rate?: number | string;
  readonly audio?: boolean;
  readonly container?: 'mp4' | 'mkv' | 'ts';
}

const cacheDir = mkdtempSync(path.join(tmpdir(), 'tw-media-'));

/** Generates (once per spec) a clip and returns its absolute path. */
export function makeMedia(spec: MediaSpec): string {
  const { seconds, width = 640, height = 360, rate = 30, audio = true, container = 'mp4' } = spec;
  const name = `src-${seconds}s-${width}x${height}-${String(rate).replace('/', '_')}-${audio ? 'a' : 'na'}.${container}`;
  const file = path.join(cacheDir, name);
  if (existsSync(file)) return file;
  const tmp = `${file}.part.${container}`;
  // prettier-ignore
  execFileSync(
    'ffmpeg',
    [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${rate}:duration=${seconds}`,
      ...(audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`] : []),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      ...(audio ? ['-c:a', 'aac', '-b:a', '96k'] : []),
      tmp,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  renameSync(tmp, file);
  return file;
}

/** A fresh media folder (the worker's nas_mount_path) for one test. */
export function makeMountDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-mount-'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * H.264 in MPEG-TS (Annex B, as the worker's output is) with keyframes only at `keyframes` (seconds): a source whose
 * copy is cut at irregular points.
 */
export function makeIrregularKeyframes(
  dir: string,
  keyframes: readonly number[],
  { size = '320x180', seconds = 12, profile = 'high' } = {},
): string {
  const file = path.join(dir, 'irregular.ts');
  // prettier-ignore
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    // No keyframe but the forced ones.
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', profile,
    '-force_key_frames', keyframes.join(','), '-g', '1000', '-sc_threshold', '0',
    '-c:a', 'aac', file,
  ]);
  return file;
}
