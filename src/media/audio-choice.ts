// Pure: which audio track of the source a job plays, and whether it is copied or encoded to AAC.

/** One audio track as ffprobe describes it. */
export interface AudioTrack {
  /** ffprobe stream index (what -map takes). */
  readonly index: number;
  readonly codec: string;
  readonly channels: number;
  /** ISO 639 tag from the container (eng, fra, fre, ...), lower case; null when untagged. */
  readonly language: string | null;
  readonly isDefault: boolean;
  /** As ffprobe names it (LC, HE-AAC, ...); '' when unknown. */
  readonly profile?: string;
}

// ISO 639-2/B codes and ISO 639-1 two-letter codes for the same languages as their 639-2/T code: a request for
// "fra" finds a track tagged "fre" or "fr".
// prettier-ignore
const SAME_LANGUAGE: Readonly<Record<string, string>> = {
  fre: 'fra', ger: 'deu', dut: 'nld', chi: 'zho', cze: 'ces', gre: 'ell', per: 'fas', rum: 'ron', slo: 'slk',
  ice: 'isl', mac: 'mkd', may: 'msa', alb: 'sqi', arm: 'hye', baq: 'eus', bur: 'mya', geo: 'kat', tib: 'bod',
  wel: 'cym', en: 'eng', fr: 'fra', de: 'deu', es: 'spa', it: 'ita', ja: 'jpn', pt: 'por', ru: 'rus', zh: 'zho',
  nl: 'nld', sv: 'swe', no: 'nor', da: 'dan', fi: 'fin', pl: 'pol', ko: 'kor', ar: 'ara', tr: 'tur', he: 'heb',
  hi: 'hin', cs: 'ces', el: 'ell', hu: 'hun', ro: 'ron', uk: 'ukr',
};

/** A language tag in its ISO 639-2/T form, so different spellings of one language compare equal. */
export function canonicalLanguage(tag: string): string {
  const lower = tag.toLowerCase();
  return SAME_LANGUAGE[lower] ?? lower;
}

/**
 * The track a job plays: the n-th audio track when `track` is given and exists, else the first track in `lang`,
 * else the source's default track, else its first.
 */
export function chooseAudioTrack(
  tracks: readonly AudioTrack[],
  wanted: { readonly track?: number | undefined; readonly lang?: string | undefined },
): AudioTrack | null {
  if (wanted.track !== undefined) {
    const byIndex = tracks[wanted.track];
    if (byIndex !== undefined) return byIndex;
  }
  if (wanted.lang !== undefined) {
    const lang = canonicalLanguage(wanted.lang);
    const byLang = tracks.find((t) => t.language !== null && canonicalLanguage(t.language) === lang);
    if (byLang !== undefined) return byLang;
  }
  return tracks.find((t) => t.isDefault) ?? tracks[0] ?? null;
}

/** Audio codecs an MPEG-TS HLS segment carries that players decode (AAC everywhere; AC-3/E-AC-3 on TVs, Apple). */
const COPYABLE = new Set(['aac', 'ac3', 'eac3']);

export interface AudioCodecChoice {
  readonly copy: boolean;
  /** Why copy was or was not chosen, for the job view. */
  readonly reason: string;
}

/**
 * aac: always encode. copy: copy a codec HLS carries, else encode (and say why). auto: copy AAC whose channels fit
 * the request (stereo by default), and AC-3/E-AC-3 when the request allows that many channels; else encode.
 */
export function chooseAudioCodec(
  requested: 'aac' | 'copy' | 'auto',
  track: AudioTrack,
  channels: number | undefined,
): AudioCodecChoice {
  if (requested === 'aac') return { copy: false, reason: 'aac requested' };
  if (!COPYABLE.has(track.codec))
    return { copy: false, reason: `${track.codec} does not go into HLS segments: encoded to AAC` };
  if (requested === 'copy') return { copy: true, reason: 'copy requested' };
  const allowed = channels ?? 2;
  if (track.channels > allowed)
    return { copy: false, reason: `${track.channels} channels, ${allowed} allowed: downmixed to AAC` };
  return { copy: true, reason: `${track.codec} with ${track.channels} channels fits the request` };
}
