// Pure parsers of Windows CIM classes as PowerShell prints them: `Get-CimInstance Win32_Processor` and
// `Win32_VideoController`, piped through Select-Object and `ConvertTo-Json -Compress`. ConvertTo-Json writes one
// object for one instance and an array for several (two CPU sockets, an iGPU beside a dGPU): both forms are read.
// Property meanings from Microsoft's Win32_Processor and Win32_VideoController class documentation.

export interface CimCpu {
  readonly model: string;
  /** Physical cores over all sockets (NumberOfCores). */
  readonly cores: number;
  /** Logical processors over all sockets (NumberOfLogicalProcessors). */
  readonly threads: number;
  /** MaxClockSpeed in MHz (the rated speed). */
  readonly maxMhz: number | null;
  /** CurrentClockSpeed in MHz. */
  readonly currentMhz: number | null;
}

export type GpuVendor = 'nvidia' | 'intel' | 'amd' | 'microsoft' | 'other';

export interface CimGpu {
  readonly name: string;
  readonly vendor: GpuVendor;
  readonly driverVersion: string | null;
  /** AdapterRAM is a uint32: cards with 4 GiB or more report at most 4 GiB - 1; null when absent. */
  readonly adapterRamBytes: number | null;
}

/** The objects of ConvertTo-Json output, whichever form it took; [] for empty or non-JSON text. */
export function cimObjects(stdout: string): Record<string, unknown>[] {
  if (stdout.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return [];
  }
  const list: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  return list.filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null);
}

const count = (v: unknown): number | null =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null;
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** Sums cores and threads over sockets; the first socket names the model. null without a usable entry. */
export function parseCimProcessors(stdout: string): CimCpu | null {
  const sockets = cimObjects(stdout).flatMap((o) => {
    const model = text(o.Name);
    const cores = count(o.NumberOfCores);
    const threads = count(o.NumberOfLogicalProcessors);
    return model === null || cores === null || threads === null
      ? []
      : [{ model, cores, threads, maxMhz: count(o.MaxClockSpeed), currentMhz: count(o.CurrentClockSpeed) }];
  });
  const first = sockets[0];
  if (first === undefined) return null;
  return {
    model: first.model,
    cores: sockets.reduce((n, s) => n + s.cores, 0),
    threads: sockets.reduce((n, s) => n + s.threads, 0),
    maxMhz: first.maxMhz,
    currentMhz: first.currentMhz,
  };
}

/** The vendor from AdapterCompatibility (the driver's maker), else the adapter's name. */
export function gpuVendor(compatibility: string | null, name: string): GpuVendor {
  const s = `${compatibility ?? ''} ${name}`.toLowerCase();
  if (s.includes('nvidia')) return 'nvidia';
  if (s.includes('intel')) return 'intel';
  if (s.includes('advanced micro devices') || /\bamd\b|\bati\b|radeon/.test(s)) return 'amd';
  // "Microsoft Basic Display Adapter": no vendor driver, so no hardware encoder.
  if (s.includes('microsoft')) return 'microsoft';
  return 'other';
}

/** Every video controller with a name. */
export function parseCimVideoControllers(stdout: string): CimGpu[] {
  return cimObjects(stdout).flatMap((o) => {
    const name = text(o.Name);
    if (name === null) return [];
    const ram = typeof o.AdapterRAM === 'number' && o.AdapterRAM > 0 ? o.AdapterRAM : null;
    return [
      {
        name,
        vendor: gpuVendor(text(o.AdapterCompatibility), name),
        driverVersion: text(o.DriverVersion),
        adapterRamBytes: ram,
      },
    ];
  });
}
