// Pure: master.m3u8 — the variants a player chooses among (RFC 8216 §4.3.4.2) and the subtitle renditions it may
// show beside them (§4.3.4.1).
import type { Container } from '../ffmpeg/hls-args.js';

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

export interface MasterSubtitle {
  readonly uri: string;
  readonly name: string;
  /** BCP 47 / ISO 639 tag, or null when the track has none. */
  readonly language: string | null;
  readonly isDefault: boolean;
  readonly forced: boolean;
}

const SUBTITLE_GROUP = 'subs';

/** A quoted-string may hold neither a double quote nor a line break (§4.2). */
function quoted(text: string): string {
  return `"${text.replace(/["\r\n]/g, "'")}"`;
}

export function composeMaster(
  variants: readonly MasterVariant[],
  subtitles: readonly MasterSubtitle[],
  container: Container,
): string {
  const lines = [
    '#EXTM3U',
    // Version 7 for fMP4 media playlists (what they declare), 6 otherwise; the master matches them.
    `#EXT-X-VERSION:${container === 'fmp4' ? 7 : 6}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  for (const s of subtitles) {
    const attrs = [
      'TYPE=SUBTITLES',
      `GROUP-ID=${quoted(SUBTITLE_GROUP)}`,
      `NAME=${quoted(s.name)}`,
      ...(s.language === null ? [] : [`LANGUAGE=${quoted(s.language)}`]),
      `DEFAULT=${s.isDefault ? 'YES' : 'NO'}`,
      // AUTOSELECT must be YES when DEFAULT is (§4.3.4.1); a player may pick a track in the viewer's language.
      'AUTOSELECT=YES',
      `FORCED=${s.forced ? 'YES' : 'NO'}`,
      `URI=${quoted(s.uri)}`,
    ];
    lines.push(`#EXT-X-MEDIA:${attrs.join(',')}`);
  }
  for (const v of variants) {
    const attrs = [
      `BANDWIDTH=${v.bandwidth}`,
      `AVERAGE-BANDWIDTH=${v.averageBandwidth}`,
      ...(v.width === null ? [] : [`RESOLUTION=${v.width}x${v.height}`]),
      `CODECS=${quoted(v.codecs)}`,
      `FRAME-RATE=${v.frameRate.toFixed(3)}`,
      ...(subtitles.length > 0 ? [`SUBTITLES=${quoted(SUBTITLE_GROUP)}`] : []),
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  return `${lines.join('\n')}\n`;
}
