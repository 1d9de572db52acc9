// Pure parsers of macOS sysctl output: `sysctl -n machdep.cpu.brand_string hw.physicalcpu hw.logicalcpu hw.memsize`
// prints the four values one per line, in the order asked (sysctl(8)); `sysctl -n hw.optional.arm64` prints 1 on
// Apple silicon (also for an x86-64 process under Rosetta) and 0 or an unknown-oid error on Intel Macs.

/** The names asked for, in the order parseSysctlCpu reads them. */
export const SYSCTL_CPU_NAMES = [
  'machdep.cpu.brand_string',
  'hw.physicalcpu',
  'hw.logicalcpu',
  'hw.memsize',
] as const;

export interface SysctlCpu {
  readonly model: string;
  readonly cores: number;
  readonly threads: number;
  readonly memoryBytes: number;
}

const positive = (text: string | undefined): number | null =>
  text !== undefined && /^\d+$/.test(text.trim()) && Number(text) > 0 ? Number(text) : null;

/** Parses the four lines; null unless every value is there and sane. */
export function parseSysctlCpu(stdout: string): SysctlCpu | null {
  const [model, cores, threads, memory] = stdout.replace(/\r/g, '').split('\n');
  const c = positive(cores);
  const t = positive(threads);
  const m = positive(memory);
  const name = model?.trim() ?? '';
  if (name === '' || c === null || t === null || m === null || t < c) return null;
  return { model: name, cores: c, threads: t, memoryBytes: m };
}

/** Apple silicon: hw.optional.arm64 is 1, or (where that sysctl is missing) the brand string is Apple's ("Apple M2"). */
export function isAppleSilicon(arm64Sysctl: string | null, model: string): boolean {
  if (arm64Sysctl !== null && /^\s*[01]\s*$/.test(arm64Sysctl)) return arm64Sysctl.trim() === '1';
  return /^Apple\b/.test(model);
}
