// CPU and memory readers against fake /proc and /sys trees (the files are real captures from this machine or in
// the kernel's documented formats; see the parser tests), a fake node:os, and once against this machine itself.
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, test } from 'node:test';
import { readCpu, readMemory, type OsFacts } from '../../../src/hardware/system-probe.js';
import { fakeTree, type FakeTree } from './fake-tree.js';
import { fixture } from './fixture.js';

const MiB = 1024 * 1024;

const fakeOs: OsFacts = {
  cpus: () => [
    { model: 'Fake CPU @ 1.00GHz', speed: 1000 },
    { model: 'Fake CPU @ 1.00GHz', speed: 1000 },
    { model: 'Fake CPU @ 1.00GHz', speed: 1000 },
  ],
  totalmem: () => 8192 * MiB,
  freemem: () => 1024 * MiB,
  loadavg: () => [0.5, 0.25, 0.125],
  arch: () => 'arm64',
  release: () => '23.1.0',
};

const trees: FakeTree[] = [];
after(() => {
  for (const t of trees) t.remove();
});

function linux(files: Record<string, string>): FakeTree {
  const t = fakeTree();
  trees.push(t);
  t.file('proc/meminfo', fixture('meminfo-debian12.txt'));
  for (const [p, content] of Object.entries(files)) t.file(p, content);
  return t;
}

const meminfo = fixture('meminfo-debian12.txt');
const kib = (key: string): number =>
  Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(meminfo)?.[1]) * 1024;

test("no cgroup limit (this machine's v1 files): MemTotal and MemAvailable", () => {
  const t = linux({
    'proc/self/cgroup': fixture('proc-self-cgroup-v1.txt'),
    [`sys/fs/cgroup/memory${/memory:(\S+)/.exec(fixture('proc-self-cgroup-v1.txt'))?.[1] ?? ''}/memory.limit_in_bytes`]:
      fixture('cgroup-v1-memory.limit_in_bytes-unlimited.txt'),
  });
  assert.deepEqual(readMemory('linux', t, fakeOs), {
    totalBytes: kib('MemTotal'),
    availableBytes: kib('MemAvailable'),
    cgroupLimitBytes: null,
  });
});

test('cgroup v2 limit below MemTotal: total = limit, available = min(MemAvailable, limit - current)', () => {
  const t = linux({
    'proc/self/cgroup': fixture('proc-self-cgroup-v2.txt'),
    'sys/fs/cgroup/system.slice/transcode-worker.service/memory.max': `${512 * MiB}\n`,
    'sys/fs/cgroup/system.slice/transcode-worker.service/memory.current': `${100 * MiB}\n`,
    'sys/fs/cgroup/system.slice/memory.max': 'max\n',
  });
  assert.deepEqual(readMemory('linux', t, fakeOs), {
    totalBytes: 512 * MiB,
    availableBytes: 412 * MiB,
    cgroupLimitBytes: 512 * MiB,
  });
});

test("cgroup v2: a parent's smaller limit wins; in a container the mount root is the own cgroup", () => {
  const parent = linux({
    'proc/self/cgroup': fixture('proc-self-cgroup-v2.txt'),
    'sys/fs/cgroup/system.slice/transcode-worker.service/memory.max': 'max\n',
    'sys/fs/cgroup/system.slice/transcode-worker.service/memory.current': `${10 * MiB}\n`,
    'sys/fs/cgroup/system.slice/memory.max': `${256 * MiB}\n`,
  });
  assert.equal(readMemory('linux', parent, fakeOs).totalBytes, 256 * MiB);
  const container = linux({ 'proc/self/cgroup': '0::/\n', 'sys/fs/cgroup/memory.max': `${300 * MiB}\n` });
  assert.deepEqual(readMemory('linux', container, fakeOs), {
    totalBytes: 300 * MiB,
    availableBytes: 300 * MiB,
    cgroupLimitBytes: 300 * MiB,
  });
});

test('a limit at or above MemTotal is no limit', () => {
  const t = linux({ 'proc/self/cgroup': '0::/\n', 'sys/fs/cgroup/memory.max': `${kib('MemTotal') * 2}\n` });
  assert.equal(readMemory('linux', t, fakeOs).cgroupLimitBytes, null);
});

test('cgroup v1 limit with usage', () => {
  const t = linux({
    'proc/self/cgroup': '4:memory:/docker/abc\n0::/\n',
    'sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes': `${1024 * MiB}\n`,
    'sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes': `${1000 * MiB}\n`,
  });
  assert.deepEqual(readMemory('linux', t, fakeOs), {
    totalBytes: 1024 * MiB,
    availableBytes: 24 * MiB,
    cgroupLimitBytes: 1024 * MiB,
  });
});

test('not Linux: node:os figures', () => {
  assert.deepEqual(readMemory('darwin', { sysRoot: '/nonexistent', procRoot: '/nonexistent' }, fakeOs), {
    totalBytes: 8192 * MiB,
    availableBytes: 1024 * MiB,
    cgroupLimitBytes: null,
  });
  assert.deepEqual(readCpu('win32', { sysRoot: '/nonexistent', procRoot: '/nonexistent' }, fakeOs), {
    arch: 'arm64',
    load: [0.5, 0.25, 0.125],
    model: 'Fake CPU @ 1.00GHz',
    cores: 3,
    threads: 3,
    frequencyMhz: 1000,
    maxFrequencyMhz: null,
  });
});

test('Linux CPU: sysfs cpufreq first, for current and max frequency', () => {
  const t = linux({
    'proc/cpuinfo': fixture('cpuinfo-arm64-raspberry-pi-4.txt'),
    'sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq': '600000\n',
    'sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq': '1800000\n',
  });
  assert.deepEqual(readCpu('linux', t, fakeOs), {
    arch: 'arm64',
    load: [0.5, 0.25, 0.125],
    model: 'Raspberry Pi 4 Model B Rev 1.4 (Cortex-A72)',
    cores: 4,
    threads: 4,
    frequencyMhz: 600,
    maxFrequencyMhz: 1800,
  });
});

test('Linux CPU: cpuinfo MHz without cpufreq; node:os speed when neither reports one', () => {
  const x86 = linux({ 'proc/cpuinfo': fixture('cpuinfo-x86-2-socket-xeon-ht.txt') });
  const cpu = readCpu('linux', x86, fakeOs);
  assert.deepEqual([cpu.cores, cpu.threads, cpu.frequencyMhz, cpu.maxFrequencyMhz], [4, 8, 1200, null]);
  const arm = linux({ 'proc/cpuinfo': fixture('cpuinfo-armv7-imx6q.txt') });
  assert.equal(readCpu('linux', arm, fakeOs).frequencyMhz, 1000);
});

test('this machine: figures present and consistent with node:os', () => {
  const cpu = readCpu('linux');
  assert.equal(cpu.threads, os.cpus().length);
  assert.ok(cpu.cores >= 1 && cpu.cores <= cpu.threads);
  assert.ok(cpu.frequencyMhz > 0, 'a frequency from /proc/cpuinfo');
  const mem = readMemory('linux');
  assert.ok(mem.totalBytes > 0 && mem.availableBytes > 0 && mem.availableBytes <= mem.totalBytes);
});
