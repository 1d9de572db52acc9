// Pure parser of /proc/meminfo ("MemTotal:       24684092 kB").

export interface MeminfoFacts {
  readonly totalBytes: number;
  /** MemAvailable; on kernels before 3.14 (no MemAvailable) MemFree + Buffers + Cached. */
  readonly availableBytes: number;
}

function fields(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)(?:\s+(kB))?/.exec(line);
    if (m?.[1] === undefined || m[2] === undefined) continue;
    // The kernel's "kB" is KiB.
    out.set(m[1], Number(m[2]) * (m[3] === 'kB' ? 1024 : 1));
  }
  return out;
}

/** Parses /proc/meminfo into total and available bytes; null when MemTotal is missing. */
export function parseMeminfo(text: string): MeminfoFacts | null {
  const f = fields(text);
  const total = f.get('MemTotal');
  if (total === undefined) return null;
  const available =
    f.get('MemAvailable') ?? (f.get('MemFree') ?? 0) + (f.get('Buffers') ?? 0) + (f.get('Cached') ?? 0);
  return { totalBytes: total, availableBytes: Math.min(available, total) };
}
