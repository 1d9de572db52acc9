// The periodic sweep that keeps a worker healthy for months: parks jobs nobody watches (their FFmpeg stops, their
// stream stays), stops the newest job when memory runs out, and deletes stopped and parked streams by age and by
// disk budget (a parked job ends then). Rules in sweep-rules.ts.
import { readdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { JobManager } from './job-manager.js';
import {
  diskFullReason,
  freeDiskFloor,
  idleJobs,
  jobToStopForMemory,
  MAX_FINISHED_RECORDS,
  recordsToForget,
  streamsToEvict,
  type DiskState,
  type JobFacts,
} from './sweep-rules.js';

export interface HousekeeperDeps {
  readonly jobs: JobManager;
  readonly config: Config;
  readonly availableMemoryBytes: () => number;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** Between sweeps; 2 s by default (idle and memory checks should be prompt, a sweep is cheap). */
  readonly intervalMs?: number;
  /** Records of stopped jobs with nothing to serve to keep; MAX_FINISHED_RECORDS by default (tests keep fewer). */
  readonly maxRecords?: number;
}

/** Free space on work_dir's filesystem and the floor to keep there. */
export async function readDisk(workDir: string, configuredFloor: number | null): Promise<DiskState> {
  const fs = await statfs(workDir);
  return {
    freeBytes: fs.bavail * fs.bsize,
    floorBytes: freeDiskFloor(configuredFloor, fs.blocks * fs.bsize),
  };
}

/** Bytes under a stream folder (flat: playlists and segments); 0 when it is gone. */
async function folderBytes(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  const sizes = await Promise.all(
    names.map((n) =>
      stat(path.join(dir, n)).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

/** Forgets the oldest stopped jobs with nothing to serve beyond the record cap; `evicted`: streams just deleted. */
async function forgetSpentRecords(
  deps: HousekeeperDeps,
  facts: readonly JobFacts[],
  evicted: readonly string[],
) {
  const gone = new Set(evicted);
  const now = facts.map((f) => (gone.has(f.id) ? { ...f, bytes: 0, streamRemoved: true } : f));
  const forget = recordsToForget(now, deps.maxRecords ?? MAX_FINISHED_RECORDS);
  for (const id of forget) await deps.jobs.forget(id);
}

/** One sweep: idle jobs are parked, memory, then disk. Never rejects. */
export async function sweep(deps: HousekeeperDeps): Promise<void> {
  const { jobs, config, log } = deps;
  try {
    const now = Date.now();
    const entries = jobs.sweepEntries();
    const facts: JobFacts[] = await Promise.all(
      entries.map(async (e) => ({ ...e, bytes: e.streamRemoved ? 0 : await folderBytes(e.dir) })),
    );
    // Parked, not cancelled: a viewer who paused comes back to the same stream (HeadStream.park logs it).
    for (const id of idleJobs(facts, now, config.jobs.idleCancelMs)) await jobs.park(id);
    const available = deps.availableMemoryBytes();
    const floor = config.limits.minFreeMemoryBytes;
    // Read again: the idle cancels above may have stopped some.
    const live = new Set(jobs.liveIds());
    const victim = jobToStopForMemory(
      facts.filter((f) => live.has(f.id)),
      available,
      floor,
    );
    if (victim !== null) {
      const reason = `low memory: ${Math.round(available / 1048576)} MB available, under half of min_free_memory_mb (${Math.round(floor / 1048576)} MB); the newest job was stopped`;
      log.warn({ jobId: victim, availableBytes: available }, reason);
      await jobs.cancel(victim, reason);
    }
    const disk = await readDisk(config.workDir, config.streams.minFreeDiskBytes);
    const evict = streamsToEvict(facts, now, {
      keepMs: config.streams.keepMs,
      maxBytes: config.streams.maxDiskBytes,
      freeBytes: disk.freeBytes,
      floorBytes: disk.floorBytes,
    });
    for (const id of evict) {
      // A parked job past keep_minutes (or the budget's oldest) ends now: nobody came back.
      if (live.has(id)) {
        log.info({ jobId: id }, 'ending a parked job nobody came back to');
        await jobs.cancel(id, 'idle');
      }
      await jobs.removeStream(id);
    }
    await forgetSpentRecords(deps, facts, evict);
    const left = evict.length > 0 ? await readDisk(config.workDir, config.streams.minFreeDiskBytes) : disk;
    jobs.noteDisk(left);
    // Still full after deleting what may go: no running FFmpeg can write, and FFmpeg would not stop by itself.
    const full = diskFullReason(left.freeBytes);
    // A parked job without an FFmpeg writes nothing: it is not failed for the disk.
    const writing = jobs.sweepEntries().filter((e) => e.live && (e.parkedAt === null || e.processes > 0));
    if (full !== null) for (const { id } of writing) await jobs.fail(id, full);
  } catch (err) {
    log.warn({ err }, 'housekeeping sweep failed');
  }
}

/** Sweeps until the signal aborts; resolves then. */
export async function runHousekeeper(deps: HousekeeperDeps): Promise<void> {
  const interval = deps.intervalMs ?? 2000;
  while (!deps.signal.aborted) {
    await sweep(deps);
    await delay(interval, undefined, { signal: deps.signal }).catch(() => undefined);
  }
}
