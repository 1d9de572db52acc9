// Pure: what a job does to the picture before encoding, decided once with the stream plan: tone mapping an HDR
// source to SDR, deinterlacing, and what the job view says about each (applied or not, and why).
import type { JobRequest } from '../contract/job-request.js';
import type { ToneMapOperator, ToneMapSource } from '../ffmpeg/picture-filters.js';
import type { InterlaceVerdict } from '../media/interlace-check.js';
import type { SourceInfo } from '../media/source-info.js';

type SourceVideo = NonNullable<SourceInfo['video']>;

/** What the job view says of one picture step. */
export interface PictureStepView {
  readonly applied: boolean;
  readonly reason: string;
}

/** Facts found after the probe: idet's verdict when the source's field order is not tagged. */
export interface PictureFacts {
  /** Whether the job makes no transcoded picture (a copy): nothing is filtered. */
  readonly copy: boolean;
  /** The interlace check's verdict (undefined: not run; null: it could not tell). */
  readonly interlace?: InterlaceVerdict | undefined;
}

export interface PicturePlan {
  readonly toneMap: { readonly operator: ToneMapOperator; readonly source: ToneMapSource } | null;
  readonly deinterlace: { readonly parity: 'tff' | 'bff' | 'auto'; readonly doubleRate: boolean } | null;
  readonly toneMapped: PictureStepView;
  readonly deinterlaced: PictureStepView;
  /** Whether the job view shows the two steps (see showsPictureSteps). */
  readonly shown: boolean;
}

/**
 * Whether the runner should run the idet check before planning: only when deinterlacing may happen (auto, on or
 * double) and the container does not state the field order. A source tagged progressive (almost every file) never
 * pays for it, so its time to the first segment is unchanged; a copy never filters, so it never looks.
 */
export function needsInterlaceCheck(request: JobRequest, video: SourceVideo, copy: boolean): boolean {
  if (copy || request.video.deinterlace === 'off') return false;
  return video.picture !== undefined && video.picture.fieldOrder === null;
}

function planToneMap(
  request: JobRequest,
  video: SourceVideo,
  copy: boolean,
): Pick<PicturePlan, 'toneMap' | 'toneMapped'> {
  const wish = request.video.toneMap ?? 'auto';
  const picture = video.picture;
  const hdr = picture?.hdr ?? null;
  if (picture === undefined || hdr === null)
    return { toneMap: null, toneMapped: { applied: false, reason: 'the source is SDR' } };
  const name = hdr === 'pq' ? 'HDR10 (PQ)' : 'HLG';
  if (copy)
    return {
      toneMap: null,
      toneMapped: { applied: false, reason: `a copy keeps the source's ${name} picture unfiltered` },
    };
  if (wish === 'off')
    return {
      toneMap: null,
      toneMapped: { applied: false, reason: `toneMap off: the ${name} picture is passed as it is` },
    };
  // Every output is SDR until keepHdr exists: auto tone-maps every HDR source.
  const operator = wish === 'auto' ? 'hable' : wish;
  return {
    toneMap: {
      operator,
      source: { hdr, primaries: picture.primaries, space: picture.space, range: picture.range },
    },
    toneMapped: {
      applied: true,
      reason: `${name} source tone-mapped to BT.709 SDR (${operator}${wish === 'auto' ? ', auto' : ''})`,
    },
  };
}

function planDeinterlace(
  request: JobRequest,
  video: SourceVideo,
  facts: PictureFacts,
): Pick<PicturePlan, 'deinterlace' | 'deinterlaced'> {
  const wish = request.video.deinterlace ?? 'auto';
  const tagged = video.picture?.fieldOrder ?? null;
  const verdict = facts.interlace;
  // The field shown first: the tag where it says interlaced, else idet's verdict, else each frame's own flag.
  const field =
    tagged === 'tff' || tagged === 'bff' ? tagged : verdict === 'tff' || verdict === 'bff' ? verdict : null;
  const seen =
    tagged === 'tff' || tagged === 'bff'
      ? `the source is tagged interlaced (${tagged})`
      : field !== null
        ? `idet found interlaced frames (${field})`
        : tagged === 'progressive'
          ? 'the source is tagged progressive'
          : verdict === 'progressive'
            ? 'idet found progressive frames'
            : verdict === null
              ? 'idet could not tell; taken as progressive'
              : 'the field order is unknown; taken as progressive';
  if (facts.copy)
    return {
      deinterlace: null,
      deinterlaced: { applied: false, reason: "a copy keeps the source's frames unfiltered" },
    };
  if (wish === 'off')
    return { deinterlace: null, deinterlaced: { applied: false, reason: `deinterlace off (${seen})` } };
  const doubleRate = wish === 'double';
  if (wish === 'auto' && field === null)
    return { deinterlace: null, deinterlaced: { applied: false, reason: seen } };
  const how = doubleRate ? 'one frame per field' : 'frame rate kept';
  return {
    deinterlace: { parity: field ?? 'auto', doubleRate },
    deinterlaced: {
      applied: true,
      reason: `${wish === 'auto' ? seen : `deinterlace ${wish} (${seen})`}: bwdif, ${how}`,
    },
  };
}

/** Tone mapping and deinterlacing of a job, from its request, the probed source and what was found since. */
export function planPicture(request: JobRequest, video: SourceVideo, facts: PictureFacts): PicturePlan {
  return {
    ...planToneMap(request, video, facts.copy),
    ...planDeinterlace(request, video, facts),
    shown: showsPictureSteps(request, video, facts),
  };
}

/**
 * Whether the job view shows the picture steps: when the request names one, the source is HDR or interlaced, or an
 * idet check ran. A plain progressive SDR job's view stays as it was before the steps existed.
 */
export function showsPictureSteps(request: JobRequest, video: SourceVideo, facts: PictureFacts): boolean {
  if (request.video.toneMap !== undefined || request.video.deinterlace !== undefined) return true;
  const picture = video.picture;
  if (picture === undefined) return false;
  return (
    picture.hdr !== null ||
    picture.fieldOrder === 'tff' ||
    picture.fieldOrder === 'bff' ||
    facts.interlace !== undefined
  );
}
