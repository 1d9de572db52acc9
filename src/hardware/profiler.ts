// The hardware profile of this worker. CPU and memory are read fresh on every snapshot; accelerators and
// encoders come from a background pipeline: FFmpeg listing → device scan → cache or test encodes → speed runs.
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { RunCommand } from '../process/run-command.js';
import { scanAccelerators, type AcceleratorCandidate } from './device-scan.js';
import { softwareCandidates, unscannedCandidates, type EncoderCandidate } from './encoder-catalog.js';
import { ffmpegInfo, type FfmpegInfo } from './ffmpeg-info.js';
import {
  CACHE_FILE,
  cacheKey,
  readProfileCache,
  writeProfileCache,
  writeProfileCacheSync,
  type CacheKey,
  type CachedProfile,
} from './profile-cache.js';
import { nicedRunner } from './niced.js';
import { measureSpeeds, type SpeedHeight } from './speed.js';
import { parseProcStat, type CpuTimes } from './speed-trust.js';
import { probePlatformCpu, type PlatformCpu } from './platform-cpu.js';
import { nodeOs, readCpu, readMemory, type OsFacts } from './system-probe.js';
import { testEncoders } from './test-encode.js';
import { TEST_YIELD_MS, waitQuiet, yieldingRunner, type QuietGate } from './work-gate.js';
import type {
  Accelerator,
  EncoderCheck,
  FfmpegProfile,
  HardwareProfile,
  MemoryProfile,
  VideoCodec,
} from './types.js';

export { ffmpegInfo, type FfmpegInfo, type FfmpegInfoResult } from './ffmpeg-info.js';

export interface ProfilerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface HardwareProfilerDeps {
  readonly ffmpegPath: string;
  readonly workDir: string;
  readonly platform: NodeJS.Platform;
  readonly roots?: { readonly sysRoot: string; readonly devRoot: string; readonly procRoot: string };
  readonly runCommand: RunCommand;
  readonly log: ProfilerLog;
  /** Aborting stops test encodes and speed runs (their FFmpeg is killed); `settled` then resolves. */
  readonly signal: AbortSignal;
  readonly measureSpeed: boolean;
  /** Ignore the cache (and the encoders failed jobs marked unusable); test and measure again. */
  readonly refresh?: boolean;
  /** The start-up check's result, so FFmpeg is not asked twice; ffmpegInfo runs when absent. */
  readonly ffmpeg?: FfmpegInfo;
  readonly os?: OsFacts;
  /** Seconds of source per speed run (2 by default); tests shorten it. */
  readonly speedSeconds?: number;
  /** Monotonic milliseconds for the speed runs' wall time; performance.now by default. */
  readonly now?: () => number;
  /** The wall clock for each figure's measuredAt; new Date() by default. */
  readonly date?: () => Date;
  /** Waits before measuring again a figure other programs disturbed (speed-trust.ts's defaults when absent). */
  readonly busyRetryDelaysMs?: readonly number[];
  readonly nvidiaSmiPath?: string;
  /** Speed runs wait while the worker has work, and stop when work begins (their figures would read low). */
  readonly quiet?: QuietGate;
  /** The pipeline starts once this settles (the daemon: once it listens, so start-up has the CPU to itself). */
  readonly begin?: Promise<unknown>;
}

export interface HardwareProfiler {
  /** CPU and memory read fresh from /proc each call; accelerators and encoders as known so far. */
  snapshot(): HardwareProfile;
  /** Fresh memory figures only. */
  memory(): MemoryProfile;
  /** Resolves (never rejects) when test encodes and speed runs are done or aborted. */
  readonly settled: Promise<void>;
  /** Resolves when every candidate's test encode is done (or the cache answered), before the speed runs. */
  readonly tested: Promise<void>;
  /** A hardware encode failed in a job: unusable until a refresh. */
  markUnusable(encoder: string, reason: string): void;
  /** Every encoder tested so far, usable or not (what snapshot() reports, without reading /proc and /sys). */
  encoders(): EncoderCheck[];
  /** Usable encoders of a codec, fastest first (measured 1080p, then 720p; hardware before software unmeasured). */
  usableEncoders(codec: VideoCodec): EncoderCheck[];
}

