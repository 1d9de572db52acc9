// Pure parsers of FFmpeg's own listings: -encoders, -hwaccels, -version.
import type { VideoCodec } from './types.js';

export interface ListedEncoder {
  readonly name: string;
  readonly codec: VideoCodec;
}

const CODECS: readonly VideoCodec[] = ['h264', 'hevc', 'av1'];

function codecOf(name: string, description: string): VideoCodec | null {
  // FFmpeg appends "(codec h264)" when the encoder's name differs from the codec's: the surest sign.
  const tagged = /\(codec (\w+)\)\s*$/.exec(description)?.[1];
  if (tagged !== undefined) return CODECS.find((c) => c === tagged) ?? null;
  const prefix = CODECS.find((c) => name === c || name.startsWith(`${c}_`));
  if (prefix !== undefined) return prefix;
  if (/H\.264|\bAVC\b/.test(description)) return 'h264';
  if (/HEVC|H\.265/.test(description)) return 'hevc';
  if (/\bAV1\b/.test(description)) return 'av1';
  return null;
}

/** Parses `ffmpeg -hide_banner -encoders`: the video encoders of H.264, HEVC and AV1, in listed order. */
export function parseEncoders(text: string): ListedEncoder[] {
  const out: ListedEncoder[] = [];
  let inTable = false;
  for (const line of text.split('\n')) {
    // The legend (" V..... = Video") ends with " ------"; encoder rows follow.
    if (!inTable) {
      inTable = line.trim() === '------';
      continue;
    }
    const m = /^\s*([VAS][.A-Z]{5})\s+(\S+)\s+(.*)$/.exec(line);
    if (m?.[1] === undefined || m[2] === undefined || m[3] === undefined || !m[1].startsWith('V')) continue;
    const codec = codecOf(m[2], m[3]);
    if (codec !== null) out.push({ name: m[2], codec });
  }
  return out;
}

/** Parses `ffmpeg -hide_banner -hwaccels`: the method names under "Hardware acceleration methods:". */
export function parseHwaccels(text: string): string[] {
  const lines = text.split('\n').map((l) => l.trim());
  const start = lines.findIndex((l) => l.startsWith('Hardware acceleration methods'));
  if (start < 0) return [];
  return lines.slice(start + 1).filter((l) => /^[\w-]+$/.test(l));
}

/** Parses the first line of `ffmpeg -version` ("ffmpeg version 5.1.9-0+deb12u1 Copyright ...") into the version. */
export function parseFfmpegVersion(text: string): string | null {
  return /^ffmpeg version (\S+)/m.exec(text)?.[1] ?? null;
}
