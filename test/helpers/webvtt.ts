// A strict check of the WebVTT files the worker serves: what a picky player would refuse, this refuses.

export interface CheckedCue {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const TIME = String.raw`(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})`;
const TIMING = new RegExp(String.raw`^${TIME} --> ${TIME}( [^\n]*)?$`);
const MAP = /^X-TIMESTAMP-MAP=MPEGTS:(\d+),LOCAL:(\d{2,}):([0-5]\d):([0-5]\d)\.(\d{3})$/;

function seconds(h: string, m: string, s: string, ms: string): number {
  return Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms) / 1000;
}

/**
 * Throws unless `text` is an HLS WebVTT segment: "WEBVTT" alone on the first line, X-TIMESTAMP-MAP on the second, a
 * blank line, then cue blocks (timing line, one or more non-empty text lines) each followed by one blank line, \n
 * line ends. Returns the map and the cues.
 */
export function checkWebVtt(text: string): { mpegts: number; local: number; cues: CheckedCue[] } {
  if (text.includes('\r')) throw new Error('CR in a WebVTT segment');
  if (!text.endsWith('\n\n')) throw new Error('no blank line after the last block');
  const [head = '', ...blocks] = text.slice(0, -2).split('\n\n');
  const [magic, mapLine, ...rest] = head.split('\n');
  if (magic !== 'WEBVTT' || rest.length > 0) throw new Error(`bad header: ${JSON.stringify(head)}`);
  const map = MAP.exec(mapLine ?? '');
  if (map === null) throw new Error(`bad X-TIMESTAMP-MAP: ${JSON.stringify(mapLine)}`);
  const cues: CheckedCue[] = [];
  for (const block of blocks) {
    const [timing = '', ...lines] = block.split('\n');
    const m = TIMING.exec(timing);
    if (m === null) throw new Error(`bad timing line: ${JSON.stringify(timing)}`);
    const start = seconds(m[1] ?? '', m[2] ?? '', m[3] ?? '', m[4] ?? '');
    const end = seconds(m[5] ?? '', m[6] ?? '', m[7] ?? '', m[8] ?? '');
    if (end < start) throw new Error(`cue ends before it starts: ${timing}`);
    if (lines.length === 0 || lines.some((l) => l === '' || l.includes('-->')))
      throw new Error(`bad cue text: ${JSON.stringify(block)}`);
    cues.push({ start, end, text: lines.join('\n') });
  }
  return {
    mpegts: Number(map[1]),
    local: seconds(map[2] ?? '', map[3] ?? '', map[4] ?? '', map[5] ?? ''),
    cues,
  };
}
