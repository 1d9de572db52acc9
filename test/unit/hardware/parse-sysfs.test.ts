// Small sysfs files, in the kernel's documented formats (this machine has no cpufreq, DRM or V4L2 devices; its
// PCI vendor files read 0x8086 for the host bridge and 0x1af4 for virtio, as used below).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isV4l2VideoEncoderName,
  parseCpufreqKhz,
  parsePciVendor,
} from '../../../src/hardware/parse-sysfs.js';

test('cpufreq kHz → MHz', () => {
  assert.equal(parseCpufreqKhz('1500000\n'), 1500);
  assert.equal(parseCpufreqKhz('2596110\n'), 2596);
  assert.equal(parseCpufreqKhz('0\n'), null);
  assert.equal(parseCpufreqKhz('<unknown>\n'), null);
});

test('PCI vendors: Intel, AMD, NVIDIA by name; others by id', () => {
  assert.equal(parsePciVendor('0x8086\n'), 'intel');
  assert.equal(parsePciVendor('0x1002\n'), 'amd');
  assert.equal(parsePciVendor('0x10DE\n'), 'nvidia');
  assert.equal(parsePciVendor('0x1af4\n'), '0x1af4');
  assert.equal(parsePciVendor(''), null);
});

test('V4L2 names: video encoders yes; decoders, ISP and JPEG encoders no', () => {
  for (const name of ['bcm2835-codec-encode', 'coda-encoder', 'mtk-vcodec-enc', 's5p-mfc-enc']) {
    assert.equal(isV4l2VideoEncoderName(`${name}\n`), true, name);
  }
  for (const name of [
    'bcm2835-codec-decode',
    'mtk-vcodec-dec',
    'enc-dec',
    'bcm2835-codec-encode_image',
    'bcm2835-codec-isp',
    'coda-jpeg-encoder',
    'rpivid',
    'uvcvideo',
  ]) {
    assert.equal(isV4l2VideoEncoderName(name), false, name);
  }
});
