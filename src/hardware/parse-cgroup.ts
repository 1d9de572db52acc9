// Pure parsers of cgroup files: /proc/self/cgroup, v2 memory.max / memory.current, v1 memory.limit_in_bytes.

export interface SelfCgroup {
  /** Path in the unified (v2) hierarchy, from the "0::/path" line; null without one. */
  readonly v2Path: string | null;
  /** Path in the v1 memory controller's hierarchy ("4:memory:/path"); null without one. */
  readonly v1MemoryPath: string | null;
}

// v1 kernels report "no limit" as PAGE_COUNTER_MAX pages (9223372036854771712 on 4 KiB pages); anything this
// large is not a limit anyone set.
const V1_UNLIMITED_FROM = 2 ** 60;

/** Parses /proc/self/cgroup into the v2 path and the v1 memory controller path. */
export function parseSelfCgroup(text: string): SelfCgroup {
  let v2Path: string | null = null;
  let v1MemoryPath: string | null = null;
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const id = line.slice(0, first);
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1).trim();
    if (id === '0' && controllers === '') v2Path = path;
    else if (controllers.split(',').includes('memory')) v1MemoryPath = path;
  }
  return { v2Path, v1MemoryPath };
}

/** Parses cgroup v2 memory.max: bytes, or null for "max" (no limit) and unreadable text. */
export function parseMemoryMax(text: string): number | null {
  const t = text.trim();
  if (t === 'max' || !/^\d+$/.test(t)) return null;
  return Number(t);
}

/** Parses cgroup v1 memory.limit_in_bytes: bytes, or null for the kernel's "unlimited" huge value. */
export function parseV1MemoryLimit(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= V1_UNLIMITED_FROM ? null : n;
}

/** Parses a plain byte counter (v2 memory.current, v1 memory.usage_in_bytes); null when not a number. */
export function parseByteCount(text: string): number | null {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}
