// Finds candidate accelerators: /dev/dri render nodes (VAAPI, QSV on Intel), NVIDIA device nodes (NVENC, with
// nvidia-smi for name/driver/memory), V4L2 M2M encoder nodes; VideoToolbox on macOS; NVENC/QSV/AMF/MF on Windows,
// named from Win32_VideoController, with each GPU's DXVA2/D3D11VA decode noted. A candidate is only a guess: the
// test encode decides.
import { readFile, readdir, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { cimQuery, POWERSHELL_TIMEOUT_MS } from '../platform/powershell.js';
import type { RunCommand } from '../process/run-command.js';
import { hardwareCandidates, type EncoderCandidate, type EncodingAccelerator } from './encoder-catalog.js';
import { parseCimVideoControllers, type CimGpu } from './parse-cim.js';
import type { ListedEncoder } from './parse-ffmpeg.js';
import { parseNvidiaSmi, type NvidiaGpu } from './parse-nvidia-smi.js';
import { isV4l2VideoEncoderName, parsePciVendor } from './parse-sysfs.js';
import type { AcceleratorType } from './types.js';

export interface ScanRoots {
  readonly sysRoot: string;
  readonly devRoot: string;
}

export const DEFAULT_SCAN_ROOTS: ScanRoots = { sysRoot: '/sys', devRoot: '/dev' };

/** An accelerator found on this machine and the listed encoders to try on it. */
export interface AcceleratorCandidate {
  /** dxva2 and d3d11va (Windows) decode only: they come with no encoders. */
  readonly type: AcceleratorType;
  /** Device node, or the accelerator's name where there is none (videotoolbox, amf, mf, qsv/nvenc on Windows). */
  readonly device: string;
  readonly vendor?: string;
  readonly driver?: string;
  readonly name?: string;
  readonly memoryBytes?: number;
  readonly encoders: readonly EncoderCandidate[];
}

export interface ScanDeps {
  readonly roots?: Partial<ScanRoots>;
  readonly platform: NodeJS.Platform;
  /** What `ffmpeg -encoders` lists: only these become candidates. */
  readonly listed: readonly ListedEncoder[];
  /** What `ffmpeg -hwaccels` lists (decode methods); Windows notes DXVA2/D3D11VA decode from it. */
  readonly hwaccels?: readonly string[];
  readonly runCommand: RunCommand;
  readonly signal?: AbortSignal;
  /** nvidia-smi's path; 'nvidia-smi' (looked up in PATH) by default. */
  readonly nvidiaSmiPath?: string;
}

const NVIDIA_SMI_TIMEOUT_MS = 2000;

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function list(dir: string, pattern: RegExp): Promise<string[]> {
  try {
    const names = (await readdir(dir)).filter((n) => pattern.test(n));
    // renderD128 before renderD129, video2 before video10.
    return names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  } catch {
    return [];
  }
}

function optional(info: {
  vendor?: string | null;
  driver?: string | null;
  name?: string | null;
  memoryBytes?: number | null;
}): {
  vendor?: string;
  driver?: string;
  name?: string;
  memoryBytes?: number;
} {
  return {
    ...(info.vendor == null ? {} : { vendor: info.vendor }),
    ...(info.driver == null ? {} : { driver: info.driver }),
    ...(info.name == null ? {} : { name: info.name }),
    ...(info.memoryBytes == null ? {} : { memoryBytes: info.memoryBytes }),
  };
}

function candidate(
  type: EncodingAccelerator,
  device: string,
  encodeDevice: string | null,
  listed: readonly ListedEncoder[],
  info: Parameters<typeof optional>[0] = {},
): AcceleratorCandidate[] {
  const encoders = hardwareCandidates(type, encodeDevice, listed);
  return encoders.length === 0 ? [] : [{ type, device, ...optional(info), encoders }];
}

async function renderNodes(
  roots: ScanRoots,
  listed: readonly ListedEncoder[],
): Promise<AcceleratorCandidate[]> {
  const out: AcceleratorCandidate[] = [];
  for (const node of await list(path.join(roots.devRoot, 'dri'), /^renderD\d+$/)) {
    const device = path.join(roots.devRoot, 'dri', node);
    const sysDevice = path.join(roots.sysRoot, 'class', 'drm', node, 'device');
    const vendorText = await readText(path.join(sysDevice, 'vendor'));
    const vendor = vendorText === null ? null : parsePciVendor(vendorText);
    let driver: string | null = null;
    try {
      // device/driver is a symlink to .../drivers/i915 (amdgpu, nouveau, nvidia-drm): its name is the kernel driver.
      driver = path.basename(await readlink(path.join(sysDevice, 'driver')));
    } catch {
      driver = null;
    }
    out.push(...candidate('vaapi', device, device, listed, { vendor, driver }));
    // Quick Sync exists only on Intel GPUs; libmfx reaches it through the same render node.
    if (vendor === 'intel') out.push(...candidate('qsv', device, device, listed, { vendor, driver }));
  }
  return out;
}

async function nvidiaInfo(deps: ScanDeps): Promise<NvidiaGpu | null> {
  const r = await deps.runCommand(
    deps.nvidiaSmiPath ?? 'nvidia-smi',
    ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader,nounits'],
    { timeoutMs: NVIDIA_SMI_TIMEOUT_MS, ...(deps.signal === undefined ? {} : { signal: deps.signal }) },
  );
  if (r.exitCode !== 0) return null;
  // One worker uses the first GPU: FFmpeg's NVENC picks "any" (the first) by default.
  return parseNvidiaSmi(r.stdout)[0] ?? null;
}

async function nvidiaNodes(roots: ScanRoots, deps: ScanDeps): Promise<AcceleratorCandidate[]> {
  const node = path.join(roots.devRoot, 'nvidia0');
  const ctl = path.join(roots.devRoot, 'nvidiactl');
  const device = (await exists(node)) ? node : (await exists(ctl)) ? ctl : null;
  if (device === null || hardwareCandidates('nvenc', device, deps.listed).length === 0) return [];
  const gpu = await nvidiaInfo(deps);
  return candidate('nvenc', device, device, deps.listed, { vendor: 'nvidia', ...gpuInfo(gpu) });
}

function gpuInfo(gpu: NvidiaGpu | null): { name?: string; driver?: string; memoryBytes?: number | null } {
  return gpu === null ? {} : { name: gpu.name, driver: gpu.driver, memoryBytes: gpu.memoryBytes };
}

async function v4l2Nodes(
  roots: ScanRoots,
  listed: readonly ListedEncoder[],
): Promise<AcceleratorCandidate[]> {
  const out: AcceleratorCandidate[] = [];
  const classDir = path.join(roots.sysRoot, 'class', 'video4linux');
  for (const node of await list(classDir, /^video\d+$/)) {
    const name = (await readText(path.join(classDir, node, 'name')))?.trim() ?? '';
    const device = path.join(roots.devRoot, node);
    if (!isV4l2VideoEncoderName(name) || !(await exists(device))) continue;
    out.push(...candidate('v4l2m2m', device, device, listed, { name }));
  }
  return out;
}

async function windowsGpus(deps: ScanDeps): Promise<CimGpu[]> {
  const q = cimQuery('Win32_VideoController', [
    'Name',
    'AdapterCompatibility',
    'DriverVersion',
    'AdapterRAM',
  ]);
  const r = await deps.runCommand(q.file, q.args, {
    timeoutMs: POWERSHELL_TIMEOUT_MS,
    ...(deps.signal === undefined ? {} : { signal: deps.signal }),
  });
  return r.exitCode === 0 ? parseCimVideoControllers(r.stdout) : [];
}

function cimInfo(gpu: CimGpu | undefined): Parameters<typeof optional>[0] {
  // AdapterRAM is a uint32 (capped below 4 GiB): not reported as the card's memory.
  return gpu === undefined ? {} : { vendor: gpu.vendor, name: gpu.name, driver: gpu.driverVersion };
}

async function windows(deps: ScanDeps): Promise<AcceleratorCandidate[]> {
  // Windows has no device nodes to look at: the listed encoders are the candidates, named by accelerator, and
  // Win32_VideoController says which GPUs (and so which vendor's encoder) are there.
  const gpus = await windowsGpus(deps);
  const byVendor = (vendor: CimGpu['vendor']): CimGpu | undefined => gpus.find((g) => g.vendor === vendor);
  const nvenc = hardwareCandidates('nvenc', null, deps.listed).length > 0 ? await nvidiaInfo(deps) : null;
  const hwaccels = new Set(deps.hwaccels ?? []);
  // Decode through Direct3D works on any GPU with a vendor driver (not the Microsoft Basic Display Adapter).
  const decode = (['d3d11va', 'dxva2'] as const).flatMap((type) =>
    hwaccels.has(type)
      ? gpus
          .filter((g) => g.vendor !== 'microsoft')
          .map((g) => ({ type, device: g.name, ...optional(cimInfo(g)), encoders: [] }))
      : [],
  );
  return [
    ...candidate(
      'nvenc',
      'nvenc',
      null,
      deps.listed,
      nvenc === null ? cimInfo(byVendor('nvidia')) : { vendor: 'nvidia', ...gpuInfo(nvenc) },
    ),
    ...candidate('qsv', 'qsv', null, deps.listed, { vendor: 'intel', ...cimInfo(byVendor('intel')) }),
    ...candidate('amf', 'amf', null, deps.listed, { vendor: 'amd', ...cimInfo(byVendor('amd')) }),
    ...candidate('mf', 'mf', null, deps.listed),
    ...decode,
  ];
}

/** Lists candidate accelerators with the listed encoders to test on each; never throws. */
export async function scanAccelerators(deps: ScanDeps): Promise<AcceleratorCandidate[]> {
  const roots: ScanRoots = { ...DEFAULT_SCAN_ROOTS, ...deps.roots };
  if (deps.platform === 'darwin') {
    return candidate('videotoolbox', 'videotoolbox', null, deps.listed, { vendor: 'apple' });
  }
  if (deps.platform === 'win32') return windows(deps);
  // Linux and the BSDs: device nodes (sysfs, where it exists, adds vendor, driver and names).
  return [
    ...(await renderNodes(roots, deps.listed)),
    ...(await nvidiaNodes(roots, deps)),
    ...(await v4l2Nodes(roots, deps.listed)),
  ];
}
