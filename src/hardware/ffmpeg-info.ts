// What the FFmpeg binary is and lists: -version, -encoders, -hwaccels. Also the start-up check that it runs.
import type { CommandResult, RunCommand } from '../process/run-command.js';
import { parseEncoders, parseFfmpegVersion, parseHwaccels, type ListedEncoder } from './parse-ffmpeg.js';
import type { FfmpegProfile } from './types.js';

export interface FfmpegInfo {
  readonly ffmpeg: FfmpegProfile;
  /** The listed H.264/HEVC/AV1 encoders with their codec (FfmpegProfile.encoders holds the names). */
  readonly listed: readonly ListedEncoder[];
}

export type FfmpegInfoResult =
  | { readonly ok: true; readonly info: FfmpegInfo }
  | { readonly ok: false; readonly code: 'FFMPEG_NOT_FOUND' | 'FFMPEG_FAILED'; readonly message: string };

const TIMEOUT_MS = 10_000;

function howItEnded(r: CommandResult): string {
  if (r.timedOut) return `timed out after ${TIMEOUT_MS / 1000} s`;
  if (r.signal !== null) return `killed by ${r.signal}`;
  const last = r.stderr.trim().split('\n').pop()?.trim() ?? '';
  return `exit code ${String(r.exitCode)}${last === '' ? '' : `: ${last}`}`;
}

/** Runs `ffmpeg -version`, `-encoders` and `-hwaccels`; a clear error result when FFmpeg is missing or fails. */
export async function ffmpegInfo(
  ffmpegPath: string,
  runCommand: RunCommand,
  signal?: AbortSignal,
): Promise<FfmpegInfoResult> {
  const options = { timeoutMs: TIMEOUT_MS, ...(signal === undefined ? {} : { signal }) };
  const [version, encoders, hwaccels] = await Promise.all([
    runCommand(ffmpegPath, ['-hide_banner', '-version'], options),
    runCommand(ffmpegPath, ['-hide_banner', '-encoders'], options),
    runCommand(ffmpegPath, ['-hide_banner', '-hwaccels'], options),
  ]);
  if (version.spawnError !== undefined) {
    return {
      ok: false,
      code: 'FFMPEG_NOT_FOUND',
      message: `ffmpeg not found or not executable at "${ffmpegPath}": ${version.spawnError}`,
    };
  }
  for (const [what, r] of [
    ['-version', version],
    ['-encoders', encoders],
    ['-hwaccels', hwaccels],
  ] as const) {
    if (r.exitCode !== 0)
      return {
        ok: false,
        code: 'FFMPEG_FAILED',
        message: `"${ffmpegPath} ${what}" failed: ${howItEnded(r)}`,
      };
  }
  const v = parseFfmpegVersion(version.stdout);
  if (v === null) {
    return {
      ok: false,
      code: 'FFMPEG_FAILED',
      message: `"${ffmpegPath} -version" printed no "ffmpeg version" line: not FFmpeg?`,
    };
  }
  const listed = parseEncoders(encoders.stdout);
  return {
    ok: true,
    info: {
      ffmpeg: {
        version: v,
        path: ffmpegPath,
        encoders: listed.map((e) => e.name),
        hwaccels: parseHwaccels(hwaccels.stdout),
      },
      listed,
    },
  };
}
