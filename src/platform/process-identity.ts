// Who a pid is now, per platform, so a pid record is acted on only if the process is still the one it names (pids are
// reused). Pure: the commands as argument arrays and the parsers of their output.
// Linux reads /proc/PID/stat (start time in clock ticks) and /proc/PID/cmdline (src/process/proc-stat.ts).
// macOS has no /proc: `ps -ww -o etime=,args= -p PID` (POSIX fields, also in Linux procps, so tested for real here).
// Windows: PowerShell's Get-CimInstance Win32_Process (CreationDate, CommandLine) as JSON.
import type { CommandLine } from './process-control.js';
import { cimQuery } from './powershell.js';

/** What identifies a live process: its start (ticks or wall clock) and its command line. */
export interface LiveProcess {
  /** Linux: /proc start time in clock ticks after boot. */
  readonly startTicks?: number;
  /** macOS and Windows: when it started, wall clock in ms. */
  readonly startedAtMs?: number;
  /** Its command line as one string (arguments joined by spaces where they come as a list). */
  readonly commandLine: string;
}

function checkPid(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`not a pid: ${pid}`);
}

/** macOS: elapsed time and full argument list of one process; no header (the `=`), no truncation (-ww). */
export function psQuery(pid: number): CommandLine {
  checkPid(pid);
  return { file: 'ps', args: ['-ww', '-o', 'etime=,args=', '-p', String(pid)] };
}

/** ps etime, `[[dd-]hh:]mm:ss`, in seconds; null when it is not one. */
export function parseEtime(text: string): number | null {
  const m = /^(?:(?:(\d+)-)?(\d+):)?(\d+):(\d{2})$/.exec(text.trim());
  if (m === null) return null;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = m;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds);
}

/** Parses psQuery's output (one line: etime, then the arguments); null for no process or anything else. */
export function parsePsLine(stdout: string, nowMs: number): LiveProcess | null {
  const line = stdout.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) return null;
  const m = /^\s*(\S+)\s+(.*)$/.exec(line);
  if (m === null) return null;
  const elapsed = parseEtime(m[1] ?? '');
  if (elapsed === null) return null;
  return { startedAtMs: nowMs - elapsed * 1000, commandLine: (m[2] ?? '').trimEnd() };
}

/** Windows: one process's creation time and command line as JSON. The pid is an integer checked here. */
export function win32ProcessQuery(pid: number): CommandLine {
  checkPid(pid);
  return cimQuery('Win32_Process', ['ProcessId', 'CreationDate', 'CommandLine'], `ProcessId=${pid}`);
}

/**
 * A DateTime as ConvertTo-Json writes it: Windows PowerShell 5.1 gives "/Date(ms)/" (ms since the epoch, UTC; an
 * optional +hhmm offset is informational), PowerShell 7 an ISO 8601 string, and a bare DateTime value (not a
 * property) comes wrapped as {value, DisplayHint, DateTime}. ms since the epoch, or null.
 */
export function parseCimDate(value: unknown): number | null {
  if (typeof value === 'object' && value !== null && 'value' in value) return parseCimDate(value.value);
  if (typeof value !== 'string') return null;
  const legacy = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value);
  if (legacy !== null) return Number(legacy[1]);
  // ISO 8601 with a date and a time; Date.parse alone would also take "2024" or "March 1".
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Parses win32ProcessQuery's output for `pid`: empty (no such process), one object, or an array of them (the form
 * ConvertTo-Json takes for several); null unless an entry with that ProcessId has a creation time.
 */
export function parseWin32Process(stdout: string, pid: number): LiveProcess | null {
  if (stdout.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return null;
  }
  const entries: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    if (e.ProcessId !== pid) continue;
    const startedAtMs = parseCimDate(e.CreationDate);
    if (startedAtMs === null) return null;
    // CommandLine is null for processes of other users when not elevated: nothing to match against.
    return { startedAtMs, commandLine: typeof e.CommandLine === 'string' ? e.CommandLine : '' };
  }
  return null;
}
