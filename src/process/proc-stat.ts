// Pure parser of Linux /proc/PID/stat, plus a reader. Used to verify a pid before killing it and to read niceness and CPU time.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** R, S, D, T (stopped), Z (zombie), ... */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  readonly utimeTicks: number;
  readonly stimeTicks: number;
  readonly nice: number;
  /** Clock ticks after boot: together with the pid, identifies one process across pid reuse. */
  readonly startTime: number;
}

/** Parses one /proc/PID/stat line; null when it is not one. The comm field may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (n: number): number => Number(rest[n - 3]);
  const stat: ProcStat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    pgrp: field(5),
    utimeTicks: field(14),
    stimeTicks: field(15),
    nice: field(19),
    startTime: field(22),
  };
  return Number.isFinite(stat.pid) && Number.isFinite(stat.startTime) ? stat : null;
}

/** Reads /proc/PID/stat; null when the process is gone (or this is not Linux). */
export function readProcStat(pid: number, procRoot = '/proc'): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`${procRoot}/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Reads /proc/PID/cmdline as its argument list; [] when unreadable. */
export function readCmdline(pid: number, procRoot = '/proc'): string[] {
  try {
    return readFileSync(`${procRoot}/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
  } catch {
    return [];
  }
}
