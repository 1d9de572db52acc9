// Start-up check: ffmpeg and ffprobe must run. A clear error names the package to install.
import { WorkerError } from '../errors.js';
import type { RunCommand } from '../process/run-command.js';

/** Pure: the version from the first line of `ffmpeg -version` ("ffmpeg version 5.1.9-0+deb12u1 Copyright ..."). */
export function parseVersionLine(stdout: string): string | null {
  const m = /^\S+ version (\S+)/m.exec(stdout);
  return m?.[1] ?? null;
}

async function verifyOne(run: RunCommand, tool: 'ffmpeg' | 'ffprobe', file: string): Promise<string> {
  const r = await run(file, ['-hide_banner', '-version'], { timeoutMs: 10_000 });
  const hint = `install Debian's ffmpeg package (apt-get install ffmpeg) or set ffmpeg.${tool === 'ffmpeg' ? 'path' : 'ffprobe_path'} in config.yml`;
  if (r.spawnError !== undefined) {
    throw new WorkerError(
      'FFMPEG_MISSING',
      `${tool} not found or not executable at "${file}" (${r.spawnError}): ${hint}`,
    );
  }
  const version = parseVersionLine(r.stdout);
  if (r.exitCode !== 0 || version === null) {
    throw new WorkerError(
      'FFMPEG_MISSING',
      `${tool} at "${file}" failed to run (${r.timedOut ? 'timed out' : `exit ${String(r.exitCode)}`}): ${hint}`,
    );
  }
  return version;
}

/** Runs `ffmpeg -version` and `ffprobe -version`; returns ffmpeg's version or throws FFMPEG_MISSING. */
export async function verifyTools(run: RunCommand, ffmpegPath: string, ffprobePath: string): Promise<string> {
  const [ffmpegVersion] = await Promise.all([
    verifyOne(run, 'ffmpeg', ffmpegPath),
    verifyOne(run, 'ffprobe', ffprobePath),
  ]);
  return ffmpegVersion;
}