const DEFAULT_ROOTS = { sysRoot: '/sys', devRoot: '/dev', procRoot: '/proc' };

function keyOf(c: { readonly name: string; readonly device: string | null }): string {
  return `${c.name}@${c.device ?? ''}`;
}

function withSpeed(check: EncoderCheck, height: SpeedHeight, speed: number, at: Date): EncoderCheck {
  const key = `${height}p`;
  return {
    ...check,
    speed: { ...check.speed, [key]: speed },
    measuredAt: { ...check.measuredAt, [key]: at.toISOString() },
  };
}

/** The machine's CPU times from {procRoot}/stat; null where there is none (macOS, Windows, a fake /proc). */
function procCpu(procRoot: string): CpuTimes | null {
  try {
    return parseProcStat(readFileSync(path.join(procRoot, 'stat'), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Pure: a job's FFmpeg error with each stream folder ({workDir}/streams/{job id}) shown as "<stream>". The reason is
 * published in the hardware profile, which the open /health and status page show, and a job id is its stream's key.
 */
export function withoutStreamFolders(reason: string, workDir: string): string {
  const streams = path.join(workDir, 'streams') + path.sep;
  const escaped = streams.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // The folder name ends at the next separator, space, colon or quote.
  return reason.replace(new RegExp(escaped + String.raw`[^/\\\s:'"]+`, 'g'), '<stream>');
}

/** Pure: fastest first by measured 1080p, then 720p speed; unmeasured hardware before unmeasured software. */
export function fastestFirst(checks: readonly EncoderCheck[]): EncoderCheck[] {
  const rank = (c: EncoderCheck): number[] => [
    c.speed?.['1080p'] ?? -1,
    c.speed?.['720p'] ?? -1,
    c.accelerator === null ? 0 : 1,
  ];
  return [...checks].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) {
      const d = (rb[i] ?? 0) - (ra[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
}

function describe(a: AcceleratorCandidate, checks: readonly EncoderCheck[]): Accelerator {
  return {
    type: a.type,
    device: a.device,
    ...(a.vendor === undefined ? {} : { vendor: a.vendor }),
    ...(a.driver === undefined ? {} : { driver: a.driver }),
    ...(a.name === undefined ? {} : { name: a.name }),
    ...(a.memoryBytes === undefined ? {} : { memoryBytes: a.memoryBytes }),
    encoders: checks.filter((c) => c.usable).map((c) => c.name),
    candidates: checks,
  };
}

/** Builds the profiler and starts its background pipeline; snapshot() answers at once. */
export function createHardwareProfiler(deps: HardwareProfilerDeps): HardwareProfiler {
  const roots = deps.roots ?? DEFAULT_ROOTS;
  // Every concurrent test encode listens for the abort: more than EventTarget's default of 10 on a big machine.
  const signal = AbortSignal.any([deps.signal]);
  setMaxListeners(64, signal);
  const osFacts = deps.os ?? nodeOs;
  // Test encodes and speed runs at nice 19: below every job, so they never hold one back. (The listings and device
  // scans before them stay as they are: a missing tool must read as missing, not as `nice` exiting 127.)
  const measureRun = nicedRunner(deps.runCommand, deps.platform);
  let ffmpeg: FfmpegProfile = { version: 'unknown', path: deps.ffmpegPath, encoders: [], hwaccels: [] };
  let accelerators: readonly AcceleratorCandidate[] = [];
  // macOS/Windows CPU facts node:os lacks, asked once (null on Linux, which reads /proc on every snapshot).
  let platformCpu: PlatformCpu | null = null;
  let order: readonly string[] = [];
  const checks = new Map<string, EncoderCheck>();
  // Encoder name → reason, from failed jobs (and from the cache, unless refreshing).
  const unusable = new Map<string, string>();
  let probing = true;
  let markTested: () => void = () => undefined;
  const tested = new Promise<void>((resolve) => {
    markTested = resolve;
  });
  // Set once there is a verified result to keep: the key it is valid for and whether speeds are in it.
  let saved: { key: CacheKey; speedMeasured: boolean } | null = null;

  const currentChecks = (): EncoderCheck[] =>
    order.flatMap((k) => {
      const c = checks.get(k);
      if (c === undefined) return [];
      const reason = unusable.get(c.name);
      return reason === undefined ? [c] : [{ ...c, usable: false, reason: `failed in a job: ${reason}` }];
    });

  const record = (key: CacheKey, speedMeasured: boolean): CachedProfile => ({
    format: 1,
    key,
    accelerators,
    encoders: order.flatMap((k) => checks.get(k) ?? []),
    speedMeasured,
    unusable: Object.fromEntries(unusable),
    savedAt: new Date().toISOString(),
  });

  const save = async (key: CacheKey, speedMeasured: boolean): Promise<void> => {
    saved = { key, speedMeasured };
    try {
      await mkdir(deps.workDir, { recursive: true });
      await writeProfileCache(deps.workDir, record(key, speedMeasured));
    } catch (err) {
      deps.log.warn(
        { err, file: path.join(deps.workDir, CACHE_FILE) },
        'could not write the hardware profile cache',
      );
    }
  };

  const testAll = async (candidates: readonly EncoderCandidate[]): Promise<void> => {
    deps.log.info({ candidates: candidates.map(keyOf) }, 'test-encoding candidate encoders');
    // Each test encode waits while a job starts (for TEST_YIELD_MS at most: jobs choose among tested encoders).
    const runner = deps.quiet === undefined ? measureRun : yieldingRunner(measureRun, deps.quiet, yieldUntil);
    await testEncoders(candidates, { ffmpegPath: ffmpeg.path, runCommand: runner, signal }, (check) => {
      checks.set(keyOf(check), check);
      if (check.usable) deps.log.info({ encoder: check.name, device: check.device }, 'encoder usable');
      else
        deps.log.info(
          { encoder: check.name, device: check.device, reason: check.reason },
          'encoder not usable',
        );
    });
  };

  /** Resolves true when every usable encoder has both figures. */
  const measureAll = async (): Promise<boolean> => {
    const usable = currentChecks().filter((c) => c.usable);
    deps.log.info({ encoders: usable.map((c) => c.name) }, 'measuring encoder speed at 720p and 1080p');
    return measureSpeeds(
      usable,
      {
        ffmpegPath: ffmpeg.path,
        runCommand: measureRun,
        signal,
        log: deps.log,
        readCpu: () => procCpu(roots.procRoot),
        ...(deps.speedSeconds === undefined ? {} : { seconds: deps.speedSeconds }),
        ...(deps.now === undefined ? {} : { now: deps.now }),
        ...(deps.quiet === undefined ? {} : { quiet: deps.quiet }),
        ...(deps.busyRetryDelaysMs === undefined ? {} : { busyRetryDelaysMs: deps.busyRetryDelaysMs }),
      },
      (check, height, speed) => {
        const k = keyOf(check);
        const current = checks.get(k);
        const at = deps.date?.() ?? new Date();
        if (current !== undefined) checks.set(k, withSpeed(current, height, speed, at));
        deps.log.info({ encoder: check.name, height, speed }, 'encoder speed measured');
      },
    );
  };

  // Until then the pipeline yields to jobs: its listings and test encodes wait while one starts and runs.
  let yieldUntil = 0;
  const pipeline = async (): Promise<void> => {
    await deps.begin;
    yieldUntil = (deps.now ?? (() => performance.now()))() + TEST_YIELD_MS;
    // A job posted right after start has its probe and FFmpeg started before FFmpeg is asked for its listings.
    if (deps.quiet !== undefined) await waitQuiet(deps.quiet, yieldUntil, signal);
    // The combined signal: checking deps.signal here would narrow its type for the checks further down.
    if (signal.aborted) return;
    let info = deps.ffmpeg;
    if (info === undefined) {
      const result = await ffmpegInfo(deps.ffmpegPath, deps.runCommand, signal);
      if (!result.ok) {
        deps.log.warn(
          { code: result.code, reason: result.message },
          'no encoders profiled: ffmpeg does not run',
        );
        return;
      }
      info = result.info;
    }
    ffmpeg = info.ffmpeg;
    [accelerators, platformCpu] = await Promise.all([
      scanAccelerators({
        roots,
        platform: deps.platform,
        listed: info.listed,
        hwaccels: info.ffmpeg.hwaccels,
        runCommand: deps.runCommand,
        signal,
        ...(deps.nvidiaSmiPath === undefined ? {} : { nvidiaSmiPath: deps.nvidiaSmiPath }),
      }),
      probePlatformCpu(deps.platform, deps.runCommand, signal),
    ]);
    const scanned = accelerators.flatMap((a) => a.encoders);
    const covered = new Set(scanned.map((c) => c.name));
    const candidates = [
      ...scanned,
      ...unscannedCandidates(deps.platform, info.listed, covered, roots.devRoot),
      ...softwareCandidates(info.listed),
    ];
    order = candidates.map(keyOf);
    const key = cacheKey(ffmpeg.path, ffmpeg.version, accelerators, candidates);
    const cached = deps.refresh === true ? null : await readProfileCache(deps.workDir, key);
    if (cached !== null) {
      for (const c of cached.encoders) checks.set(keyOf(c), c);
      for (const [name, reason] of Object.entries(cached.unusable)) unusable.set(name, reason);
      saved = { key, speedMeasured: cached.speedMeasured };
      markTested();
      deps.log.info(
        { savedAt: cached.savedAt, speedMeasured: cached.speedMeasured },
        'hardware profile from cache',
      );
      if (cached.speedMeasured || !deps.measureSpeed) return;
    } else {
      await testAll(candidates);
      markTested();
      if (deps.signal.aborted) return;
      await save(key, false);
    }
    if (!deps.measureSpeed) return;
    const complete = await measureAll();
    if (deps.signal.aborted) return;
    // A figure left out (other programs kept the CPU busy, or its run failed) is measured at the next start.
    await save(key, complete);
  };

  const settled = pipeline()
    .catch((err: unknown) => {
      deps.log.warn({ err }, 'hardware profiling failed');
    })
    .finally(() => {
      probing = false;
      markTested();
    });

  return {
    snapshot(): HardwareProfile {
      const encoders = currentChecks();
      return {
        probing,
        cpu: readCpu(deps.platform, roots, osFacts, platformCpu),
        memory: readMemory(deps.platform, roots, osFacts),
        accelerators: accelerators.map((a) => {
          const own = new Set(a.encoders.map(keyOf));
          return describe(
            a,
            encoders.filter((c) => own.has(keyOf(c))),
          );
        }),
        encoders,
        ffmpeg,
        os: { platform: deps.platform, release: osFacts.release() },
      };
    },
    memory: () => readMemory(deps.platform, roots, osFacts),
    settled,
    tested,
    markUnusable(encoder: string, reason: string): void {
      unusable.set(encoder, withoutStreamFolders(reason, deps.workDir));
      deps.log.warn({ encoder, reason }, 'encoder marked unusable until the next hardware refresh');
      if (saved === null) return;
      try {
        writeProfileCacheSync(deps.workDir, record(saved.key, saved.speedMeasured));
      } catch (err) {
        deps.log.warn({ err }, 'could not write the hardware profile cache');
      }
    },
    encoders: currentChecks,
    usableEncoders: (codec) => fastestFirst(currentChecks().filter((c) => c.usable && c.codec === codec)),
  };
}
