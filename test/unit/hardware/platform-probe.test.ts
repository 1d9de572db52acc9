// The hardware probe on macOS and Windows, driven here with fake runners that answer sysctl, PowerShell and FFmpeg
// in their documented formats (no Mac or Windows machine here; see platform-parsers.test.ts for the sources). The
// profiler run on 'darwin' and 'win32' shows the platform's encoders going through the same test encode as Linux's.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { scanAccelerators } from '../../../src/hardware/device-scan.js';
import { probePlatformCpu } from '../../../src/hardware/platform-cpu.js';
import { createHardwareProfiler } from '../../../src/hardware/profiler.js';
import { readCpu, type OsFacts } from '../../../src/hardware/system-probe.js';
import type { RunCommand } from '../../../src/process/run-command.js';
import { fakeRun, result } from './fake-run.js';
import { fixture } from './fixture.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** node:os on an x64 Node under Rosetta on an M2: it knows logical CPUs and the process's arch only. */
const rosettaOs: OsFacts = {
  cpus: () => Array.from({ length: 8 }, () => ({ model: 'Apple M2', speed: 2400 })),
  totalmem: () => 16 * 1024 ** 3,
  freemem: () => 4 * 1024 ** 3,
  loadavg: () => [1, 1, 1],
  arch: () => 'x64',
  release: () => '23.1.0',
};

function sysctl(arm64: 'apple' | 'intel-unknown-oid', cpu = 'sysctl-cpu-apple-m2-mac-mini.txt') {
  return fakeRun((file, args) => {
    if (file !== 'sysctl') return result({ exitCode: 1 });
    if (args.includes('hw.optional.arm64'))
      return arm64 === 'apple'
        ? result({ stdout: '1\n' })
        : result({ exitCode: 1, stderr: "sysctl: unknown oid 'hw.optional.arm64'" });
    return result({ stdout: fixture(cpu) });
  });
}

const CIM_PROCESSOR = /Get-CimInstance Win32_Processor \| Select-Object Name,NumberOfCores/;
const CIM_VIDEO = /Get-CimInstance Win32_VideoController \| Select-Object Name,AdapterCompatibility/;

function windowsMachine(extra: RunCommand = () => Promise.resolve(result({ exitCode: 1 }))) {
  return fakeRun((file, args) => {
    const command = args.join(' ');
    if (file === 'powershell.exe' && CIM_PROCESSOR.test(command))
      return result({ stdout: fixture('cim-win32-processor-single.txt') });
    if (file === 'powershell.exe' && CIM_VIDEO.test(command))
      return result({ stdout: fixture('cim-win32-videocontroller-igpu-dgpu.txt') });
    return extra(file, args, { timeoutMs: 1 });
  });
}

