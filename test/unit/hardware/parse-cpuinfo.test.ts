// cpuinfo-x86-amd-epyc-2vcpu.txt is this machine's real /proc/cpuinfo. The others are written from the kernel's
// documented formats, as this machine has no ARM board or second socket: a Raspberry Pi 4 on a 64-bit kernel
// (no "model name", no MHz; Hardware/Revision/Serial/Model after the last processor), an i.MX6 Quad on a 32-bit
// kernel ("model name : ARMv7 Processor rev 10 (v7l)", CPU part 0xc09), and a two-socket Xeon with Hyper-Threading
// (topology shrunk to 2 sockets x 2 cores x 2 threads).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCpuinfo } from '../../../src/hardware/parse-cpuinfo.js';
import { fixture } from './fixture.js';

test('this machine: AMD EPYC, 2 vCPUs on 2 cores, MHz from cpu MHz', () => {
  assert.deepEqual(parseCpuinfo(fixture('cpuinfo-x86-amd-epyc-2vcpu.txt')), {
    model: 'AMD EPYC',
    cores: 2,
    threads: 2,
    mhz: 2596.11,
  });
});

test('two sockets with Hyper-Threading: cores are unique (physical id, core id) pairs', () => {
  assert.deepEqual(parseCpuinfo(fixture('cpuinfo-x86-2-socket-xeon-ht.txt')), {
    model: 'Intel(R) Xeon(R) CPU E5-2620 v4 @ 2.10GHz',
    cores: 4,
    threads: 8,
    mhz: 1200.042,
  });
});

test('Raspberry Pi 4 (arm64): board model and core from CPU part, no MHz', () => {
  assert.deepEqual(parseCpuinfo(fixture('cpuinfo-arm64-raspberry-pi-4.txt')), {
    model: 'Raspberry Pi 4 Model B Rev 1.4 (Cortex-A72)',
    cores: 4,
    threads: 4,
    mhz: null,
  });
});

test('i.MX6 Quad (armv7): the Hardware line beats the generic "ARMv7 Processor" model name', () => {
  assert.deepEqual(parseCpuinfo(fixture('cpuinfo-armv7-imx6q.txt')), {
    model: 'Freescale i.MX6 Quad/DualLite (Device Tree) (Cortex-A9)',
    cores: 4,
    threads: 4,
    mhz: null,
  });
});

test('cpu cores per package counts when core ids are missing', () => {
  const text = [
    'processor : 0',
    'physical id : 0',
    'cpu cores : 2',
    '',
    'processor : 1',
    'physical id : 0',
    'cpu cores : 2',
    '',
  ].join('\n');
  assert.equal(parseCpuinfo(text).cores, 2);
});

test('empty text: no processors, no model', () => {
  assert.deepEqual(parseCpuinfo(''), { model: null, cores: 0, threads: 0, mhz: null });
});
