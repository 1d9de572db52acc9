// Records of running FFmpeg processes in work_dir/pids, so a worker that was SIGKILLed can reap them on its next
// start and report their jobs as lost. A record names a process by pid + start + output folder: on Linux the /proc
// start time in ticks (exact), on macOS and Windows the wall-clock time of the spawn, matched within a tolerance
// against ps's elapsed time or Win32_Process.CreationDate.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Value } from 'typebox/value';
import { JOB_ID_RE, JobRequestSchema, type JobRequest } from '../contract/job-request.js';
import type { LiveProcess } from '../platform/process-identity.js';
import { processInspector, type ProcessInspector } from '../platform/process-inspector.js';
import { readProcStat } from '../process/proc-stat.js';
import { runCommand as realRunCommand, type RunCommand } from '../process/run-command.js';

/** The job an FFmpeg worked for: enough to answer GET /jobs/{id} after a crash. Absent in records of older versions. */
export interface RecordedJob {
  readonly request: JobRequest;
  /** ISO times. */
  readonly createdAt: string;
  readonly startedAt: string;
  /** Encoder of the run (libx264, h264_vaapi, ...). */
  readonly encoder: string;
}

export interface PidRecord {
  readonly jobId: string;
  readonly pid: number;
  /** Linux: /proc start time in clock ticks (a reused pid has another); null elsewhere. */
  readonly startTime: number | null;
  /** macOS and Windows: wall-clock ms when the worker spawned it. */
  readonly startedAtMs?: number;
  /**
   * A path in the process's command line: the stream folder FFmpeg writes to, or the input a job's ffprobe reads
   * (its keyframe index). The name stays for records written by older versions.
   */
  readonly outputDir: string;
  readonly job?: RecordedJob;
}

export interface ReapedOrphan extends PidRecord {
  readonly killed: boolean;
}

/** ps's elapsed time has 1 s steps, and spawn → record takes a moment: starts this close are the same process. */
export const START_TOLERANCE_MS = 3000;

/** Pure: is the live process the one the record names (same start, and its command line writes to the folder)? */
export function recordMatches(record: PidRecord, live: LiveProcess | null): boolean {
  if (live === null || !live.commandLine.includes(record.outputDir)) return false;
  if (record.startTime !== null && live.startTicks !== undefined) return live.startTicks === record.startTime;
  if (record.startedAtMs !== undefined && live.startedAtMs !== undefined)
    return Math.abs(live.startedAtMs - record.startedAtMs) <= START_TOLERANCE_MS;
  return false;
}

const isIsoTime = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** Pure: the recorded job of a parsed record, or undefined when it is missing (older versions) or malformed. */
export function recordedJob(raw: unknown): RecordedJob | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const j = raw as Record<string, unknown>;
  if (!Value.Check(JobRequestSchema, j.request)) return undefined;
  if (!isIsoTime(j.createdAt) || !isIsoTime(j.startedAt) || typeof j.encoder !== 'string') return undefined;
  return { request: j.request, createdAt: j.createdAt, startedAt: j.startedAt, encoder: j.encoder };
}

/** A job a killed worker left running, as its pid record tells it. */
export interface LostJob extends RecordedJob {
  readonly id: string;
}

/** Pure: one lost job per job id among the reaped records (a job with a fallback run may have left two). */
export function lostJobs(reaped: readonly ReapedOrphan[]): LostJob[] {
  const byId = new Map<string, RecordedJob>();
  for (const r of reaped) {
    if (r.job === undefined || !JOB_ID_RE.test(r.jobId)) continue;
    const seen = byId.get(r.jobId);
    if (seen === undefined || seen.startedAt < r.job.startedAt) byId.set(r.jobId, r.job);
  }
  return [...byId].map(([id, job]) => ({ id, ...job }));
}

export interface PidRecordsOptions {
  /** Decides how a process is identified and killed; this process's platform by default. */
  readonly platform?: NodeJS.Platform;
  readonly procRoot?: string;
  /** Runs ps (macOS), PowerShell and taskkill (Windows). */
  readonly runCommand?: RunCommand;
  /** Wall clock in ms. */
  readonly now?: () => number;
}

