// The probe cache: a file's identity (inode, size, mtime) keys what ffprobe said; a changed file is probed again.
import assert from 'node:assert/strict';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ProbeCache } from '../../../src/media/probe-cache.js';
import type { SourceInfo } from '../../../src/media/source-info.js';

const info = (durationSeconds: number): SourceInfo => ({
  durationSeconds,
  formatName: 'mov,mp4',
  video: null,
  audioTracks: [],
  subtitleTracks: [],
});

describe('ProbeCache', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-probe-cache-'));

  it('answers for an unchanged file and not once it was rewritten or touched', async () => {
    const file = path.join(dir, 'film.mp4');
    writeFileSync(file, 'one');
    const cache = new ProbeCache();
    const key = await cache.key(file);
    assert.ok(key !== null);
    cache.set(key, info(10));
    assert.equal(cache.get((await cache.key(file)) ?? '')?.durationSeconds, 10);
    writeFileSync(file, 'longer content');
    assert.equal(cache.get((await cache.key(file)) ?? ''), undefined, 'size changed');
    const sameSize = (await cache.key(file)) ?? '';
    cache.set(sameSize, info(20));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.equal(cache.get((await cache.key(file)) ?? ''), undefined, 'mtime changed');
  });

  it('has no key for a missing file', async () => {
    assert.equal(await new ProbeCache().key(path.join(dir, 'missing.mkv')), null);
  });

  it('keeps the 64 most recently used entries', () => {
    const cache = new ProbeCache();
    for (let i = 0; i < 64; i++) cache.set(`k${i}`, info(i));
    assert.equal(cache.get('k0')?.durationSeconds, 0, 'k0 becomes the most recently used');
    cache.set('k64', info(64));
    assert.equal(cache.size, 64);
    assert.equal(cache.get('k1'), undefined, 'the least recently used went');
    assert.equal(cache.get('k0')?.durationSeconds, 0);
  });
});
