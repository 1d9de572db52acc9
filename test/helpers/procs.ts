// What /proc says about processes: FFmpeg left running, and this process's children (zombies among them).
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  /** R, S, D, Z, ... */
  readonly state: string;
  readonly cmdline: readonly string[];
}

function read(pid: string): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may itself hold spaces or parentheses: split at the last ')'.
    const close = stat.lastIndexOf(')');
    const [state = '', ppid = '0'] = stat.slice(close + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
    return {
      pid: Number(pid),
      ppid: Number(ppid),
      comm: stat.slice(stat.indexOf('(') + 1, close),
      state,
      cmdline,
    };
  } catch {
    return null; // gone meanwhile
  }
}

/** Every process visible in /proc. */
export function processes(): ProcInfo[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .flatMap((n) => read(n) ?? []);
}

/** Live FFmpeg processes whose command line mentions `marker` (a work_dir or a stream folder). */
export function ffmpegMentioning(marker: string): ProcInfo[] {
  return processes().filter((p) => p.comm === 'ffmpeg' && p.cmdline.some((a) => a.includes(marker)));
}

/** Children of a process (FFmpeg started through `nice` is a direct child: nice execs it). */
export function childrenOf(pid: number): ProcInfo[] {
  return processes().filter((p) => p.ppid === pid);
}
