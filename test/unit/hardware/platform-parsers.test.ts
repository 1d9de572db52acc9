// macOS sysctl and Windows CIM parsers. No Mac or Windows machine is available here: the fixtures are written in the
// tools' documented output formats, not captured. sysctl -n prints one value per line in the order asked (sysctl(8));
// the values are those Apple publishes for a Mac mini M2 (8 cores, 16 GB) and a 2018 Intel Mac mini (i7-8700B).
// The CIM fixtures follow Microsoft's Win32_Processor and Win32_VideoController property documentation, as
// `Select-Object … | ConvertTo-Json -Compress` prints them: one object for one instance, an array for several.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cimObjects,
  gpuVendor,
  parseCimProcessors,
  parseCimVideoControllers,
} from '../../../src/hardware/parse-cim.js';
import { isAppleSilicon, parseSysctlCpu } from '../../../src/hardware/parse-sysctl.js';
import { fixture } from './fixture.js';

describe('macOS sysctl', () => {
  it('reads an Apple silicon and an Intel Mac mini', () => {
    assert.deepEqual(parseSysctlCpu(fixture('sysctl-cpu-apple-m2-mac-mini.txt')), {
      model: 'Apple M2',
      cores: 8,
      threads: 8,
      memoryBytes: 16 * 1024 ** 3,
    });
    assert.deepEqual(parseSysctlCpu(fixture('sysctl-cpu-intel-mac-mini-2018.txt')), {
      model: 'Intel(R) Core(TM) i7-8700B CPU @ 3.20GHz',
      cores: 6,
      threads: 12,
      memoryBytes: 32 * 1024 ** 3,
    });
  });

  it('refuses short, non-numeric or impossible output', () => {
    assert.equal(parseSysctlCpu('Apple M2\n8\n8\n'), null);
    assert.equal(parseSysctlCpu('Apple M2\neight\n8\n1\n'), null);
    assert.equal(parseSysctlCpu('Apple M2\n8\n4\n17179869184\n'), null, 'fewer threads than cores');
    assert.equal(parseSysctlCpu('\n8\n8\n17179869184\n'), null);
    assert.equal(parseSysctlCpu(''), null);
  });

  it('Apple silicon from hw.optional.arm64, else from the brand string', () => {
    assert.equal(isAppleSilicon('1\n', 'Apple M2'), true);
    assert.equal(isAppleSilicon('1\n', 'Intel(R) Core(TM) i7'), true, 'Rosetta: the machine is arm64');
    assert.equal(isAppleSilicon('0\n', 'Intel(R) Core(TM) i7-8700B'), false);
    assert.equal(isAppleSilicon(null, 'Intel(R) Core(TM) i7-8700B'), false, 'unknown oid on Intel');
    assert.equal(isAppleSilicon(null, 'Apple M1 Pro'), true);
  });
});

describe('Windows Win32_Processor', () => {
  it('one socket (a single object), trimmed name', () => {
    assert.deepEqual(parseCimProcessors(fixture('cim-win32-processor-single.txt')), {
      model: 'AMD Ryzen 7 5800X 8-Core Processor',
      cores: 8,
      threads: 16,
      maxMhz: 3801,
      currentMhz: 3801,
    });
  });

  it('two sockets (an array): cores and threads summed', () => {
    const cpu = parseCimProcessors(fixture('cim-win32-processor-dual-socket.txt'));
    assert.equal(cpu?.cores, 28);
    assert.equal(cpu.threads, 56);
    assert.equal(cpu.model, 'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz');
  });

  it('nothing usable: empty, an error text, missing counts', () => {
    assert.equal(parseCimProcessors(''), null);
    assert.equal(parseCimProcessors('Get-CimInstance : Access denied'), null);
    assert.equal(parseCimProcessors('{"Name":"x","NumberOfCores":null,"NumberOfLogicalProcessors":4}'), null);
    assert.deepEqual(cimObjects('[1,"a",null]'), []);
  });
});

describe('Windows Win32_VideoController', () => {
  it('an iGPU beside a dGPU (array), vendors from AdapterCompatibility', () => {
    assert.deepEqual(parseCimVideoControllers(fixture('cim-win32-videocontroller-igpu-dgpu.txt')), [
      {
        name: 'Intel(R) UHD Graphics 770',
        vendor: 'intel',
        driverVersion: '31.0.101.4502',
        adapterRamBytes: 1073741824,
      },
      {
        name: 'NVIDIA GeForce RTX 3060',
        vendor: 'nvidia',
        driverVersion: '31.0.15.3623',
        adapterRamBytes: 4293918720,
      },
    ]);
  });

  it('a Radeon (single object) and the Microsoft Basic Display Adapter', () => {
    assert.deepEqual(
      parseCimVideoControllers(fixture('cim-win32-videocontroller-radeon.txt')).map((g) => g.vendor),
      ['amd'],
    );
    assert.deepEqual(parseCimVideoControllers(fixture('cim-win32-videocontroller-basic.txt')), [
      {
        name: 'Microsoft Basic Display Adapter',
        vendor: 'microsoft',
        driverVersion: '10.0.22621.1',
        adapterRamBytes: null,
      },
    ]);
  });

  it('vendor names', () => {
    assert.equal(gpuVendor('Advanced Micro Devices, Inc.', 'AMD Radeon(TM) Graphics'), 'amd');
    assert.equal(gpuVendor(null, 'ATI Radeon HD 5450'), 'amd');
    assert.equal(gpuVendor(null, 'Parallels Display Adapter (WDDM)'), 'other');
    assert.equal(gpuVendor('NVIDIA', 'NVIDIA GeForce GTX 1650'), 'nvidia');
  });
});