describe('platform CPU facts', () => {
  it('darwin, Apple silicon: sysctl model, physical cores, arm64 even for an x64 Node', async () => {
    const run = sysctl('apple');
    const cpu = await probePlatformCpu('darwin', run.run);
    assert.deepEqual(cpu, { model: 'Apple M2', cores: 8, threads: 8, maxFrequencyMhz: null, arch: 'arm64' });
    assert.deepEqual(run.calls[0]?.args, [
      '-n',
      'machdep.cpu.brand_string',
      'hw.physicalcpu',
      'hw.logicalcpu',
      'hw.memsize',
    ]);
    const snap = readCpu('darwin', undefined, rosettaOs, cpu);
    assert.deepEqual([snap.model, snap.cores, snap.threads, snap.arch], ['Apple M2', 8, 8, 'arm64']);
  });

  it('darwin, Intel: the arm64 sysctl unknown, the brand string decides; sysctl failing leaves node:os', async () => {
    const intel = await probePlatformCpu(
      'darwin',
      sysctl('intel-unknown-oid', 'sysctl-cpu-intel-mac-mini-2018.txt').run,
    );
    assert.deepEqual([intel?.cores, intel?.threads, intel?.arch], [6, 12, 'x64']);
    const broken = fakeRun(() => result({ exitCode: 1 }));
    assert.equal(await probePlatformCpu('darwin', broken.run), null);
    const fallback = readCpu('darwin', undefined, rosettaOs, null);
    assert.deepEqual([fallback.cores, fallback.threads, fallback.arch], [8, 8, 'x64']);
  });

  it('win32: Win32_Processor through powershell.exe with a timeout; linux asks nothing', async () => {
    const win = windowsMachine();
    const cpu = await probePlatformCpu('win32', win.run);
    assert.deepEqual(cpu, {
      model: 'AMD Ryzen 7 5800X 8-Core Processor',
      cores: 8,
      threads: 16,
      maxFrequencyMhz: 3801,
    });
    assert.equal(win.calls[0]?.file, 'powershell.exe');
    assert.deepEqual(win.calls[0].args.slice(0, 3), ['-NoProfile', '-NonInteractive', '-Command']);
    assert.ok(win.calls[0].options.timeoutMs >= 10_000);
    const timedOut = fakeRun(() => result({ exitCode: null, signal: 'SIGKILL', timedOut: true }));
    assert.equal(await probePlatformCpu('win32', timedOut.run), null);
    const linux = fakeRun(() => result());
    assert.equal(await probePlatformCpu('linux', linux.run), null);
    assert.equal(linux.calls.length, 0);
  });
});

describe('win32 device scan with Win32_VideoController', () => {
  const listed = ['h264_nvenc', 'hevc_nvenc', 'h264_qsv', 'h264_amf', 'h264_mf'].map((name) => ({
    name,
    codec: name.split('_')[0] as 'h264' | 'hevc',
  }));

  it('names QSV and NVENC from the GPUs found, notes D3D11VA/DXVA2 decode per GPU; AMF stays a guess', async () => {
    const found = await scanAccelerators({
      platform: 'win32',
      listed,
      hwaccels: ['cuda', 'dxva2', 'qsv', 'd3d11va'],
      runCommand: windowsMachine().run,
    });
    assert.deepEqual(
      found.map((a) => [a.type, a.device, a.vendor ?? null, a.name ?? null, a.encoders.length]),
      [
        ['nvenc', 'nvenc', 'nvidia', 'NVIDIA GeForce RTX 3060', 2],
        ['qsv', 'qsv', 'intel', 'Intel(R) UHD Graphics 770', 1],
        ['amf', 'amf', 'amd', null, 1],
        ['mf', 'mf', null, null, 1],
        ['d3d11va', 'Intel(R) UHD Graphics 770', 'intel', 'Intel(R) UHD Graphics 770', 0],
        ['d3d11va', 'NVIDIA GeForce RTX 3060', 'nvidia', 'NVIDIA GeForce RTX 3060', 0],
        ['dxva2', 'Intel(R) UHD Graphics 770', 'intel', 'Intel(R) UHD Graphics 770', 0],
        ['dxva2', 'NVIDIA GeForce RTX 3060', 'nvidia', 'NVIDIA GeForce RTX 3060', 0],
      ],
    );
  });

  it('PowerShell failing: the listed encoders are still candidates, no decode noted', async () => {
    const found = await scanAccelerators({
      platform: 'win32',
      listed,
      hwaccels: ['d3d11va'],
      runCommand: fakeRun(() => result({ exitCode: 1 })).run,
    });
    assert.deepEqual(
      found.map((a) => a.type),
      ['nvenc', 'qsv', 'amf', 'mf'],
    );
  });
});

