// {workDir}/hardware-profile.json: the verified result (accelerators, encoder checks, speeds, encoders marked
// unusable by failed jobs), valid while FFmpeg (path and version) and the device list stay the same.
import { renameSync, writeFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AcceleratorCandidate } from './device-scan.js';
import type { EncoderCandidate } from './encoder-catalog.js';
import type { EncoderCheck } from './types.js';

export const CACHE_FILE = 'hardware-profile.json';
const FORMAT = 1;

export interface CacheKey {
  readonly ffmpegPath: string;
  readonly ffmpegVersion: string;
  /** One line per accelerator: type, device, vendor, driver, name. */
  readonly devices: readonly string[];
  /** The encoders that were (or would be) tested, as name@device. */
  readonly candidates: readonly string[];
}

export interface CachedProfile {
  readonly format: typeof FORMAT;
  readonly key: CacheKey;
  readonly accelerators: readonly AcceleratorCandidate[];
  readonly encoders: readonly EncoderCheck[];
  /** False when only the test encodes ran (speed measurement off, or not finished yet). */
  readonly speedMeasured: boolean;
  /** Encoder name → reason, from failed jobs; cleared only by a refresh. */
  readonly unusable: Readonly<Record<string, string>>;
  readonly savedAt: string;
}

/** Pure: the key this machine's profile is valid for. */
export function cacheKey(
  ffmpegPath: string,
  ffmpegVersion: string,
  accelerators: readonly AcceleratorCandidate[],
  candidates: readonly EncoderCandidate[],
): CacheKey {
  return {
    ffmpegPath,
    ffmpegVersion,
    devices: accelerators
      .map((a) => [a.type, a.device, a.vendor ?? '', a.driver ?? '', a.name ?? ''].join(' '))
      .sort(),
    candidates: candidates.map((c) => `${c.name}@${c.device ?? ''}`).sort(),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCheck(v: unknown): v is EncoderCheck {
  return (
    isRecord(v) &&
    typeof v.name === 'string' &&
    (v.codec === 'h264' || v.codec === 'hevc' || v.codec === 'av1') &&
    (v.accelerator === null || typeof v.accelerator === 'string') &&
    (v.device === null || typeof v.device === 'string') &&
    typeof v.usable === 'boolean' &&
    (v.reason === undefined || typeof v.reason === 'string') &&
    (v.speed === undefined || isRecord(v.speed)) &&
    (v.measuredAt === undefined || isRecord(v.measuredAt))
  );
}

/**
 * Pure: the check with only the figures that say when they were measured. A file written before measuredAt existed
 * may hold figures measured beside jobs or the sample creation: those are measured again.
 */
function datedFiguresOnly(c: EncoderCheck): { check: EncoderCheck; dropped: boolean } {
  if (c.speed === undefined) return { check: c, dropped: false };
  const speed: Record<string, number> = {};
  const measuredAt: Record<string, string> = {};
  let dropped = false;
  for (const key of ['720p', '1080p'] as const) {
    const figure = c.speed[key];
    if (figure === undefined) continue;
    const at = c.measuredAt?.[key];
    if (typeof figure === 'number' && typeof at === 'string') {
      speed[key] = figure;
      measuredAt[key] = at;
    } else dropped = true;
  }
  const rest: EncoderCheck = {
    name: c.name,
    codec: c.codec,
    accelerator: c.accelerator,
    device: c.device,
    usable: c.usable,
    ...(c.reason === undefined ? {} : { reason: c.reason }),
  };
  const check = Object.keys(speed).length === 0 ? rest : { ...rest, speed, measuredAt };
  return { check, dropped };
}

/** Pure: the cached profile in `text` if it is well formed and made for exactly this key; null otherwise. */
export function parseCachedProfile(text: string, key: CacheKey): CachedProfile | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(data) || data.format !== FORMAT || JSON.stringify(data.key) !== JSON.stringify(key))
    return null;
  const { accelerators, encoders, speedMeasured, unusable, savedAt } = data;
  if (!Array.isArray(accelerators) || !Array.isArray(encoders) || !encoders.every(isCheck)) return null;
  if (typeof speedMeasured !== 'boolean' || !isRecord(unusable) || typeof savedAt !== 'string') return null;
  if (!Object.values(unusable).every((r) => typeof r === 'string')) return null;
  const dated = encoders.map(datedFiguresOnly);
  return {
    format: FORMAT,
    key,
    accelerators: accelerators as AcceleratorCandidate[],
    encoders: dated.map((d) => d.check),
    speedMeasured: speedMeasured && !dated.some((d) => d.dropped),
    unusable: unusable as Record<string, string>,
    savedAt,
  };
}

/** The cached profile for this key, or null (missing, unreadable, stale). */
export async function readProfileCache(workDir: string, key: CacheKey): Promise<CachedProfile | null> {
  try {
    return parseCachedProfile(await readFile(path.join(workDir, CACHE_FILE), 'utf8'), key);
  } catch {
    return null;
  }
}

let writes = 0;

// Each write has its own temporary name, so an async and a sync write never rename each other's file.
function temporaryName(file: string): string {
  writes++;
  return `${file}.${process.pid}.${writes}.tmp`;
}

/** Writes the profile atomically (temporary file, then rename): a crash never leaves half a file. */
export async function writeProfileCache(workDir: string, profile: CachedProfile): Promise<void> {
  const file = path.join(workDir, CACHE_FILE);
  const tmp = temporaryName(file);
  await writeFile(tmp, `${JSON.stringify(profile, null, 2)}\n`);
  await rename(tmp, file);
}

/** Synchronous twin of writeProfileCache, for the rare write from markUnusable (a small file). */
export function writeProfileCacheSync(workDir: string, profile: CachedProfile): void {
  const file = path.join(workDir, CACHE_FILE);
  const tmp = temporaryName(file);
  writeFileSync(tmp, `${JSON.stringify(profile, null, 2)}\n`);
  renameSync(tmp, file);
}
