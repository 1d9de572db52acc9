// A quick look at the picture itself (FFmpeg's idet filter) for sources whose container does not say whether they are
// interlaced, or says it wrongly: the parser and the decision are pure, the FFmpeg run is the edge.
import type { RunCommand } from '../process/run-command.js';
import { fileUrl, inputHardening } from './demuxers.js';

/** idet's counts of frames it judged top-field-first, bottom-field-first, progressive, and could not judge. */
export interface IdetCounts {
  readonly tff: number;
  readonly bff: number;
  readonly progressive: number;
  readonly undetermined: number;
}

/** What the frames show: interlaced (with the field shown first), progressive, or null when idet could not tell. */
export type InterlaceVerdict = 'tff' | 'bff' | 'progressive' | null;

/** Frames read by the check: 8 s at 25 fps, a fraction of a second of decoding at SD, about 2 s at 4K on 2 cores. */
export const IDET_FRAMES = 200;
/** Fewer judged frames than this is too little to decide on (a very short clip, or one mostly still). */
export const MIN_JUDGED = 20;
/** One kind must outnumber the other this many times: mixed results (telecine, edits of both) decide nothing. */
export const DOMINANCE = 2;

/**
 * Parses idet's "Multi frame detection" summary from FFmpeg's stderr (the multi-frame judgement uses neighbours,
 * so it is steadier than the single-frame one). null when the line is absent (FFmpeg failed, or no video).
 */
export function parseIdet(stderr: string): IdetCounts | null {
  const m =
    /Multi frame detection:\s*TFF:\s*(\d+)\s+BFF:\s*(\d+)\s+Progressive:\s*(\d+)\s+Undetermined:\s*(\d+)/.exec(
      stderr,
    );
  if (m === null) return null;
  return {
    tff: Number(m[1]),
    bff: Number(m[2]),
    progressive: Number(m[3]),
    undetermined: Number(m[4]),
  };
}

/**
 * Interlaced when interlaced frames (TFF + BFF) are at least DOMINANCE times the progressive ones, progressive when
 * the reverse holds, null when fewer than MIN_JUDGED frames were judged or neither side dominates.
 */
export function interlaceVerdict(c: IdetCounts): InterlaceVerdict {
  const interlaced = c.tff + c.bff;
  if (interlaced + c.progressive < MIN_JUDGED) return null;
  if (interlaced >= DOMINANCE * c.progressive && interlaced > 0) return c.tff >= c.bff ? 'tff' : 'bff';
  if (c.progressive >= DOMINANCE * interlaced) return 'progressive';
  return null;
}

/** The idet run's arguments: the first video stream's first IDET_FRAMES frames, decoded and judged, written nowhere. */
export function idetArgs(absolutePath: string): string[] {
  // prettier-ignore
  return [
    '-hide_banner', '-nostdin', '-nostats',
    // idet prints its summary at info level when the graph closes.
    '-loglevel', 'info',
    ...inputHardening(),
    '-i', fileUrl(absolutePath),
    '-map', '0:v:0', '-frames:v', String(IDET_FRAMES),
    '-vf', 'idet',
    '-f', 'null', '-',
  ];
}

export type InterlaceCheck =
  | { readonly ok: true; readonly verdict: InterlaceVerdict; readonly counts: IdetCounts }
  | { readonly ok: false; readonly reason: string };

/** Runs idet on a verified absolute path. Never throws: a failed check is a reason, and the caller keeps its default. */
export async function checkInterlace(
  run: RunCommand,
  ffmpegPath: string,
  absolutePath: string,
  signal?: AbortSignal,
): Promise<InterlaceCheck> {
  const result = await run(ffmpegPath, idetArgs(absolutePath), {
    timeoutMs: 60_000,
    // The summary comes last; per-frame noise before it is dropped by the tail cap.
    maxOutputBytes: 64 * 1024,
    ...(signal ? { signal } : {}),
  });
  if (result.spawnError !== undefined)
    return { ok: false, reason: `ffmpeg could not start: ${result.spawnError}` };
  if (result.timedOut) return { ok: false, reason: 'the interlace check timed out' };
  const counts = parseIdet(result.stderr);
  if (result.exitCode !== 0 || counts === null)
    return { ok: false, reason: `the interlace check failed (exit ${String(result.exitCode)})` };
  return { ok: true, verdict: interlaceVerdict(counts), counts };
}
