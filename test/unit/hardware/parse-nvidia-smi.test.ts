// nvidia-smi-query-gpu.csv follows the documented output of
// `nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader,nounits` (memory in MiB); written
// by hand, as this machine has no NVIDIA GPU.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNvidiaSmi } from '../../../src/hardware/parse-nvidia-smi.js';
import { fixture } from './fixture.js';

test('one GPU per line: name, driver, memory in bytes', () => {
  assert.deepEqual(parseNvidiaSmi(fixture('nvidia-smi-query-gpu.csv')), [
    { name: 'NVIDIA GeForce RTX 3060', driver: '535.129.03', memoryBytes: 12288 * 1024 * 1024 },
    { name: 'Tesla T4', driver: '535.129.03', memoryBytes: 15360 * 1024 * 1024 },
  ]);
});

test('errors and unknown memory', () => {
  assert.deepEqual(
    parseNvidiaSmi("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"),
    [],
  );
  assert.deepEqual(parseNvidiaSmi('Quadro P400, 470.82.01, [N/A]\n'), [
    { name: 'Quadro P400', driver: '470.82.01', memoryBytes: null },
  ]);
});
