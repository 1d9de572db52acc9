// The cache file: key, validation, atomic write and read back (in a temporary folder).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { AcceleratorCandidate } from '../../../src/hardware/device-scan.js';
import {
  CACHE_FILE,
  cacheKey,
  parseCachedProfile,
  readProfileCache,
  writeProfileCache,
  writeProfileCacheSync,
  type CachedProfile,
} from '../../../src/hardware/profile-cache.js';

const h264Vaapi = {
  name: 'h264_vaapi',
  codec: 'h264',
  accelerator: 'vaapi',
  device: '/dev/dri/renderD128',
} as const;
const vaapi: AcceleratorCandidate = {
  type: 'vaapi',
  device: '/dev/dri/renderD128',
  vendor: 'intel',
  driver: 'i915',
  encoders: [h264Vaapi],
};
const x264 = { name: 'libx264', codec: 'h264', accelerator: null, device: null } as const;
const key = cacheKey('/usr/bin/ffmpeg', '5.1.9-0+deb12u1', [vaapi], [...vaapi.encoders, x264]);
const profile: CachedProfile = {
  format: 1,
  key,
  accelerators: [vaapi],
  encoders: [
    {
      ...x264,
      usable: true,
      speed: { '720p': 4.1, '1080p': 2.67 },
      measuredAt: { '720p': '2026-01-01T00:00:00.000Z', '1080p': '2026-01-01T00:00:03.000Z' },
    },
    { ...h264Vaapi, usable: false, reason: 'AVHWDeviceContext: No VA display found' },
  ],
  speedMeasured: true,
  unusable: { libx265: 'exit 1' },
  savedAt: '2026-01-01T00:00:00.000Z',
};

const dir = mkdtempSync(path.join(tmpdir(), 'tw-cache-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('the key: FFmpeg path and version, sorted device lines and candidates', () => {
  assert.deepEqual(key, {
    ffmpegPath: '/usr/bin/ffmpeg',
    ffmpegVersion: '5.1.9-0+deb12u1',
    devices: ['vaapi /dev/dri/renderD128 intel i915 '],
    candidates: ['h264_vaapi@/dev/dri/renderD128', 'libx264@'],
  });
});

test('a profile parses back only for the same key and a well-formed body', () => {
  const text = JSON.stringify(profile);
  assert.deepEqual(parseCachedProfile(text, key), profile);
  assert.equal(parseCachedProfile(text, { ...key, ffmpegVersion: '6.0' }), null);
  assert.equal(parseCachedProfile(text, { ...key, devices: [] }), null);
  assert.equal(parseCachedProfile(JSON.stringify({ ...profile, format: 2 }), key), null);
  assert.equal(parseCachedProfile(JSON.stringify({ ...profile, encoders: [{ name: 'x' }] }), key), null);
  assert.equal(parseCachedProfile('{"format":1', key), null);
});

test('figures without their measuredAt (a file from before it existed) are dropped, to be measured again', () => {
  const [x, vaapiCheck] = profile.encoders;
  assert.ok(x !== undefined && vaapiCheck !== undefined);
  const older = { ...profile, encoders: [{ ...x, measuredAt: undefined }, vaapiCheck] };
  const parsed = parseCachedProfile(JSON.stringify(older), key);
  assert.deepEqual(parsed?.encoders, [{ ...x264, usable: true }, vaapiCheck]);
  assert.equal(parsed.speedMeasured, false);
  // One figure with its time, one without: the dated one stays.
  const half = { ...x, measuredAt: { '1080p': '2026-01-01T00:00:03.000Z' } };
  assert.deepEqual(parseCachedProfile(JSON.stringify({ ...profile, encoders: [half] }), key)?.encoders, [
    { ...x264, usable: true, speed: { '1080p': 2.67 }, measuredAt: { '1080p': '2026-01-01T00:00:03.000Z' } },
  ]);
});

test('write (async and sync) then read; no temporary files left', async () => {
  await writeProfileCache(dir, profile);
  assert.deepEqual(await readProfileCache(dir, key), profile);
  writeProfileCacheSync(dir, { ...profile, speedMeasured: false });
  assert.equal((await readProfileCache(dir, key))?.speedMeasured, false);
  assert.deepEqual(readdirSync(dir), [CACHE_FILE]);
});

test('missing or corrupt file: null', async () => {
  assert.equal(await readProfileCache(path.join(dir, 'nowhere'), key), null);
  writeFileSync(path.join(dir, CACHE_FILE), 'not json');
  assert.equal(await readProfileCache(dir, key), null);
});
