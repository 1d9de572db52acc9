// A listed encoder is not a working one: each candidate encodes 0.2 s of a generated picture through the same
// argument family a job uses. Usable = FFmpeg exits 0; otherwise FFmpeg's own last error lines say why.
import { cleanLine } from '../ffmpeg/stderr-lines.js';
import type { VideoEncodeSettings } from '../ffmpeg/video-encoder.js';
import type { CommandResult, RunCommand } from '../process/run-command.js';
import type { EncoderCandidate } from './encoder-catalog.js';
import { measureArgs } from './measure-args.js';
import type { EncoderCheck } from './types.js';

export interface TestEncodeDeps {
  readonly ffmpegPath: string;
  readonly runCommand: RunCommand;
  readonly signal?: AbortSignal;
  /** Per encode; 8 s by default (a GPU's first initialisation can take seconds). */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 8000;
const REASON_MAX_CHARS = 300;

/** Settings of a small real encode: 256x256 scaled to 192 lines, 2 s segments at 30 fps. */
export function testEncodeSettings(c: EncoderCandidate): VideoEncodeSettings {
  return {
    encoder: c.name,
    accelerator: c.accelerator,
    device: c.device,
    codec: c.codec,
    // A real resize keeps the scaler in the test; 192 lines stays above every encoder's minimum size.
    height: 192,
    bitrateKbps: 1000,
    gopFrames: 60,
    segmentSeconds: 2,
    threads: null,
    lowMemory: false,
  };
}

/** FFmpeg arguments (without the binary) for a candidate's test encode: ~0.2 s of testsrc2 into the null muxer. */
export function testEncodeArgs(c: EncoderCandidate): string[] {
  // Six frames of a small picture: enough to open the encoder and flush it; only errors are printed.
  return measureArgs({
    settings: testEncodeSettings(c),
    sourceSize: '256x256',
    seconds: 0.2,
    report: 'errors',
  });
}

// Lines FFmpeg prints after the real cause, which repeat it in general terms.
const GENERIC_LINES: readonly RegExp[] = [
  /^Error initializing output stream/,
  /^Error while opening encoder/,
  /^Error parsing global options/,
  /^Error opening output files?/,
  /^Conversion failed!?$/,
  /^Exiting normally/,
  // SVT-AV1 prints its banner and settings through its own logger, whatever -loglevel says.
  /^Svt\[(info|warn)\]/,
];

/** Pure: FFmpeg's last meaningful stderr lines, joined with "; " and kept under ~300 characters. */
export function failureReason(result: CommandResult): string {
  const lines = result.stderr
    .split(/\r?\n/)
    .map(cleanLine)
    .filter((l) => l !== '');
  const meaningful = lines.filter((l) => !GENERIC_LINES.some((g) => g.test(l)));
  const chosen: string[] = [];
  let length = 0;
  for (const line of (meaningful.length > 0 ? meaningful : lines).reverse()) {
    if (chosen.length > 0 && length + line.length + 2 > REASON_MAX_CHARS) break;
    chosen.unshift(line);
    length += line.length + 2;
  }
  const text = chosen.join('; ');
  if (text !== '') return text.length > REASON_MAX_CHARS ? `${text.slice(0, REASON_MAX_CHARS - 1)}…` : text;
  if (result.spawnError !== undefined) return `ffmpeg could not start: ${result.spawnError}`;
  if (result.timedOut) return 'test encode timed out';
  if (result.signal !== null) return `ffmpeg was killed by ${result.signal}`;
  return `ffmpeg exited with code ${String(result.exitCode)} and printed nothing`;
}

/** Runs one candidate's test encode; never throws. */
export async function testEncode(c: EncoderCandidate, deps: TestEncodeDeps): Promise<EncoderCheck> {
  const base = { name: c.name, codec: c.codec, accelerator: c.accelerator, device: c.device };
  // A function, not a narrowed property: the signal can abort during the await below.
  const aborted = (): boolean => deps.signal?.aborted === true;
  // Started after an abort, FFmpeg would run to its end: the runner only kills on the abort event.
  if (aborted()) return { ...base, usable: false, reason: 'aborted before the test encode finished' };
  const result = await deps.runCommand(deps.ffmpegPath, testEncodeArgs(c), {
    timeoutMs: deps.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxOutputBytes: 64 * 1024,
    ...(deps.signal === undefined ? {} : { signal: deps.signal }),
  });
  if (result.exitCode === 0 && !result.timedOut) return { ...base, usable: true };
  const reason = aborted() ? 'aborted before the test encode finished' : failureReason(result);
  return { ...base, usable: false, reason };
}

/**
 * Runs the candidates' test encodes one at a time, in candidate order (hardware first). All at once, a dozen FFmpeg
 * starts took both cores and a job posted meanwhile waited ~0.9 s for its own FFmpeg; each is a fraction of a second.
 */
export async function testEncoders(
  candidates: readonly EncoderCandidate[],
  deps: TestEncodeDeps,
  onResult?: (check: EncoderCheck) => void,
): Promise<EncoderCheck[]> {
  const checks: EncoderCheck[] = [];
  for (const c of candidates) {
    const check = await testEncode(c, deps);
    onResult?.(check);
    checks.push(check);
  }
  return checks;
}
