// The embedded default serves a sample folder; an empty one gets a short clip made from FFmpeg's test sources.
import { readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { RunCommand } from './process/run-command.js';

export const SAMPLE_NAME = 'sample-720p.mp4';

/** Creates sample-720p.mp4 (30 s, 1280x720, 30 fps, a tone) when the folder has no files. Returns the file name or null. */
export async function ensureSampleMedia(
  run: RunCommand,
  ffmpegPath: string,
  dir: string,
  signal: AbortSignal,
): Promise<string | null> {
  if (readdirSync(dir).some((n) => !n.startsWith('.'))) return null;
  const tmp = path.join(dir, `.${SAMPLE_NAME}.part.mp4`);
  // prettier-ignore
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    // testsrc2 + a 440 Hz tone: recognisable picture and sound, no external media needed.
    '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=30',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '60',
    '-c:a', 'aac', '-b:a', '128k', '-shortest', '-movflags', '+faststart',
    tmp,
  ];
  const r = await run(ffmpegPath, args, { timeoutMs: 120_000, signal });
  if (r.exitCode !== 0) {
    rmSync(tmp, { force: true });
    throw new Error(`could not create sample media: ${r.stderr.trim().split('\n').pop() ?? 'ffmpeg failed'}`);
  }
  renameSync(tmp, path.join(dir, SAMPLE_NAME));
  return SAMPLE_NAME;
}
