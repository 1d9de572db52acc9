// Pure: a source's subtitle tracks as ffprobe describes them, and which of them are text (WebVTT renditions).

/** One subtitle track of the source. */
export interface SubtitleTrack {
  /** ffprobe stream index (what -map takes). */
  readonly index: number;
  readonly codec: string;
  /** ISO 639 tag from the container (eng, fra, fre, ...), lower case; null when untagged or "und". */
  readonly language: string | null;
  /** The container's title tag ("English (SDH)"); null when absent. */
  readonly title: string | null;
  readonly default: boolean;
  readonly forced: boolean;
  /** Text the webvtt encoder takes (SRT, ASS/SSA, mov_text, WebVTT); false for images (PGS, DVB, VobSub). */
  readonly text: boolean;
}

// The decoders FFmpeg turns into text events that -c:s webvtt can encode. Image subtitles (hdmv_pgs_subtitle,
// dvb_subtitle, dvd_subtitle, xsub) and anything unknown are not text: they can only be burned in.
const TEXT_CODECS = new Set(['subrip', 'srt', 'ass', 'ssa', 'mov_text', 'webvtt', 'text']);

/** Whether ffprobe's codec name is a text subtitle format. */
export function isTextSubtitle(codec: string): boolean {
  return TEXT_CODECS.has(codec);
}

/** A container language tag as the worker keeps it: 2–3 letters, lower case; null for none or "und". */
export function languageTag(tag: string | undefined): string | null {
  if (tag === undefined || !/^[a-z]{2,3}$/i.test(tag)) return null;
  const lower = tag.toLowerCase();
  return lower === 'und' ? null : lower;
}

/** The fields of one ffprobe stream this module reads. */
export interface ProbedSubtitleStream {
  readonly index?: number;
  readonly codec_name?: string;
  readonly disposition?: { readonly default?: number; readonly forced?: number };
  readonly tags?: { readonly language?: string; readonly title?: string };
}

/** One ffprobe subtitle stream → a track. */
export function subtitleTrack(s: ProbedSubtitleStream): SubtitleTrack {
  const codec = s.codec_name ?? 'unknown';
  const title = s.tags?.title?.trim() ?? '';
  return {
    index: s.index ?? 0,
    codec,
    language: languageTag(s.tags?.language),
    title: title === '' ? null : title,
    default: s.disposition?.default === 1,
    forced: s.disposition?.forced === 1,
    text: isTextSubtitle(codec),
  };
}

/** The subtitle track a job burns into the picture, as the job view reports it. */
export interface BurnIn {
  /** ffprobe stream index (what the overlay filter, or the .ass extraction, takes). */
  readonly streamIndex: number;
  /** Position among the source's subtitle tracks (the request's `track`). */
  readonly track: number;
  readonly codec: string;
  readonly language: string | null;
  /** A text track (drawn by libass from an .ass file the job extracts first); absent for an image track (overlaid). */
  readonly text?: true;
}

/**
 * The track `burnSubtitles.track` names, or why it cannot be burned in (it does not exist). Text tracks are burned
 * too, for players that cannot show the WebVTT rendition; image tracks are overlaid, text ones drawn by libass.
 */
export function chooseBurnIn(
  tracks: readonly SubtitleTrack[],
  track: number,
): BurnIn | { readonly error: string } {
  const t = tracks[track];
  if (t === undefined)
    return {
      error: `burnSubtitles.track ${track}: the source has ${tracks.length} subtitle track${tracks.length === 1 ? '' : 's'}`,
    };
  const burn = { streamIndex: t.index, track, codec: t.codec, language: t.language };
  return t.text ? { ...burn, text: true } : burn;
}