/** FFmpeg as a platform's build would list itself; test encodes pass for the encoders in `working`. */
function platformFfmpeg(encoders: string[], hwaccels: string[], working: Set<string>, also: RunCommand) {
  const codec = (e: string): string => (e === 'libx264' ? 'h264' : (e.split('_')[0] ?? ''));
  const listing = [' ------', ...encoders.map((e) => ` V....D ${e.padEnd(20)} ${e} (codec ${codec(e)})`)];
  return fakeRun((command, commandArgs) => {
    // Test encodes come under `nice -n 19` where the platform has nice.
    const [file, args] =
      command === 'nice' ? [commandArgs[2] ?? '', commandArgs.slice(3)] : [command, commandArgs];
    if (file !== 'ffmpeg') return also(file, args, { timeoutMs: 1 });
    if (args.includes('-version')) return result({ stdout: fixture('ffmpeg-5.1-version.txt') });
    if (args.includes('-encoders')) return result({ stdout: `${listing.join('\n')}\n` });
    if (args.includes('-hwaccels'))
      return result({ stdout: `Hardware acceleration methods:\n${hwaccels.join('\n')}\n\n` });
    const encoder = args[args.indexOf('-c:v') + 1] ?? '';
    return working.has(encoder) ? result() : result({ exitCode: 1, stderr: `[${encoder}] no device\n` });
  });
}

async function profile(platform: NodeJS.Platform, run: RunCommand) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-platform-prof-'));
  dirs.push(dir);
  const profiler = createHardwareProfiler({
    ffmpegPath: 'ffmpeg',
    workDir: dir,
    platform,
    runCommand: run,
    log: { info: () => undefined, warn: () => undefined },
    signal: new AbortController().signal,
    measureSpeed: false,
    os: rosettaOs,
  });
  await profiler.settled;
  return profiler.snapshot();
}

describe('profiler per platform', () => {
  it('darwin: VideoToolbox encoders are test-encoded; sysctl facts in the snapshot', async () => {
    const ffmpeg = platformFfmpeg(
      ['libx264', 'h264_videotoolbox', 'hevc_videotoolbox'],
      ['videotoolbox'],
      new Set(['libx264', 'h264_videotoolbox']),
      sysctl('apple').run,
    );
    const snap = await profile('darwin', ffmpeg.run);
    assert.deepEqual(
      snap.encoders.map((e) => [e.name, e.accelerator, e.usable]),
      [
        ['h264_videotoolbox', 'videotoolbox', true],
        ['hevc_videotoolbox', 'videotoolbox', false],
        ['libx264', null, true],
      ],
    );
    assert.deepEqual(
      snap.accelerators.map((a) => [a.type, a.encoders]),
      [['videotoolbox', ['h264_videotoolbox']]],
    );
    assert.deepEqual([snap.cpu.model, snap.cpu.cores, snap.cpu.arch], ['Apple M2', 8, 'arm64']);
    const tests = ffmpeg.calls.filter((c) => c.args.includes('testsrc2=size=256x256:rate=30'));
    assert.equal(tests.length, 3, 'one real test encode per candidate');
  });

  it('win32: _nvenc, _qsv, _amf and _mf each test-encoded; Win32_Processor facts in the snapshot', async () => {
    const ffmpeg = platformFfmpeg(
      ['libx264', 'h264_nvenc', 'h264_qsv', 'h264_amf', 'h264_mf'],
      ['dxva2', 'd3d11va'],
      new Set(['libx264', 'h264_qsv', 'h264_mf']),
      windowsMachine().run,
    );
    const snap = await profile('win32', ffmpeg.run);
    assert.deepEqual(
      snap.encoders.map((e) => [e.name, e.usable]),
      [
        ['h264_nvenc', false],
        ['h264_qsv', true],
        ['h264_amf', false],
        ['h264_mf', true],
        ['libx264', true],
      ],
    );
    assert.deepEqual(
      snap.accelerators.filter((a) => a.type === 'd3d11va').map((a) => a.device),
      ['Intel(R) UHD Graphics 770', 'NVIDIA GeForce RTX 3060'],
    );
    assert.deepEqual([snap.cpu.cores, snap.cpu.threads, snap.cpu.maxFrequencyMhz], [8, 16, 3801]);
  });
});
