// Windows PowerShell as a query tool: the built-in powershell.exe (5.1, present on every Windows 10/11), run with an
// argument array. Callers build the command text from constants and checked integers only, never from input.
import type { CommandLine } from './process-control.js';

/** PowerShell's first start on a busy machine takes seconds; past this the answer is "unknown". */
export const POWERSHELL_TIMEOUT_MS = 15_000;

/** -NoProfile: no user profile script runs; -NonInteractive: it never waits for a prompt. */
export function powershell(command: string): CommandLine {
  return { file: 'powershell.exe', args: ['-NoProfile', '-NonInteractive', '-Command', command] };
}

/** A CIM class's chosen properties as compressed JSON (one object, or an array for several instances). */
export function cimQuery(className: string, properties: readonly string[], filter?: string): CommandLine {
  const where = filter === undefined ? '' : ` -Filter '${filter}'`;
  return powershell(
    `Get-CimInstance ${className}${where} | Select-Object ${properties.join(',')} | ConvertTo-Json -Compress`,
  );
}
