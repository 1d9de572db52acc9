// Records of running FFmpeg processes in work_dir/pids, so a worker that was SIGKILLed can reap them on its next start.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readCmdline, readProcStat } from '../process/proc-stat.js';

export interface PidRecord {
  readonly jobId: string;
  readonly pid: number;
  /** /proc start time in clock ticks: a reused pid has another. */
  readonly startTime: number;
  /** The stream folder FFmpeg writes to: it appears in FFmpeg's command line. */
  readonly outputDir: string;
}

export interface ReapedOrphan extends PidRecord {
  readonly killed: boolean;
}

/** Pure: is the live process described by (stat, cmdline) the one the record names? */
export function recordMatches(
  record: PidRecord,
  live: { startTime: number } | null,
  cmdline: readonly string[],
): boolean {
  if (live === null || live.startTime !== record.startTime) return false;
  return cmdline.some((arg) => arg.startsWith(record.outputDir));
}

export class PidRecords {
  readonly #dir: string;
  readonly #procRoot: string;

  constructor(workDir: string, procRoot = '/proc') {
    this.#dir = path.join(workDir, 'pids');
    this.#procRoot = procRoot;
    mkdirSync(this.#dir, { recursive: true });
  }

  #file(jobId: string, pid: number): string {
    return path.join(this.#dir, `${jobId}.${pid}.json`);
  }

  /** Writes a record for a just-started FFmpeg (sync: it must exist before anything can kill the worker). */
  add(jobId: string, pid: number, outputDir: string): void {
    const stat = readProcStat(pid, this.#procRoot);
    if (stat === null) return;
    const record: PidRecord = { jobId, pid, startTime: stat.startTime, outputDir };
    writeFileSync(this.#file(jobId, pid), JSON.stringify(record));
  }

  remove(jobId: string, pid: number): void {
    rmSync(this.#file(jobId, pid), { force: true });
  }

  /** Kills every recorded FFmpeg that is still the same process (pid + start time + its output folder), and clears the records. */
  reapOrphans(): ReapedOrphan[] {
    const reaped: ReapedOrphan[] = [];
    let names: string[];
    try {
      names = readdirSync(this.#dir);
    } catch {
      return reaped;
    }
    for (const name of names) {
      const file = path.join(this.#dir, name);
      let record: PidRecord | null = null;
      try {
        record = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
      } catch {
        // A record cut short by a crash: nothing to verify against, so nothing is killed.
      }
      if (record !== null && Number.isInteger(record.pid) && record.pid > 1) {
        const live = readProcStat(record.pid, this.#procRoot);
        const matches = recordMatches(record, live, readCmdline(record.pid, this.#procRoot));
        if (matches) {
          for (const sig of ['SIGCONT', 'SIGKILL'] as const) {
            try {
              process.kill(-record.pid, sig);
            } catch {
              try {
                process.kill(record.pid, sig);
              } catch {
                // Gone already.
              }
            }
          }
        }
        reaped.push({ ...record, killed: matches });
      }
      rmSync(file, { force: true });
    }
    return reaped;
  }
}
