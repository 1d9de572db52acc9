// The cache against real files in a temp folder: accounting, LRU order, versions, shared reads.
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildConfig } from '../../../src/config.js';
import { defaultCacheBytes, SegmentCache } from '../../../src/hls/segment-cache.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-cache-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
const KiB = 1024;
const MiB = 1024 * KiB;

function put(name: string, bytes: number, fill = 1): string {
  const file = path.join(dir, name);
  // Written under a temp name and renamed, as FFmpeg's temp_file does: a new inode each time.
  writeFileSync(`${file}.tmp`, Buffer.alloc(bytes, fill));
  renameSync(`${file}.tmp`, file);
  return file;
}
const get = (cache: SegmentCache, file: string) => cache.get(file, statSync(file));

describe('SegmentCache', () => {
  it('derives its default size from total memory: 1/64, at least 16 and at most 128 MiB', () => {
    assert.equal(defaultCacheBytes(512 * MiB), 16 * MiB);
    assert.equal(defaultCacheBytes(1024 * MiB), 16 * MiB);
    assert.equal(defaultCacheBytes(4096 * MiB), 64 * MiB);
    assert.equal(defaultCacheBytes(64 * 1024 * MiB), 128 * MiB);
  });

  it('reads a file once and serves the same Buffer to every later request', async () => {
    const cache = new SegmentCache(MiB);
    const file = put('a.ts', 100 * KiB, 7);
    const first = await get(cache, file);
    const second = await get(cache, file);
    assert.equal(first.body, second.body);
    assert.equal(first.body.length, 100 * KiB);
    assert.equal(first.body[0], 7);
    assert.deepEqual(cache.stats(), { hits: 1, misses: 1, bytes: 100 * KiB, entries: 1 });
  });

  it('shares one read between concurrent misses', async () => {
    const cache = new SegmentCache(MiB);
    const file = put('b.ts', 50 * KiB);
    const bodies = await Promise.all(Array.from({ length: 10 }, () => get(cache, file)));
    assert.ok(bodies.every((b) => b.body === bodies[0]?.body));
    assert.equal(cache.stats().misses, 1);
    assert.equal(cache.stats().bytes, 50 * KiB);
  });

  it('never counts a path twice: a new version replaces the old one in the accounting', async () => {
    const cache = new SegmentCache(MiB);
    const file = put('c.m3u8', 10 * KiB, 1);
    await get(cache, file);
    put('c.m3u8', 20 * KiB, 2);
    const fresh = await get(cache, file);
    assert.equal(fresh.body.length, 20 * KiB);
    assert.equal(fresh.body[0], 2, 'the new version, not the cached old bytes');
    assert.deepEqual(cache.stats(), { hits: 0, misses: 2, bytes: 20 * KiB, entries: 1 });
  });

  it('evicts the least recently used files to stay within its budget', async () => {
    const cache = new SegmentCache(1000 * KiB);
    const files = ['d0', 'd1', 'd2', 'd3'].map((n) => put(n, 240 * KiB));
    for (const f of files) await get(cache, f);
    await get(cache, files[0] ?? ''); // d0 becomes the most recent
    put('d4', 240 * KiB);
    await get(cache, path.join(dir, 'd4')); // 5 × 240 KiB > 1000 KiB: d1 (least recent) leaves
    assert.equal(cache.stats().entries, 4);
    assert.equal(cache.stats().bytes, 4 * 240 * KiB);
    const missesBefore = cache.stats().misses;
    await get(cache, files[0] ?? '');
    assert.equal(cache.stats().misses, missesBefore, 'd0 stayed');
    await get(cache, files[1] ?? '');
    assert.equal(cache.stats().misses, missesBefore + 1, 'd1 was evicted');
  });

  it('keeps no file larger than a quarter of its budget (those stream from disk) and none at size 0', async () => {
    const cache = new SegmentCache(MiB);
    assert.equal(cache.admits(256 * KiB), true);
    assert.equal(cache.admits(256 * KiB + 1), false);
    const big = put('big.ts', 300 * KiB);
    assert.equal((await get(cache, big)).body.length, 300 * KiB, 'still readable through the cache');
    assert.equal(cache.stats().bytes, 0);
    const none = new SegmentCache(0);
    assert.equal(none.admits(1), false);
  });

  it('reads ahead: a prefetched file is a hit for the request that follows, and a failed prefetch is silent', async () => {
    const cache = new SegmentCache(MiB);
    const file = put('ahead.ts', 30 * KiB);
    cache.prefetch(file, statSync(file));
    const entry = await get(cache, file);
    assert.equal(entry.body.length, 30 * KiB);
    // The read-ahead is not a request: the request that follows counts as a hit.
    assert.deepEqual(cache.stats(), { hits: 1, misses: 0, bytes: 30 * KiB, entries: 1 });
    cache.prefetch(path.join(dir, 'gone.ts'), { ino: 1, size: 1, mtimeMs: 1 });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(cache.stats().entries, 1);
  });

  it('rejects when the file is missing', async () => {
    const cache = new SegmentCache(MiB);
    await assert.rejects(cache.get(path.join(dir, 'missing.ts'), { ino: 1, size: 1, mtimeMs: 1 }), {
      code: 'ENOENT',
    });
  });
});

describe('serving.cache_mb', () => {
  const inputs = { env: {}, hostname: 'h', cwd: '/' };
  const base = { auth_token: 'x'.repeat(16), nas_mount_path: '/m', work_dir: '/w' };
  it('is null (derived at start) when absent, MiB when given, and 0 serves everything from disk', () => {
    assert.equal(buildConfig(base, '/', inputs, 't').serving.cacheBytes, null);
    assert.equal(
      buildConfig({ ...base, serving: { cache_mb: 32 } }, '/', inputs, 't').serving.cacheBytes,
      32 * MiB,
    );
    assert.equal(buildConfig({ ...base, serving: { cache_mb: 0 } }, '/', inputs, 't').serving.cacheBytes, 0);
  });
  it('rejects negative, fractional and unknown values', () => {
    for (const serving of [{ cache_mb: -1 }, { cache_mb: 1.5 }, { cache_mb: '64' }, { cache_size: 1 }]) {
      assert.throws(() => buildConfig({ ...base, serving }, '/', inputs, 't'), { code: 'CONFIG_INVALID' });
    }
  });
});
