// Looks up and kills a process by pid on each platform (the I/O behind pid records' orphan reaping).
import { readCmdline, readProcStat } from '../process/proc-stat.js';
import type { RunCommand } from '../process/run-command.js';
import { POWERSHELL_TIMEOUT_MS } from './powershell.js';
import { forceKillCommand } from './process-control.js';
import {
  parsePsLine,
  parseWin32Process,
  psQuery,
  win32ProcessQuery,
  type LiveProcess,
} from './process-identity.js';

export interface ProcessInspector {
  /** Who the pid is now; null when there is no such process or it cannot be told (a timeout, no permission). */
  describe(pid: number): Promise<LiveProcess | null>;
  /** Kills the process and what it started (its group on POSIX, its tree on Windows). Never throws. */
  kill(pid: number): Promise<void>;
}

export interface InspectorDeps {
  readonly platform: NodeJS.Platform;
  readonly runCommand: RunCommand;
  readonly procRoot?: string;
  /** Wall clock in ms (ps gives elapsed time only). */
  readonly now?: () => number;
}

/** Past PowerShell's timeout the orphan is left alone (its identity is unknown). */
const WIN32_QUERY_TIMEOUT_MS = POWERSHELL_TIMEOUT_MS;
const PS_TIMEOUT_MS = 3000;

/** Signals the group (FFmpeg started with detached: true leads one), else the process itself. */
function killPosix(pid: number): void {
  // SIGCONT first: a throttled (stopped) FFmpeg would otherwise sit stopped until SIGKILL lands anyway.
  for (const sig of ['SIGCONT', 'SIGKILL'] as const) {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // Gone already.
      }
    }
  }
}

/** The inspector for a platform: /proc on Linux, ps on macOS (and the BSDs), PowerShell and taskkill on Windows. */
export function processInspector(deps: InspectorDeps): ProcessInspector {
  const now = deps.now ?? Date.now;
  if (deps.platform === 'linux')
    return {
      describe: (pid) => {
        const stat = readProcStat(pid, deps.procRoot);
        if (stat === null) return Promise.resolve(null);
        const commandLine = readCmdline(pid, deps.procRoot).join(' ');
        return Promise.resolve({ startTicks: stat.startTime, commandLine });
      },
      kill: (pid) => {
        killPosix(pid);
        return Promise.resolve();
      },
    };
  if (deps.platform === 'win32')
    return {
      describe: async (pid) => {
        const q = win32ProcessQuery(pid);
        const r = await deps.runCommand(q.file, q.args, { timeoutMs: WIN32_QUERY_TIMEOUT_MS });
        return r.exitCode === 0 ? parseWin32Process(r.stdout, pid) : null;
      },
      kill: async (pid) => {
        const k = forceKillCommand('win32', pid);
        if (k !== null) await deps.runCommand(k.file, k.args, { timeoutMs: WIN32_QUERY_TIMEOUT_MS });
      },
    };
  // macOS and the other POSIX systems: ps for the identity, signals to the group.
  return {
    describe: async (pid) => {
      const q = psQuery(pid);
      const r = await deps.runCommand(q.file, q.args, { timeoutMs: PS_TIMEOUT_MS });
      return r.exitCode === 0 ? parsePsLine(r.stdout, now()) : null;
    },
    kill: (pid) => {
      killPosix(pid);
      return Promise.resolve();
    },
  };
}
