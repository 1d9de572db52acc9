// Pure parser of `nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader,nounits`.

export interface NvidiaGpu {
  readonly name: string;
  readonly driver: string;
  /** memory.total is MiB with nounits. */
  readonly memoryBytes: number | null;
}

/** Parses the CSV, one GPU per line ("NVIDIA GeForce RTX 3060, 535.129.03, 12288"); skips malformed lines. */
export function parseNvidiaSmi(csv: string): NvidiaGpu[] {
  const gpus: NvidiaGpu[] = [];
  for (const line of csv.split('\n')) {
    // GPU names contain no commas; the three fields are comma-separated with a space.
    const parts = line.split(',').map((p) => p.trim());
    if (parts.length !== 3) continue;
    const [name, driver, memory] = parts;
    if (name === undefined || name === '' || driver === undefined || !/^\d[\d.]*$/.test(driver)) continue;
    const mib = memory !== undefined && /^\d+$/.test(memory) ? Number(memory) : null;
    gpus.push({ name, driver, memoryBytes: mib === null ? null : mib * 1024 * 1024 });
  }
  return gpus;
}
