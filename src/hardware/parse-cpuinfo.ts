// Pure parser of /proc/cpuinfo: x86 (model name, physical id/core id, cpu MHz) and ARM (CPU part, Hardware, Model).

export interface CpuinfoFacts {
  /** Human-readable model; null when the file names none. */
  readonly model: string | null;
  /** Physical cores: unique (physical id, core id) pairs, else `cpu cores` per package, else one per processor. */
  readonly cores: number;
  /** Logical CPUs: the number of `processor` entries. */
  readonly threads: number;
  /** First `cpu MHz` value (x86 only); null when absent, as on ARM. */
  readonly mhz: number | null;
}

type Entry = ReadonlyMap<string, string>;

// ARM's "CPU part" ids (implementer 0x41, Arm Ltd), for boards whose cpuinfo names no model.
const ARM_PARTS: Readonly<Record<string, string>> = {
  '0xb76': 'ARM1176',
  '0xc07': 'Cortex-A7',
  '0xc08': 'Cortex-A8',
  '0xc09': 'Cortex-A9',
  '0xc0f': 'Cortex-A15',
  '0xd03': 'Cortex-A53',
  '0xd04': 'Cortex-A35',
  '0xd05': 'Cortex-A55',
  '0xd07': 'Cortex-A57',
  '0xd08': 'Cortex-A72',
  '0xd09': 'Cortex-A73',
  '0xd0a': 'Cortex-A75',
  '0xd0b': 'Cortex-A76',
  '0xd0d': 'Cortex-A77',
  '0xd41': 'Cortex-A78',
};

function entries(text: string): { processors: Entry[]; global: Entry } {
  const processors: Map<string, string>[] = [];
  const global = new Map<string, string>();
  let current: Map<string, string> | null = null;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) {
      // A blank line ends one processor block; ARM puts Hardware/Revision/Model after the last one.
      current = null;
      continue;
    }
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'processor') {
      current = new Map([[key, value]]);
      processors.push(current);
    } else if (current !== null) {
      current.set(key, value);
    } else {
      global.set(key, value);
    }
  }
  return { processors, global };
}

function positiveInt(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function countCores(processors: readonly Entry[]): number {
  const pairs = new Set<string>();
  const packages = new Map<string, number>();
  for (const p of processors) {
    const physical = p.get('physical id');
    const core = p.get('core id');
    if (physical !== undefined && core !== undefined) pairs.add(`${physical}/${core}`);
    const perPackage = positiveInt(p.get('cpu cores'));
    if (perPackage !== null) packages.set(physical ?? '0', perPackage);
  }
  if (pairs.size > 0) return pairs.size;
  if (packages.size > 0) return [...packages.values()].reduce((a, b) => a + b, 0);
  return processors.length;
}

function armModel(processors: readonly Entry[], global: Entry): string | null {
  // Raspberry Pi OS adds "Model : Raspberry Pi 4 Model B Rev 1.4"; older kernels give "Hardware : BCM2835".
  const board = global.get('model') ?? global.get('hardware') ?? null;
  const first = processors[0];
  const implementer = first?.get('cpu implementer');
  const part = first?.get('cpu part')?.toLowerCase();
  const core = implementer === '0x41' && part !== undefined ? (ARM_PARTS[part] ?? null) : null;
  if (board !== null && core !== null) return `${board} (${core})`;
  return board ?? core;
}

/** Parses /proc/cpuinfo text into model, physical cores, logical CPUs and MHz. */
export function parseCpuinfo(text: string): CpuinfoFacts {
  const { processors, global } = entries(text);
  const first = processors[0];
  const model = first?.get('model name') ?? first?.get('cpu model') ?? null;
  const mhzText = first?.get('cpu mhz');
  const mhz = mhzText === undefined ? null : Number.parseFloat(mhzText);
  return {
    // ARMv7 kernels print "model name : ARMv7 Processor rev 10 (v7l)", which says less than the board name.
    model: model !== null && !model.startsWith('ARMv') ? model : (armModel(processors, global) ?? model),
    cores: countCores(processors),
    threads: processors.length,
    mhz: mhz !== null && Number.isFinite(mhz) && mhz > 0 ? mhz : null,
  };
}
