// Serving while FFmpeg writes: waiting requests, many clients on one segment, cancel mid-job, niceness.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readProcStat } from '../../src/process/proc-stat.js';
import { pidAlive, startTestDaemon, testConfig, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';

describe('live serving and cancellation', () => {
  let d: TestDaemon;
  before(async () => {
    const mount = makeMountDir();
    copyFileSync(await makeMedia({ seconds: 60, width: 1280, height: 720 }), path.join(mount, 'long.mp4'));
    d = await startTestDaemon(testConfig(mount, { ffmpeg: { nice: 7 } }));
  });
  after(async () => {
    await d.stop();
  });

  it('holds a request for a segment not yet written and serves it whole once FFmpeg finishes it', async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'jit',
      input: 'long.mp4',
      video: { codec: 'h264', height: 720 },
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    // The playlist request itself waits until FFmpeg has written the playlist.
    const playlist = await fetch(`${d.localUrl}/streams/jit/stream.m3u8`);
    assert.equal(playlist.status, 200);
    assert.match(await playlist.text(), /seg-0\.ts/);
    // Segment 5 (10-12 s) is not there yet: 20 clients ask for it at once.
    const started = Date.now();
    const bodies = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const r = await fetch(`${d.localUrl}/streams/jit/seg-5.ts`);
        assert.equal(r.status, 200);
        return Buffer.from(await r.arrayBuffer());
      }),
    );
    assert.ok(Date.now() - started > 100, 'the requests had to wait');
    const onDisk = readFileSync(path.join(d.config.workDir, 'streams', 'jit', 'seg-5.ts'));
    for (const b of bodies) assert.ok(b.equals(onDisk), 'every client got the complete segment');
    assert.equal(onDisk[0], 0x47, 'MPEG-TS sync byte');
    // Past the end of a 60 s source at 2 s segments (30 segments): 404 at once, no wait.
    const beyond = await fetch(`${d.localUrl}/streams/jit/seg-30.ts`);
    assert.equal(beyond.status, 404);
  });

  it('runs FFmpeg niced, in its own process group', () => {
    const pid = d.jobs.pids().jit;
    assert.ok(pid !== undefined && pid > 0);
    const stat = readProcStat(pid);
    assert.equal(stat?.nice, 7);
    assert.equal(stat.pgrp, pid);
    assert.equal(stat.comm, 'ffmpeg');
  });

  it('cancels: FFmpeg gone within 1 s, waiting clients answered 404, status cancelled', async () => {
    const pid = d.jobs.pids().jit;
    assert.ok(pid !== undefined);
    const waiting = fetch(`${d.localUrl}/streams/jit/seg-29.ts`);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const del = await d.api('DELETE', '/jobs/jit');
    assert.equal(del.status, 200);
    const view = (await del.json()) as { status: string };
    assert.equal(view.status, 'cancelled');
    await waitFor(() => !pidAlive(pid), 1000, 'ffmpeg to exit');
    assert.ok(Date.now() - started < 1000);
    assert.equal((await waiting).status, 404);
    const again = await d.api('DELETE', '/jobs/jit');
    assert.equal(((await again.json()) as { status: string }).status, 'cancelled');
    // Finished segments of a cancelled job are still served; missing ones are not awaited.
    assert.equal((await fetch(`${d.localUrl}/streams/jit/seg-0.ts`)).status, 200);
    const t = Date.now();
    assert.equal((await fetch(`${d.localUrl}/streams/jit/seg-28.ts`)).status, 404);
    assert.ok(Date.now() - t < 500);
  });

  it('supports HEAD, Range and If-None-Match on segments', async () => {
    const url = `${d.localUrl}/streams/jit/seg-1.ts`;
    const full = await fetch(url);
    const etag = full.headers.get('etag');
    const size = Number(full.headers.get('content-length'));
    assert.ok(etag !== null && size > 188);
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers.get('content-length')), size);
    const part = await fetch(url, { headers: { range: 'bytes=0-187' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 0-187/${size}`);
    assert.equal((await part.arrayBuffer()).byteLength, 188);
    assert.equal((await fetch(url, { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal((await fetch(url, { headers: { range: `bytes=${size}-` } })).status, 416);
  });
});
