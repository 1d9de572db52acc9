// Static-file semantics of finished streams, from memory and from disk, and a job id reused after a restart.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startTestDaemon, testConfig, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';

const mount = makeMountDir();
copyFileSync(await makeMedia({ seconds: 6, width: 640, height: 360 }), path.join(mount, 'clip.mp4'));

async function finishedJob(d: TestDaemon, id: string, height: number): Promise<void> {
  const res = await d.api('POST', '/jobs', {
    id,
    input: 'clip.mp4',
    video: { codec: 'h264', height },
    segmentSeconds: 2,
  });
  assert.equal(res.status, 202);
  await waitFor(() => d.jobs.view(id).status === 'completed', 30_000, `job ${id}`);
}

const onDisk = (d: TestDaemon, id: string, name: string): Buffer =>
  readFileSync(path.join(d.config.workDir, 'streams', id, name));

/** The same checks on either serving path (memory or disk). */
async function checkSemantics(d: TestDaemon, id: string): Promise<void> {
  const url = `${d.localUrl}/streams/${id}/seg-1.ts`;
  const bytes = onDisk(d, id, 'seg-1.ts');
  const full = await fetch(url);
  assert.equal(full.status, 200);
  assert.ok(Buffer.from(await full.arrayBuffer()).equals(bytes));
  const etag = full.headers.get('etag') ?? '';
  assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
  assert.equal(full.headers.get('cache-control'), 'public, max-age=86400', 'long-lived, not immutable');

  // bytes=5-3 is syntactically invalid: ignored, the whole file with 200.
  const invalid = await fetch(url, { headers: { range: 'bytes=5-3' } });
  assert.equal(invalid.status, 200);
  assert.equal((await invalid.arrayBuffer()).byteLength, bytes.length);
  const unsatisfiable = await fetch(url, { headers: { range: 'bytes=99999999-' } });
  assert.equal(unsatisfiable.status, 416);
  assert.equal(unsatisfiable.headers.get('content-range'), `bytes */${bytes.length}`);
  assert.deepEqual(
    ((await unsatisfiable.json()) as { error: { code: string } }).error.code,
    'RANGE_NOT_SATISFIABLE',
  );
  const part = await fetch(url, { headers: { range: 'bytes=188-375' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 188-375/${bytes.length}`);
  assert.ok(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(188, 376)));
  const tail = await fetch(url, { headers: { range: 'bytes=-188' } });
  assert.ok(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 188)));
  const head = await fetch(url, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), bytes.length);
  assert.equal(head.headers.get('etag'), etag);
  assert.equal((await head.arrayBuffer()).byteLength, 0);

  for (const inm of [etag, `"other", ${etag}`, `W/${etag}`, '*']) {
    const r = await fetch(url, { headers: { 'if-none-match': inm } });
    assert.equal(r.status, 304, `If-None-Match: ${inm}`);
    assert.equal(r.headers.get('etag'), etag);
  }
  assert.equal((await fetch(url, { headers: { 'if-none-match': '"other", "x"' } })).status, 200);

  const playlistUrl = `${d.localUrl}/streams/${id}/stream.m3u8`;
  const pl = await fetch(playlistUrl);
  assert.equal(pl.headers.get('cache-control'), 'public, max-age=3600', 'finished playlist');
  assert.match(await pl.text(), /#EXT-X-ENDLIST/);
  const plEtag = pl.headers.get('etag') ?? '';
  assert.equal((await fetch(playlistUrl, { headers: { 'if-none-match': plEtag } })).status, 304);
}

describe('serving finished streams', () => {
  let d: TestDaemon | null = null;
  after(async () => {
    await d?.stop();
  });

  it('serves from memory with Range, HEAD and If-None-Match semantics', async () => {
    d = await startTestDaemon(testConfig(mount));
    await finishedJob(d, 'reuse', 360);
    await checkSemantics(d, 'reuse');
  });

  it('serves from disk (serving.cache_mb: 0) the same way, and a job id reused after a restart gets new ETags', async () => {
    assert.ok(d !== null);
    const workDir = d.config.workDir;
    const oldUrl = `${d.localUrl}/streams/reuse/seg-0.ts`;
    const old = await fetch(oldUrl);
    const oldEtag = old.headers.get('etag') ?? '';
    const oldBody = Buffer.from(await old.arrayBuffer());
    await d.stop();
    d = null;

    d = await startTestDaemon(testConfig(mount, { work_dir: workDir, serving: { cache_mb: 0 } }));
    await finishedJob(d, 'reuse', 240);
    await checkSemantics(d, 'reuse');
    const url = `${d.localUrl}/streams/reuse/seg-0.ts`;
    // A player holding the old copy revalidates and gets the new stream's bytes, not a 304.
    const again = await fetch(url, { headers: { 'if-none-match': oldEtag } });
    assert.equal(again.status, 200);
    assert.notEqual(again.headers.get('etag'), oldEtag);
    const body = Buffer.from(await again.arrayBuffer());
    assert.ok(body.equals(onDisk(d, 'reuse', 'seg-0.ts')));
    assert.ok(!body.equals(oldBody));
  });
});
