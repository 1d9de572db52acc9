// Pure: master.m3u8 — the variants a player chooses among (RFC 8216 §4.3.4.2) and the subtitle renditions it may
// show beside them (§4.3.4.1).
import type { Container } from './stream-folder.js';
import { quotable, SUBTITLE_GROUP, subtitleMediaTags, type SubtitleRendition } from './subtitle-playlist.js';

export interface MasterVariant {
  readonly uri: string;
  readonly bandwidth: number;
  readonly averageBandwidth: number;
  readonly width: number | null;
  readonly height: number;
  /** RFC 6381 codecs of everything the variant carries (video, audio). */
  readonly codecs: string;
  readonly frameRate: number;
}

/** An attribute's quoted-string (§4.2), made safe. */
function quoted(text: string): string {
  return `"${quotable(text)}"`;
}

export function composeMaster(
  variants: readonly MasterVariant[],
  subtitles: readonly SubtitleRendition[],
  container: Container,
): string {
  const lines = [
    '#EXTM3U',
    // Version 7 for fMP4 media playlists (what they declare), 6 otherwise; the master matches them.
    `#EXT-X-VERSION:${container === 'fmp4' ? 7 : 6}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  lines.push(...subtitleMediaTags(subtitles));
  for (const v of variants) {
    const attrs = [
      `BANDWIDTH=${v.bandwidth}`,
      `AVERAGE-BANDWIDTH=${v.averageBandwidth}`,
      ...(v.width === null ? [] : [`RESOLUTION=${v.width}x${v.height}`]),
      `CODECS=${quoted(v.codecs)}`,
      `FRAME-RATE=${v.frameRate.toFixed(3)}`,
      // Every variant names the one subtitle group: the text tracks serve every quality.
      ...(subtitles.length > 0 ? [`SUBTITLES=${quoted(SUBTITLE_GROUP)}`] : []),
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  return `${lines.join('\n')}\n`;
}
