// The POST /jobs body: one JSON schema for validation, the OpenAPI document and the TypeScript type.
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { WorkerError } from '../errors.js';
import { describeSchemaErrors } from '../schema-errors.js';

export const JOB_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
export const JOB_ID_RE = new RegExp(JOB_ID_PATTERN);

/** Variants one job may ask for: each is an encode on the same machine. */
export const MAX_VARIANTS = 6;
/** "auto", "none" or an FFmpeg encoder name (h264_vaapi, libx264, ...). */
export const HARDWARE_PATTERN = '^[a-z0-9_]{1,40}$';

export const JobRequestSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: JOB_ID_PATTERN })),
    input: Type.String({ minLength: 1, maxLength: 4096 }),
    video: Type.Object(
      {
        /** h264/hevc/av1: transcode; copy: the source's video as it is; auto: copy when it fits, else transcode. */
        codec: Type.Union([
          Type.Literal('h264'),
          Type.Literal('hevc'),
          Type.Literal('av1'),
          Type.Literal('copy'),
          Type.Literal('auto'),
        ]),
        /** auto: the codecs the client plays, the first is what a transcode makes. Default ["h264"]. */
        codecs: Type.Optional(
          Type.Array(Type.Union([Type.Literal('h264'), Type.Literal('hevc'), Type.Literal('av1')]), {
            minItems: 1,
            maxItems: 3,
          }),
        ),
        /** auto: profiles the client plays, as ffprobe names them (high, main, main 10). */
        profiles: Type.Optional(
          Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { minItems: 1, maxItems: 10 }),
        ),
        /** auto: the highest level the client plays, e.g. 4.1. */
        maxLevel: Type.Optional(Type.Number({ minimum: 1, maximum: 9 })),
        height: Type.Optional(Type.Integer({ minimum: 144, maximum: 4320 })),
        bitrateKbps: Type.Optional(Type.Integer({ minimum: 100, maximum: 100_000 })),
        /** auto: the fastest usable encoder; none: software; or an encoder name from the heartbeat's profile. */
        hardware: Type.Optional(Type.String({ pattern: HARDWARE_PATTERN })),
        /** auto (default): tone-map an HDR (PQ, HLG) source to BT.709 SDR; off; or a named tonemap curve. */
        toneMap: Type.Optional(
          Type.Union([
            Type.Literal('auto'),
            Type.Literal('off'),
            // TONE_MAP_OPERATORS, spelled out so the static type keeps each name (test/unit/contract pins the match).
            Type.Literal('hable'),
            Type.Literal('mobius'),
            Type.Literal('reinhard'),
            Type.Literal('clip'),
            Type.Literal('linear'),
            Type.Literal('gamma'),
          ]),
        ),
        /** auto (default): when the source is interlaced; on; off; double: one frame per field (50i → 50p). */
        deinterlace: Type.Optional(
          Type.Union([Type.Literal('auto'), Type.Literal('on'), Type.Literal('off'), Type.Literal('double')]),
        ),
      },
      { additionalProperties: false },
    ),
    audio: Type.Optional(
      Type.Object(
        {
          /** aac (default): encode; copy: keep the source's AAC/AC-3/E-AC-3; auto: copy when it fits the request. */
          codec: Type.Optional(Type.Union([Type.Literal('aac'), Type.Literal('copy'), Type.Literal('auto')])),
          bitrateKbps: Type.Optional(Type.Integer({ minimum: 32, maximum: 640 })),
          channels: Type.Optional(Type.Integer({ minimum: 1, maximum: 8 })),
          /** The n-th audio track of the source (0 = first); falls back to lang, then the default track. */
          track: Type.Optional(Type.Integer({ minimum: 0, maximum: 63 })),
          /** ISO 639 language of the track to play (fra, fre and fr are one language). */
          lang: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}$' })),
        },
        { additionalProperties: false },
      ),
    ),
    /**
     * Several qualities from one decode (adaptive bitrate): each variant's height, bitrate and codec (default: what
     * video.codec transcodes to; "copy": the source's own video, the "original" quality). playlistUrl is then the
     * master playlist. video.height and video.bitrateKbps do not apply.
     */
    variants: Type.Optional(
      Type.Array(
        Type.Object(
          {
            height: Type.Optional(Type.Integer({ minimum: 144, maximum: 4320 })),
            bitrateKbps: Type.Optional(Type.Integer({ minimum: 100, maximum: 100_000 })),
            codec: Type.Optional(
              Type.Union([
                Type.Literal('h264'),
                Type.Literal('hevc'),
                Type.Literal('av1'),
                Type.Literal('copy'),
              ]),
            ),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: MAX_VARIANTS },
      ),
    ),
    /**
     * Draw this subtitle track (n-th subtitle track, 0 = first) into the picture: an image track (PGS, DVB, VobSub)
     * is overlaid, a text track (SRT, ASS/SSA, mov_text, WebVTT) is drawn by libass with its styling.
     */
    burnSubtitles: Type.Optional(
      Type.Object({ track: Type.Integer({ minimum: 0, maximum: 63 }) }, { additionalProperties: false }),
    ),
    segmentSeconds: Type.Optional(Type.Number({ minimum: 1, maximum: 30 })),
    /** vod (default): the whole film's playlist at once, seekable anywhere; event: segments listed as made. */
    playlist: Type.Optional(Type.Union([Type.Literal('vod'), Type.Literal('event')])),
    /** ts: MPEG-TS segments; fmp4: fragmented MP4 with an init segment. Default: fmp4 for HEVC, ts for H.264. */
    container: Type.Optional(Type.Union([Type.Literal('ts'), Type.Literal('fmp4')])),
    /** Transcode ahead of time: no throttling, no idle stop of the encoder. */
    prepare: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export type JobRequest = Static<typeof JobRequestSchema>;

/**
 * Checks a parsed body against the schema: no coercion ("720" is not 720), no silent removal of unknown keys, every
 * problem named. TypeBox rather than fastify's Ajv: Ajv alone adds ~8 MB to the idle worker (issue 5).
 */
export function parseJobRequest(body: unknown): JobRequest {
  if (Value.Check(JobRequestSchema, body)) {
    const av1 = body.video.codec === 'av1' || (body.variants ?? []).some((v) => v.codec === 'av1');
    if (av1 && body.container === 'ts')
      throw new WorkerError('INVALID_BODY', 'container: ts cannot carry AV1; AV1 streams are fmp4');
    const copies = body.video.codec === 'copy' || (body.variants ?? []).some((v) => v.codec === 'copy');
    if (body.burnSubtitles !== undefined && copies)
      throw new WorkerError(
        'INVALID_BODY',
        'burnSubtitles needs a transcode: a copy cannot draw into the picture',
      );
    if ((body.variants ?? []).filter((v) => v.codec === 'copy').length > 1)
      throw new WorkerError('INVALID_BODY', 'variants: at most one copy variant (the source is one quality)');
    return body;
  }
  const lines = describeSchemaErrors(Value.Errors(JobRequestSchema, body));
  throw new WorkerError('INVALID_BODY', lines.join('; ') || 'the body does not match the job schema');
}
