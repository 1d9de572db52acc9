// Pure: which encoder a job uses, from its video.hardware preference and the encoders verified usable here.
import { WorkerError } from '../errors.js';
import type { AcceleratorType, EncoderCheck } from '../hardware/types.js';

export type { OutputCodec } from '../media/video-mode.js';
import { transcodeCodec, type OutputCodec } from '../media/video-mode.js';
import type { JobRequest } from '../contract/job-request.js';

/** One encoder: its FFmpeg name and, for hardware, the accelerator and device it runs on. */
export interface EncoderChoice {
  readonly name: string;
  readonly accelerator: AcceleratorType | null;
  readonly device: string | null;
}

/** The encoder a job uses for each codec it makes. */
export type EncoderSet = ReadonlyMap<OutputCodec, EncoderChoice>;

/** Codecs a request may transcode to, before the source is known: its variants' (not copy), or its one codec. */
export function wishedCodecs(request: JobRequest): OutputCodec[] {
  const fallback = transcodeCodec(request.video);
  if (request.variants !== undefined)
    return [...new Set(request.variants.flatMap((v) => (v.codec === 'copy' ? [] : [v.codec ?? fallback])))];
  return request.video.codec === 'copy' ? [] : [fallback];
}

/** Stream copy: no encoder at all. */
export const COPY_CHOICE: EncoderChoice = { name: 'copy', accelerator: null, device: null };

/** The software encoder of a codec: always there, the fallback when hardware fails. */
export function softwareEncoder(codec: OutputCodec): EncoderChoice {
  const name = codec === 'h264' ? 'libx264' : codec === 'hevc' ? 'libx265' : 'libsvtav1';
  return { name, accelerator: null, device: null };
}

function choiceOf(c: EncoderCheck): EncoderChoice {
  return { name: c.name, accelerator: c.accelerator, device: c.device };
}

/**
 * `auto`: the first of `usable` (fastest first), else software; `none`: software; a name: that encoder if it is
 * usable for this codec, else ENCODER_UNAVAILABLE naming the ones that are. `usable` holds this codec's encoders.
 */
export function chooseEncoder(
  codec: OutputCodec,
  preference: string,
  usable: readonly EncoderCheck[],
  known: readonly EncoderCheck[],
): EncoderChoice {
  if (preference === 'none') return softwareEncoder(codec);
  const first = usable[0];
  if (preference === 'auto') return first === undefined ? softwareEncoder(codec) : choiceOf(first);
  const match = usable.find((c) => c.name === preference);
  if (match !== undefined) return choiceOf(match);
  const names = usable.map((c) => c.name);
  const list = names.length === 0 ? 'none' : names.join(', ');
  const other = known.find((c) => c.name === preference);
  const why =
    other === undefined
      ? `this FFmpeg has no encoder ${preference} or no device for it`
      : other.codec !== codec
        ? `${preference} encodes ${other.codec}, not ${codec}`
        : `${preference} is not usable here${other.reason === undefined ? '' : `: ${other.reason}`}`;
  throw new WorkerError(
    'ENCODER_UNAVAILABLE',
    `video.hardware: ${why}; usable ${codec} encoders: ${list} (or "auto", "none")`,
  );
}
