// Whether POST /jobs takes a job, and with what: the refusals in their order (draining, the id, then the id again and
// capacity just before insertion), the input as posted and as opened, and the encoder of each codec. The manager runs
// the steps in this order: arrival check, openInput, chooseEncoders, a fresh disk reading, insertion check.
import { realpath } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { assertNever, WorkerError } from '../errors.js';
import type { EncoderCheck, VideoCodec } from '../hardware/types.js';
import { resolveInputPath } from '../media/input-path.js';
import { admissionError, type CapacityInputs } from './capacity.js';
import {
  chooseEncoder,
  COPY_CHOICE,
  softwareEncoder,
  wishedCodecs,
  type EncoderChoice,
  type EncoderSet,
} from '../stream/encoder-choice.js';
import type { InputNames } from './job-failure.js';
import type { JobRequest } from '../contract/job-request.js';
import { folderSharedWith } from './job-ids.js';

/** What the manager needs to know about this machine's encoders (the hardware profiler, in the daemon). */
export interface EncoderCatalog {
  /** Usable encoders of a codec, fastest first. */
  usable(codec: VideoCodec): readonly EncoderCheck[];
  /** Every encoder tried, usable or not. */
  known(): readonly EncoderCheck[];
  /** Resolves when the test encodes are done (at once when the profile came from the cache). */
  readonly tested: Promise<void>;
}

/** Retry-After of every refusal for lack of room (draining, max_jobs, memory, disk). */
export const RETRY_AFTER_SECONDS = 10;

/** How long a job naming an encoder waits for the start-up test encodes to say whether it works. */
export const ENCODER_TEST_WAIT_MS = 10_000;

/** A job the manager holds: its id is taken, and its stream folder too unless the stream was removed. */
export interface HeldJob {
  readonly id: string;
  readonly streamRemoved: boolean;
}

/** The plain facts each admission check reads. */
export interface AdmissionFacts {
  readonly id: string;
  readonly held: Iterable<HeldJob>;
  /** Whose file system rules the stream folders follow (macOS and Windows fold case: Film-1 is film-1). */
  readonly platform: NodeJS.Platform;
  readonly capacity: CapacityInputs;
  readonly retryAfterSeconds: number;
}

/**
 * arrival: before any I/O (a draining worker says so first, then the id); insertion: after the awaits and immediately
 * before the job is inserted, so concurrent POSTs cannot both take one id or the last slot (the id, then capacity).
 */
export type AdmissionCheck = 'arrival' | 'insertion';

/** Refuses an id in use (JOB_EXISTS), or one whose stream folder is another job's on a case-insensitive file system. */
export function idRefusal(
  id: string,
  held: Iterable<HeldJob>,
  platform: NodeJS.Platform,
): WorkerError | null {
  const jobs = [...held];
  if (jobs.some((j) => j.id === id))
    return new WorkerError('JOB_EXISTS', `a job with id ${id} exists already`);
  // A kept stream's folder counts as a live one's: the new job would empty it, and its removal delete the new one.
  const holders = jobs.filter((j) => !j.streamRemoved).map((j) => j.id);
  const other = folderSharedWith(id, holders, platform);
  if (other === null) return null;
  return new WorkerError(
    'JOB_ID_CONFLICT',
    `id ${id} differs from job ${other} only in case: on this file system they would share one stream folder`,
  );
}

/** Why POST /jobs refuses the job at this check, or null when it passes (see AdmissionCheck for the order). */
export function admissionRefusal(check: AdmissionCheck, f: AdmissionFacts): WorkerError | null {
  switch (check) {
    case 'arrival':
      if (f.capacity.draining)
        return admissionError(f.capacity, f.retryAfterSeconds) ?? new WorkerError('DRAINING', 'draining');
      return idRefusal(f.id, f.held, f.platform);
    case 'insertion':
      return idRefusal(f.id, f.held, f.platform) ?? admissionError(f.capacity, f.retryAfterSeconds);
    default:
      return assertNever(check);
  }
}

/** The input inside nas_mount_path (every INPUT_* refusal), and its names as posted and as opened. */
export async function openInput(
  mount: string,
  input: string,
): Promise<{ readonly inputPath: string; readonly names: InputNames }> {
  const inputPath = await resolveInputPath(mount, input);
  const mounts = [mount, await realpath(mount).catch(() => mount)];
  return { inputPath, names: { input, opened: inputPath, mounts } };
}

/** The encoders a request's codecs take, and its own one (the first codec's; `encoder` in its view). */
export interface EncoderPick {
  readonly primary: EncoderChoice;
  readonly byCodec: EncoderSet;
}

/** Whether the request names an encoder the start-up test encodes have not reached yet (it is waited for). */
export function awaitsEncoderTests(request: JobRequest, known: readonly EncoderCheck[]): boolean {
  const { hardware = 'auto' } = request.video;
  if (wishedCodecs(request).length === 0) return false;
  return hardware !== 'auto' && hardware !== 'none' && !known.some((c) => c.name === hardware);
}

/**
 * Pure: the encoder of each codec the job may make (an ABR ladder may mix codecs). A named encoder serves its own
 * codec; the ladder's other codecs take the fastest usable one. Throws ENCODER_UNAVAILABLE for one not usable here.
 */
export function encodersFor(
  request: JobRequest,
  usable: (codec: VideoCodec) => readonly EncoderCheck[],
  known: readonly EncoderCheck[],
): EncoderPick {
  const { hardware = 'auto' } = request.video;
  const codecs = wishedCodecs(request);
  const first = codecs[0];
  // A copy needs no encoder; auto may still become a copy once the source is probed.
  if (first === undefined) return { primary: COPY_CHOICE, byCodec: new Map() };
  const named = known.find((c) => c.name === hardware);
  const byCodec: EncoderSet = new Map(
    codecs.map((codec) => {
      const preference =
        codecs.length > 1 && named !== undefined && named.codec !== codec ? 'auto' : hardware;
      return [codec, chooseEncoder(codec, preference, usable(codec), known)];
    }),
  );
  return { primary: byCodec.get(first) ?? softwareEncoder(first), byCodec };
}

/** The request's encoders; a named one still being tested is waited for, at most `waitMs`. */
export async function chooseEncoders(
  request: JobRequest,
  catalog: EncoderCatalog,
  waitMs = ENCODER_TEST_WAIT_MS,
): Promise<EncoderPick> {
  if (awaitsEncoderTests(request, catalog.known())) {
    // The timer does not outlive the wait: it would hold the process for waitMs after the tests said.
    const timer = new AbortController();
    try {
      await Promise.race([catalog.tested, delay(waitMs, undefined, { signal: timer.signal })]);
    } finally {
      timer.abort();
    }
  }
  return encodersFor(request, (codec) => catalog.usable(codec), catalog.known());
}
