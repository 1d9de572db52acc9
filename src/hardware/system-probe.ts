// CPU and memory figures, read fresh on every call: small synchronous reads of /proc and /sys on Linux (cheap:
// kernel-generated text), node:os everywhere else and as the fallback for anything Linux does not report.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseByteCount, parseMemoryMax, parseSelfCgroup, parseV1MemoryLimit } from './parse-cgroup.js';
import { parseCpuinfo } from './parse-cpuinfo.js';
import { parseMeminfo } from './parse-meminfo.js';
import { parseCpufreqKhz } from './parse-sysfs.js';
import type { PlatformCpu } from './platform-cpu.js';
import type { CpuProfile, MemoryProfile } from './types.js';

/** The node:os functions used here, injectable so tests can describe any machine. */
export interface OsFacts {
  cpus(): readonly { readonly model: string; readonly speed: number }[];
  totalmem(): number;
  freemem(): number;
  loadavg(): number[];
  arch(): string;
  release(): string;
}

export const nodeOs: OsFacts = os;

export interface ProbeRoots {
  readonly sysRoot: string;
  readonly procRoot: string;
}

export const DEFAULT_PROBE_ROOTS: ProbeRoots = { sysRoot: '/sys', procRoot: '/proc' };

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function parsed<T>(file: string, parse: (text: string) => T | null): T | null {
  const text = read(file);
  return text === null ? null : parse(text);
}

/** Directories from the process's cgroup up to the hierarchy's mount point, leaf first. */
function upFrom(mount: string, cgroupPath: string): string[] {
  const dirs: string[] = [];
  // resolve, not join: "/" must give the mount point itself, without a trailing slash.
  let dir = path.resolve(mount, `.${cgroupPath}`);
  while (dir.startsWith(mount)) {
    dirs.push(dir);
    if (dir === mount) break;
    dir = path.dirname(dir);
  }
  return dirs;
}

interface CgroupMemory {
  readonly limit: number | null;
  readonly current: number | null;
}

function walk(
  dirs: readonly string[],
  limitFile: string,
  parseLimit: (t: string) => number | null,
  usageFile: string,
): CgroupMemory {
  let limit: number | null = null;
  let current: number | null = null;
  // The effective limit is the smallest on the way to the root; in a container the mount point is the own cgroup.
  for (const dir of dirs) {
    const l = parsed(path.join(dir, limitFile), parseLimit);
    if (l !== null) limit = limit === null ? l : Math.min(limit, l);
    current ??= parsed(path.join(dir, usageFile), parseByteCount);
  }
  return { limit, current };
}

function cgroupMemory(roots: ProbeRoots): CgroupMemory {
  const self = parsed(path.join(roots.procRoot, 'self', 'cgroup'), parseSelfCgroup);
  if (self === null) return { limit: null, current: null };
  const base = path.join(roots.sysRoot, 'fs', 'cgroup');
  if (self.v2Path !== null) {
    const v2 = walk(upFrom(base, self.v2Path), 'memory.max', parseMemoryMax, 'memory.current');
    if (v2.limit !== null) return v2;
  }
  if (self.v1MemoryPath !== null) {
    return walk(
      upFrom(path.join(base, 'memory'), self.v1MemoryPath),
      'memory.limit_in_bytes',
      parseV1MemoryLimit,
      'memory.usage_in_bytes',
    );
  }
  return { limit: null, current: null };
}

/** Memory now: MemAvailable, or the cgroup's limit and headroom when that limit is below MemTotal. */
export function readMemory(
  platform: NodeJS.Platform,
  roots: ProbeRoots = DEFAULT_PROBE_ROOTS,
  osFacts: OsFacts = nodeOs,
): MemoryProfile {
  const fallback = { totalBytes: osFacts.totalmem(), availableBytes: osFacts.freemem() };
  if (platform !== 'linux') return { ...fallback, cgroupLimitBytes: null };
  const mem = parsed(path.join(roots.procRoot, 'meminfo'), parseMeminfo) ?? fallback;
  const cg = cgroupMemory(roots);
  if (cg.limit === null || cg.limit >= mem.totalBytes) return { ...mem, cgroupLimitBytes: null };
  // Under a limit the kernel reclaims or OOM-kills at the limit, whatever MemAvailable says.
  const headroom = cg.current === null ? cg.limit : Math.max(0, cg.limit - cg.current);
  return {
    totalBytes: cg.limit,
    availableBytes: Math.min(mem.availableBytes, headroom),
    cgroupLimitBytes: cg.limit,
  };
}

function loadTriple(osFacts: OsFacts): readonly [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = osFacts.loadavg();
  return [one, five, fifteen];
}

/**
 * CPU now: model, physical cores, threads, current and max frequency, load. `platformCpu` is what macOS's sysctl or
 * Windows' Win32_Processor said at start (probePlatformCpu); without it node:os is all there is.
 */
export function readCpu(
  platform: NodeJS.Platform,
  roots: ProbeRoots = DEFAULT_PROBE_ROOTS,
  osFacts: OsFacts = nodeOs,
  platformCpu: PlatformCpu | null = null,
): CpuProfile {
  const cpus = osFacts.cpus();
  const osModel = cpus[0]?.model.trim() ?? '';
  const osSpeed = cpus[0]?.speed ?? 0;
  const base = { arch: osFacts.arch(), load: loadTriple(osFacts) };
  if (platform !== 'linux' && platformCpu !== null) {
    return {
      ...base,
      arch: platformCpu.arch ?? base.arch,
      model: platformCpu.model,
      cores: platformCpu.cores,
      threads: platformCpu.threads,
      frequencyMhz: osSpeed,
      maxFrequencyMhz: platformCpu.maxFrequencyMhz,
    };
  }
  if (platform !== 'linux') {
    // node:os knows logical CPUs only; physical cores are reported as the same number.
    const threads = Math.max(1, cpus.length);
    return {
      ...base,
      model: osModel || 'unknown',
      cores: threads,
      threads,
      frequencyMhz: osSpeed,
      maxFrequencyMhz: null,
    };
  }
  const info = parsed(path.join(roots.procRoot, 'cpuinfo'), parseCpuinfo);
  const threads = info !== null && info.threads > 0 ? info.threads : Math.max(1, cpus.length);
  const cpufreq = path.join(roots.sysRoot, 'devices', 'system', 'cpu', 'cpu0', 'cpufreq');
  const current = parsed(path.join(cpufreq, 'scaling_cur_freq'), parseCpufreqKhz);
  const mhz = info?.mhz == null ? null : Math.round(info.mhz);
  return {
    ...base,
    model: info?.model ?? (osModel || 'unknown'),
    cores: info !== null && info.threads > 0 ? info.cores : threads,
    threads,
    // sysfs cpufreq (what the governor set now), else /proc/cpuinfo's MHz (x86), else what libuv reports.
    frequencyMhz: current ?? mhz ?? osSpeed,
    maxFrequencyMhz: parsed(path.join(cpufreq, 'cpuinfo_max_freq'), parseCpufreqKhz),
  };
}
