// meminfo-debian12.txt is this machine's real /proc/meminfo. meminfo-no-memavailable.txt follows the format of
// kernels before 3.14, which had no MemAvailable line (written by hand: no such kernel here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMeminfo } from '../../../src/hardware/parse-meminfo.js';
import { fixture } from './fixture.js';

test('this machine: MemTotal and MemAvailable in bytes (kB is KiB)', () => {
  const text = fixture('meminfo-debian12.txt');
  const kib = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]) * 1024;
  const m = parseMeminfo(text);
  assert.deepEqual(m, { totalBytes: kib('MemTotal'), availableBytes: kib('MemAvailable') });
  assert.ok(m.totalBytes > 1024 ** 3, 'more than 1 GiB');
});

test('old kernels without MemAvailable: MemFree + Buffers + Cached', () => {
  assert.deepEqual(parseMeminfo(fixture('meminfo-no-memavailable.txt')), {
    totalBytes: 1012356 * 1024,
    availableBytes: (104212 + 20480 + 307200) * 1024,
  });
});

test('no MemTotal: null', () => {
  assert.equal(parseMeminfo('MemFree: 1 kB\n'), null);
});
