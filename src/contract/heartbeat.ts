// The heartbeat's body (WorkerState in docs/openapi.yaml): what a worker sends and what the pool accepts, declared once.
// Strict where placement reads it (status, url, job counts, encoders and their speeds, probing), with every number
// bounded; open (additional properties allowed) where a newer worker may add fields, so it is not refused for them.
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { WorkerError } from '../errors.js';
import { JOB_ID_PATTERN } from './job-request.js';
import { describeSchemaErrors } from '../schema-errors.js';

const open = { additionalProperties: true } as const;
/** A count of things on one machine: jobs, heads, cores. */
const Count = (max: number) => Type.Integer({ minimum: 0, maximum: max });
const Bytes = Type.Integer({ minimum: 0, maximum: 2 ** 53 - 1 });
/** A short identifier-like text (names of encoders, codecs, reasons); a newer worker may name new ones. */
const Word = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' });
const Text = (max: number) => Type.String({ maxLength: max });
/** Times real time: 0 < speed; a real encoder is nowhere near 10000×, so more is a bug or an attack. */
const Speed = Type.Number({ exclusiveMinimum: 0, maximum: 10_000 });
const HEIGHTS = { '720p': Type.Optional(Speed), '1080p': Type.Optional(Speed) };

export const WorkerStatusSchema = Type.Union([
  Type.Literal('ready'),
  Type.Literal('busy'),
  Type.Literal('draining'),
]);
export type WorkerStatus = Static<typeof WorkerStatusSchema>;

export const EncoderCheckSchema = Type.Object(
  {
    name: Word,
    codec: Word,
    accelerator: Type.Union([Word, Type.Null()]),
    device: Type.Union([Text(1024), Type.Null()]),
    usable: Type.Boolean(),
    reason: Type.Optional(Text(8192)),
    /** Measured speed per output height; placement interpolates between them. */
    speed: Type.Optional(Type.Object(HEIGHTS, open)),
    measuredAt: Type.Optional(
      Type.Object({ '720p': Type.Optional(Text(64)), '1080p': Type.Optional(Text(64)) }, open),
    ),
  },
  open,
);

export const JobsSummarySchema = Type.Object(
  {
    running: Count(100_000),
    max: Type.Integer({ minimum: 1, maximum: 1024 }),
    load: Count(100_000),
    ids: Type.Immutable(Type.Array(Type.String({ pattern: JOB_ID_PATTERN }), { maxItems: 100_000 })),
    heads: Type.Optional(Type.Object({ running: Count(100_000), throttled: Count(100_000) }, open)),
    parked: Type.Optional(Count(100_000)),
  },
  open,
);

export const HardwareSchema = Type.Object(
  {
    probing: Type.Boolean(),
    cpu: Type.Object(
      {
        model: Text(512),
        arch: Text(64),
        cores: Count(65_536),
        threads: Count(65_536),
        frequencyMhz: Type.Number({ minimum: 0, maximum: 1_000_000 }),
        maxFrequencyMhz: Type.Union([Type.Number({ minimum: 0, maximum: 1_000_000 }), Type.Null()]),
        load: Type.Immutable(Type.Array(Type.Number({ minimum: 0, maximum: 1e6 }), { maxItems: 3 })),
      },
      open,
    ),
    memory: Type.Object(
      { totalBytes: Bytes, availableBytes: Bytes, cgroupLimitBytes: Type.Union([Bytes, Type.Null()]) },
      open,
    ),
    accelerators: Type.Immutable(
      Type.Array(Type.Object({ type: Word, device: Text(1024) }, open), { maxItems: 64 }),
    ),
    encoders: Type.Immutable(Type.Array(EncoderCheckSchema, { maxItems: 256 })),
    ffmpeg: Type.Object({ version: Text(256), path: Text(4096) }, open),
    os: Type.Object({ platform: Word, release: Text(256) }, open),
  },
  open,
);

export const WorkerStateSchema = Type.Object(
  {
    workerId: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$' }),
    name: Type.String({ minLength: 1, maxLength: 256 }),
    /** The worker's advertise URL: base of its API and of every playlistUrl. */
    url: Type.String({ pattern: '^https?://[^\\s/$.?#][^\\s]*$', maxLength: 2048 }),
    version: Text(64),
    status: WorkerStatusSchema,
    statusReason: Type.Optional(Word),
    jobs: JobsSummarySchema,
    hardware: HardwareSchema,
  },
  open,
);

/** The heartbeat body as a value: what `statusPayload` in src/daemon.ts builds. */
export type WorkerState = Static<typeof WorkerStateSchema>;
export type EncoderState = Static<typeof EncoderCheckSchema>;

// Compiled once: a beat from each of 50 workers every second is checked without rebuilding the checker.
const checker = Compile(WorkerStateSchema);

/** Checks a parsed heartbeat body; throws INVALID_BODY naming every offending field. */
export function parseWorkerState(body: unknown): WorkerState {
  if (checker.Check(body)) return body;
  const lines = describeSchemaErrors(checker.Errors(body));
  throw new WorkerError('INVALID_BODY', lines.join('; ') || 'the body does not match the heartbeat schema');
}