export class PidRecords {
  readonly #dir: string;
  readonly #procRoot: string;
  readonly #platform: NodeJS.Platform;
  readonly #now: () => number;
  readonly #inspector: ProcessInspector;

  constructor(workDir: string, options: PidRecordsOptions = {}) {
    this.#dir = path.join(workDir, 'pids');
    this.#procRoot = options.procRoot ?? '/proc';
    this.#platform = options.platform ?? process.platform;
    this.#now = options.now ?? Date.now;
    this.#inspector = processInspector({
      platform: this.#platform,
      runCommand: options.runCommand ?? realRunCommand,
      procRoot: this.#procRoot,
      now: this.#now,
    });
    mkdirSync(this.#dir, { recursive: true });
  }

  /** How the record names the process: Linux reads /proc now (null: already gone); elsewhere the spawn time. */
  #identity(pid: number): Pick<PidRecord, 'startTime' | 'startedAtMs'> | null {
    if (this.#platform !== 'linux') return { startTime: null, startedAtMs: this.#now() };
    const stat = readProcStat(pid, this.#procRoot);
    return stat === null ? null : { startTime: stat.startTime };
  }

  #file(jobId: string, pid: number): string {
    return path.join(this.#dir, `${jobId}.${pid}.json`);
  }

  /**
   * Writes a record for a just-started FFmpeg (sync: it must exist before anything can kill the worker). Returns the
   * error instead of throwing (a full work_dir): the job runs on, only a crash would then leave its FFmpeg behind.
   */
  add(jobId: string, pid: number, outputDir: string, job?: RecordedJob): Error | null {
    const identity = this.#identity(pid);
    if (identity === null) return null;
    const record: PidRecord = { jobId, pid, ...identity, outputDir, ...(job ? { job } : {}) };
    try {
      writeFileSync(this.#file(jobId, pid), JSON.stringify(record));
      return null;
    } catch (err) {
      try {
        rmSync(this.#file(jobId, pid), { force: true });
      } catch {
        // Nothing more to clean.
      }
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  remove(jobId: string, pid: number): void {
    rmSync(this.#file(jobId, pid), { force: true });
  }

  /**
   * Kills every recorded FFmpeg that is still the same process (pid + start time + its output folder), and clears
   * the records. Every record is returned: its job was live when the worker died, whether FFmpeg still ran or not.
   */
  async reapOrphans(): Promise<ReapedOrphan[]> {
    const reaped: ReapedOrphan[] = [];
    let names: string[];
    try {
      names = readdirSync(this.#dir);
    } catch {
      return reaped;
    }
    for (const name of names) {
      const file = path.join(this.#dir, name);
      let raw: Partial<Record<keyof PidRecord, unknown>> | null = null;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<keyof PidRecord, unknown>>;
      } catch {
        // A record cut short by a crash: nothing to verify against, so nothing is killed.
      }
      const record = raw === null ? null : pidRecord(raw);
      if (record !== null) {
        const matches = recordMatches(record, await this.#inspector.describe(record.pid));
        if (matches) await this.#inspector.kill(record.pid);
        reaped.push({ ...record, killed: matches });
      }
      rmSync(file, { force: true });
    }
    return reaped;
  }
}

/** A parsed record's fields checked; null when it cannot name a process safely. */
function pidRecord(raw: Partial<Record<keyof PidRecord, unknown>>): PidRecord | null {
  const { jobId, pid, startTime, startedAtMs, outputDir } = raw;
  if (typeof jobId !== 'string' || typeof outputDir !== 'string' || outputDir === '') return null;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 1) return null;
  const ticks = typeof startTime === 'number' ? startTime : null;
  const wall = typeof startedAtMs === 'number' ? startedAtMs : undefined;
  if (ticks === null && wall === undefined) return null;
  const job = recordedJob(raw.job);
  return {
    jobId,
    pid,
    startTime: ticks,
    ...(wall === undefined ? {} : { startedAtMs: wall }),
    outputDir,
    ...(job ? { job } : {}),
  };
}
