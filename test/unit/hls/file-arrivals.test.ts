// The event path a waiting request depends on: FFmpeg's rename of seg-N.ts.tmp → seg-N.ts wakes the waiter.
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { FileArrivals } from '../../../src/hls/file-arrivals.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function folder(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'tw-arrivals-'));
  dirs.push(d);
  return d;
}

describe('FileArrivals', () => {
  it('wakes waiters on the rename of a finished temp file, not on its partial writes', async () => {
    const dir = folder();
    const arrivals = new FileArrivals(dir);
    arrivals.start();
    const seen: string[] = [];
    arrivals.onArrival = (name) => seen.push(name);
    // A 60 s timeout and no recheck(): only the inotify event can answer within the test's time.
    const waits = Array.from({ length: 5 }, () => arrivals.waitFor('seg-3.ts', 60_000));
    const tmp = path.join(dir, 'seg-3.ts.tmp');
    writeFileSync(tmp, Buffer.alloc(64 * 1024, 0x47));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(arrivals.waiting, 5, 'a partial temp file wakes nobody');
    renameSync(tmp, path.join(dir, 'seg-3.ts'));
    const outcomes = await Promise.all(waits);
    assert.deepEqual(outcomes, Array(5).fill('ready'));
    assert.ok(seen.includes('seg-3.ts'));
    assert.equal(arrivals.waiting, 0);
    await arrivals.close();
  });

  it('answers at once for a file already there, and closed / timeout / aborted otherwise', async () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'seg-0.ts'), 'x');
    const arrivals = new FileArrivals(dir);
    arrivals.start();
    assert.equal(await arrivals.waitFor('seg-0.ts', 60_000), 'ready');
    assert.equal(await arrivals.waitFor('seg-1.ts', 20), 'timeout');
    const gone = new AbortController();
    const aborted = arrivals.waitFor('seg-1.ts', 60_000, gone.signal);
    gone.abort();
    assert.equal(await aborted, 'aborted');
    const pending = arrivals.waitFor('seg-2.ts', 60_000);
    await new Promise((r) => setTimeout(r, 10));
    await arrivals.close();
    assert.equal(await pending, 'closed');
  });
});

describe('FileArrivals.listen', () => {
  it('tells listeners every name the folder reports until close', async () => {
    const dir = folder();
    const arrivals = new FileArrivals(dir);
    arrivals.start();
    const heard: string[] = [];
    arrivals.listen((name) => heard.push(name));
    writeFileSync(path.join(dir, 'seg-0.ts.tmp'), 'x');
    renameSync(path.join(dir, 'seg-0.ts.tmp'), path.join(dir, 'seg-0.ts'));
    assert.equal(await arrivals.waitFor('seg-0.ts', 60_000), 'ready');
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(heard.includes('seg-0.ts'));
    await arrivals.close();
    const before = heard.length;
    writeFileSync(path.join(dir, 'seg-1.ts'), 'x');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(heard.length, before, 'nothing after close');
  });
});
