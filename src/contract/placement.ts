// What a client tells the pool about a job so it can place it: POST /placements, and the `source` a POST /jobs on the
// pool may carry beside the worker's own job request. Shared by the pool and (next) the media-server drop-in.
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { WorkerError } from '../errors.js';
import { MAX_VARIANTS, parseJobRequest, type JobRequest } from './job-request.js';
import type { JobNeeds, OutputCodec } from '../pool/placement.js';
import { describeSchemaErrors } from '../schema-errors.js';

const Codec = Type.Union([Type.Literal('h264'), Type.Literal('hevc'), Type.Literal('av1')]);
const OutputCodecSchema = Type.Union([Codec, Type.Literal('copy')]);
const Height = Type.Integer({ minimum: 144, maximum: 4320 });

/** The source as ffprobe describes it; every field optional (unknown is placed on the output alone). */
export const SourceSchema = Type.Object(
  {
    codec: Type.Optional(Type.String({ pattern: '^[a-z0-9_]{1,32}$' })),
    width: Type.Optional(Type.Integer({ minimum: 16, maximum: 16_384 })),
    height: Type.Optional(Type.Integer({ minimum: 16, maximum: 16_384 })),
    frameRate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
    hdr: Type.Optional(Type.Boolean()),
    interlaced: Type.Optional(Type.Boolean()),
    /** The job's input under the workers' nas_mount_path; kept for the log (the pool does not probe it yet). */
    input: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  },
  { additionalProperties: false },
);
export type Source = Static<typeof SourceSchema>;

export const PlacementRequestSchema = Type.Object(
  {
    source: Type.Optional(SourceSchema),
    output: Type.Object(
      {
        /** copy: the source's video as it is (any worker can); otherwise what is encoded. */
        codec: OutputCodecSchema,
        height: Type.Optional(Height),
        /** An ABR ladder: each variant is an encode (or a copy) from one decode. */
        variants: Type.Optional(
          Type.Array(
            Type.Object(
              { codec: Type.Optional(OutputCodecSchema), height: Type.Optional(Height) },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: MAX_VARIANTS },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type PlacementRequest = Static<typeof PlacementRequestSchema>;

const placementChecker = Compile(PlacementRequestSchema);
const sourceChecker = Compile(SourceSchema);

function invalid(lines: string[], what: string): WorkerError {
  return new WorkerError('INVALID_BODY', lines.join('; ') || `the body does not match the ${what} schema`);
}

/** The facts placement reads (the input path is for the log only). */
function sourceFacts(s: Source | undefined): JobNeeds['source'] {
  if (s === undefined) return {};
  const facts = { ...s };
  delete facts.input;
  return facts;
}

/** Checks a POST /placements body and turns it into placement's needs. */
export function parsePlacementRequest(body: unknown): JobNeeds {
  if (!placementChecker.Check(body))
    throw invalid(describeSchemaErrors(placementChecker.Errors(body)), 'placement');
  const { output } = body;
  // A ladder's variant without a codec makes what the job's codec transcodes to (h264 when that is copy).
  const ladderCodec: OutputCodec = output.codec === 'copy' ? 'h264' : output.codec;
  const outputs =
    output.variants === undefined
      ? [{ codec: output.codec, ...(output.height === undefined ? {} : { height: output.height }) }]
      : output.variants.map((v) => ({
          codec: v.codec ?? ladderCodec,
          ...(v.height === undefined ? {} : { height: v.height }),
        }));
  return { source: sourceFacts(body.source), outputs, ...sdr(body.source) };
}

function sdr(s: Source | undefined): { sdrOutput?: boolean } {
  // The worker's output is SDR whenever it transcodes; only an HDR source makes that a criterion.
  return s?.hdr === true ? { sdrOutput: true } : {};
}

export interface PoolJob {
  /** The worker's job request, checked with the worker's own rules, without `source`. */
  readonly request: JobRequest;
  readonly needs: JobNeeds;
}

/**
 * Checks a POST /jobs body sent to the pool: the worker's JobRequest plus an optional `source` for placement. A
 * `video.codec: auto` is placed as the transcode it may become (the pool does not know yet whether it will copy).
 */
export function parsePoolJob(body: unknown): PoolJob {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new WorkerError('INVALID_BODY', '(root): expected object');
  const { source, ...rest } = body as Record<string, unknown>;
  if (source !== undefined && !sourceChecker.Check(source))
    throw invalid(describeSchemaErrors(sourceChecker.Errors(source), 'source'), 'source');
  const request = parseJobRequest(rest);
  const video = request.video;
  const transcodes: OutputCodec =
    video.codec === 'auto' ? (video.codecs?.[0] ?? 'h264') : video.codec === 'copy' ? 'h264' : video.codec;
  const outputs =
    request.variants === undefined
      ? [
          {
            codec: video.codec === 'copy' ? ('copy' as const) : transcodes,
            ...(video.height === undefined ? {} : { height: video.height }),
          },
        ]
      : request.variants.map((v) => ({
          codec: v.codec ?? transcodes,
          ...(v.height === undefined ? {} : { height: v.height }),
        }));
  return { request, needs: { source: sourceFacts(source), outputs, ...sdr(source) } };
}
