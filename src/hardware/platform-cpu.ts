// CPU facts node:os does not have on macOS and Windows (physical cores, the model's real name, Apple silicon under
// Rosetta, the rated clock), asked once per start from the platform's own tools. Never throws; null when unknown.
import { cimQuery, POWERSHELL_TIMEOUT_MS } from '../platform/powershell.js';
import type { RunCommand } from '../process/run-command.js';
import { parseCimProcessors } from './parse-cim.js';
import { isAppleSilicon, parseSysctlCpu, SYSCTL_CPU_NAMES } from './parse-sysctl.js';

export interface PlatformCpu {
  readonly model: string;
  readonly cores: number;
  readonly threads: number;
  readonly maxFrequencyMhz: number | null;
  /** The machine's architecture where it differs from the process's (x64 Node on Apple silicon reports x64). */
  readonly arch?: string;
}

const SYSCTL_TIMEOUT_MS = 3000;

/** macOS: sysctl; Windows: Win32_Processor; elsewhere (Linux reads /proc) null. */
export async function probePlatformCpu(
  platform: NodeJS.Platform,
  runCommand: RunCommand,
  signal?: AbortSignal,
): Promise<PlatformCpu | null> {
  const options = (timeoutMs: number): { timeoutMs: number; signal?: AbortSignal } => ({
    timeoutMs,
    ...(signal === undefined ? {} : { signal }),
  });
  if (platform === 'darwin') {
    const r = await runCommand('sysctl', ['-n', ...SYSCTL_CPU_NAMES], options(SYSCTL_TIMEOUT_MS));
    const cpu = r.exitCode === 0 ? parseSysctlCpu(r.stdout) : null;
    if (cpu === null) return null;
    // A separate call: on Intel Macs this name may be unknown, and sysctl then fails as a whole.
    const arm = await runCommand('sysctl', ['-n', 'hw.optional.arm64'], options(SYSCTL_TIMEOUT_MS));
    const apple = isAppleSilicon(arm.exitCode === 0 ? arm.stdout : null, cpu.model);
    return {
      model: cpu.model,
      cores: cpu.cores,
      threads: cpu.threads,
      maxFrequencyMhz: null,
      arch: apple ? 'arm64' : 'x64',
    };
  }
  if (platform === 'win32') {
    const q = cimQuery('Win32_Processor', [
      'Name',
      'NumberOfCores',
      'NumberOfLogicalProcessors',
      'MaxClockSpeed',
      'CurrentClockSpeed',
    ]);
    const r = await runCommand(q.file, q.args, options(POWERSHELL_TIMEOUT_MS));
    const cpu = r.exitCode === 0 ? parseCimProcessors(r.stdout) : null;
    return cpu === null
      ? null
      : { model: cpu.model, cores: cpu.cores, threads: cpu.threads, maxFrequencyMhz: cpu.maxMhz };
  }
  return null;
}
