// Pure: the names, media playlists and master-playlist lines of WebVTT subtitle renditions. Subtitle segments are
// cut in step with the video's (same durations), so a player fetches the cues of the part it plays.
import type { TimeWindow } from './webvtt.js';

/** The master playlist's group the video variants name with SUBTITLES="subs". */
export const SUBTITLE_GROUP = 'subs';

/** Media playlist of subtitle rendition j. */
export function subtitlePlaylistName(track: number): string {
  return `s${track}.m3u8`;
}

/** Segment k of subtitle rendition j. */
export function subtitleSegmentName(track: number, segment: number): string {
  return `s${track}-${segment}.vtt`;
}

const NUMBER = '(0|[1-9][0-9]{0,8})';
const PLAYLIST_RE = new RegExp(`^s${NUMBER}\\.m3u8$`);
const SEGMENT_RE = new RegExp(`^s${NUMBER}-${NUMBER}\\.vtt$`);

/** What a requested file name is: a rendition's playlist (segment null) or one of its segments; null for neither. */
export function subtitleFile(
  name: string,
): { readonly track: number; readonly segment: number | null } | null {
  const p = PLAYLIST_RE.exec(name);
  if (p?.[1] !== undefined) return { track: Number(p[1]), segment: null };
  const s = SEGMENT_RE.exec(name);
  if (s?.[1] === undefined || s[2] === undefined) return null;
  return { track: Number(s[1]), segment: Number(s[2]) };
}

/**
 * The span of the timeline segment k covers, from the video's segment durations. The first reaches back and the
 * last reaches on without end: a cue before the first frame or after the last one still has a segment.
 */
export function segmentWindow(durations: readonly number[], k: number): TimeWindow | null {
  if (!Number.isInteger(k) || k < 0 || k >= durations.length) return null;
  let from = 0;
  for (let i = 0; i < k; i++) from += durations[i] ?? 0;
  return {
    from: k === 0 ? -Infinity : from,
    to: k === durations.length - 1 ? Infinity : from + (durations[k] ?? 0),
  };
}

/** A subtitle rendition's VOD media playlist: one segment per video segment, with the same durations. */
export function composeSubtitlePlaylist(track: number, durations: readonly number[]): string {
  const target = Math.max(1, ...durations.map((d) => Math.round(d)));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
  ];
  durations.forEach((d, k) => lines.push(`#EXTINF:${d.toFixed(6)},`, subtitleSegmentName(track, k)));
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** One subtitle rendition as the master playlist lists it. */
export interface SubtitleRendition {
  /** j in s{j}.m3u8 (the position among the source's text tracks). */
  readonly id: number;
  /** ISO 639 tag from the source (eng), or null. */
  readonly language: string | null;
  /** Unique within the group (HLS requires it). */
  readonly name: string;
  readonly default: boolean;
  readonly forced: boolean;
  /** Relative URI of its media playlist. */
  readonly playlist: string;
}

/** The BCP 47 tag HLS's LANGUAGE wants (eng → en, fre → fr); the tag as it is where ICU does not know it. */
export function bcp47(tag: string): string {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? tag;
  } catch {
    return tag;
  }
}

/** A language's English name (fra → French), or null when unknown. */
function languageName(tag: string): string | null {
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' }).of(tag);
    return name === undefined || name === '' ? null : name;
  } catch {
    return null;
  }
}

/** A quoted-string attribute may hold neither a double quote nor a line break (RFC 8216 §4.2). */
export function quotable(text: string): string {
  return text
    .replace(/"/g, "'")
    .replace(/[\r\n]+/g, ' ')
    .trim();
}

/**
 * Names for the renditions: the track's title, else its language's name, else "Subtitles n"; a repeated name gets
 * " (2)", " (3)", ... (HLS requires distinct names within a group).
 */
export function renditionNames(
  tracks: readonly { readonly language: string | null; readonly title: string | null }[],
): string[] {
  const seen = new Map<string, number>();
  return tracks.map((t, j) => {
    const base =
      quotable(t.title ?? '') ||
      (t.language === null ? null : languageName(t.language)) ||
      `Subtitles ${j + 1}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} (${n})`;
  });
}

/** The #EXT-X-MEDIA lines of a master playlist; its variants then carry SUBTITLES="subs". */
export function subtitleMediaTags(renditions: readonly SubtitleRendition[]): string[] {
  return renditions.map((r) =>
    [
      `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="${SUBTITLE_GROUP}"`,
      `NAME="${quotable(r.name)}"`,
      ...(r.language === null ? [] : [`LANGUAGE="${quotable(bcp47(r.language))}"`]),
      // DEFAULT=YES requires AUTOSELECT=YES (RFC 8216 §4.3.4.1).
      `DEFAULT=${r.default ? 'YES' : 'NO'}`,
      'AUTOSELECT=YES',
      `FORCED=${r.forced ? 'YES' : 'NO'}`,
      `URI="${r.playlist}"`,
    ].join(','),
  );
}
