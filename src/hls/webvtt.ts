// Pure: the WebVTT FFmpeg's webvtt muxer writes → cues, and cues → one HLS subtitle segment file.
import type { TimestampMap } from './subtitle-timing.js';

/** One cue, times in seconds on the extraction's timeline (the source's, less its start time). */
export interface Cue {
  readonly start: number;
  readonly end: number;
  /** Cue settings after the end time (align:start line:0%), '' when none. */
  readonly settings: string;
  /** The payload lines, joined by \n (never empty, never holding a blank line). */
  readonly text: string;
}

const TIMING = /^((?:\d+:)?\d{2}:\d{2}\.\d{3})[ \t]+-->[ \t]+((?:\d+:)?\d{2}:\d{2}\.\d{3})(?:[ \t]+(.*))?$/;

/** Seconds of a WebVTT timestamp ([hh:]mm:ss.ttt), or null when it is not one. */
export function parseTimestamp(text: string): number | null {
  const m = /^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$/.exec(text);
  if (m === null) return null;
  const [, h = '0', min = '0', s = '0', ms = '0'] = m;
  if (Number(min) > 59 || Number(s) > 59) return null;
  return (Number(h) * 3600_000 + Number(min) * 60_000 + Number(s) * 1000 + Number(ms)) / 1000;
}

/** hh:mm:ss.ttt, rounded to the millisecond (hours always present: valid everywhere, also past 99 minutes). */
export function formatTimestamp(seconds: number): string {
  const total = Math.max(0, Math.round(seconds * 1000));
  const ms = total % 1000;
  const s = Math.floor(total / 1000) % 60;
  const min = Math.floor(total / 60_000) % 60;
  const h = Math.floor(total / 3600_000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(h)}:${two(min)}:${two(s)}.${String(ms).padStart(3, '0')}`;
}

/**
 * Cues of a WebVTT file, sorted by start. `complete: false` reads a file still being written: a last block without
 * its final line break may be cut short and is left for the next read. Blocks that are not cues (the header, NOTE,
 * STYLE, REGION, anything malformed) are skipped.
 */
export function parseWebVtt(text: string, opts: { readonly complete: boolean }): Cue[] {
  let body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!opts.complete && !body.endsWith('\n')) body = body.slice(0, body.lastIndexOf('\n') + 1);
  const cues: Cue[] = [];
  // An empty line ends a block (a line of spaces does not: it belongs to the cue's text).
  for (const block of body.split(/\n{2,}/)) {
    const lines = block.replace(/^\n+|\n+$/g, '').split('\n');
    // An optional identifier line comes before the timing line.
    const at = lines.findIndex((l) => l.includes('-->'));
    if (at < 0 || at > 1 || lines[0]?.startsWith('WEBVTT') === true || lines[0]?.startsWith('NOTE') === true)
      continue;
    const m = TIMING.exec((lines[at] ?? '').trim());
    const start = parseTimestamp(m?.[1] ?? '');
    const end = parseTimestamp(m?.[2] ?? '');
    const payload = lines
      .slice(at + 1)
      .join('\n')
      .trimEnd();
    if (start === null || end === null || end < start || payload === '') continue;
    cues.push({ start, end, settings: (m?.[3] ?? '').trim(), text: payload });
  }
  return cues.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** A span of the extraction's timeline; from/to may be ±Infinity at the stream's ends. */
export interface TimeWindow {
  readonly from: number;
  readonly to: number;
}

/**
 * Cues shown during [from, to). A cue that spans a boundary is in both segments, as players expect (they drop the
 * repeat: hls.js by start, end and text).
 */
export function cuesIn(cues: readonly Cue[], window: TimeWindow): Cue[] {
  return cues.filter((c) =>
    c.end > c.start
      ? c.start < window.to && c.end > window.from
      : c.start >= window.from && c.start < window.to,
  );
}

/**
 * One segment file: WEBVTT, the X-TIMESTAMP-MAP that ties cue time `map.localSeconds` to the video's 90 kHz clock
 * (subtitle-timing.ts), then the cues with their own times.
 */
export function composeVttSegment(cues: readonly Cue[], map: TimestampMap): string {
  const local = formatTimestamp(map.localSeconds);
  const lines = ['WEBVTT', `X-TIMESTAMP-MAP=MPEGTS:${Math.round(map.mpegts)},LOCAL:${local}`, ''];
  for (const c of cues) {
    const settings = c.settings === '' ? '' : ` ${c.settings}`;
    lines.push(`${formatTimestamp(c.start)} --> ${formatTimestamp(c.end)}${settings}`, c.text, '');
  }
  return `${lines.join('\n')}\n`;
}
