// Months unattended: jobs nobody watches are parked, stopped streams are deleted by age and disk budget, a full
// disk refuses new jobs, and a source that ends early is a failure, not a short film.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobView } from '../../src/contract/job-view.js';
import {
  pidAlive,
  startTestDaemon,
  testConfig,
  waitFor,
  waitForJobEnd,
  type TestDaemon,
} from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';

async function view(d: TestDaemon, id: string): Promise<JobView> {
  return (await (await d.api('GET', `/jobs/${id}`)).json()) as JobView;
}

describe('jobs nobody watches', () => {
  let d: TestDaemon;
  before(async () => {
    const mount = makeMountDir();
    copyFileSync(await makeMedia({ seconds: 60, width: 1280, height: 720 }), path.join(mount, 'long.mp4'));
    d = await startTestDaemon(
      testConfig(mount, { jobs: { idle_cancel_seconds: 2 }, limits: { max_jobs: 3 } }),
      {
        measureSpeed: false,
      },
    );
  });
  after(async () => {
    await d.stop();
  });

  it('parks a job with no fetch and no keepalive (its FFmpeg stops), and keeps one a viewer or the orchestrator wants', async () => {
    const post = async (id: string): Promise<void> => {
      const res = await d.api('POST', '/jobs', {
        id,
        input: 'long.mp4',
        video: { codec: 'h264', height: 720 },
      });
      assert.equal(res.status, 202);
    };
    // Each wanted job is watched from the moment it is accepted, on its own rhythm: a probe or a slow answer for
    // another job must not leave it without a request for the 2 s idle limit.
    const watching = new AbortController();
    const watch = async (ask: () => Promise<Response>): Promise<void> => {
      while (!watching.signal.aborted) {
        const res = await ask();
        await res.arrayBuffer();
        assert.equal(res.status, 200);
        await new Promise((r) => setTimeout(r, 400));
      }
    };
    await post('watched');
    const watchers = [watch(() => fetch(`${d.localUrl}/streams/watched/stream.m3u8`))];
    await post('kept');
    watchers.push(watch(() => d.api('POST', '/jobs/kept/keepalive')));
    try {
      await post('forgotten');
      await waitFor(() => d.jobs.pids().forgotten !== undefined, 10_000, 'its FFmpeg');
      const pid = d.jobs.pids().forgotten ?? 0;
      // Status polls are not activity; segment fetches and keepalives are.
      // Idle after 2 s, noticed by a sweep every 2 s: parked within about 4 s; 6 s leaves room on a busy machine.
      const deadline = performance.now() + 6000;
      while (performance.now() < deadline) {
        await view(d, 'forgotten');
        await new Promise((r) => setTimeout(r, 400));
      }
      const forgotten = await view(d, 'forgotten');
      assert.equal(forgotten.status, 'running', 'parked, not cancelled: its stream stays');
      assert.equal(forgotten.parked, true);
      await waitFor(() => !pidAlive(pid), 5000, 'its FFmpeg to be gone');
      for (const id of ['watched', 'kept']) {
        const v = await view(d, id);
        assert.equal(v.status, 'running');
        assert.equal(v.parked, false, `${id} is not parked`);
      }
    } finally {
      watching.abort();
      await Promise.all(watchers);
    }
    for (const id of ['forgotten', 'watched', 'kept']) await d.api('DELETE', `/jobs/${id}`);
  });

  it('counts a viewer still waiting for a segment not yet made as watching', async () => {
    // An event playlist: a VOD request this far ahead would start a seek head and be answered at once.
    await d.api('POST', '/jobs', {
      id: 'patient',
      input: 'long.mp4',
      video: { codec: 'h264', height: 720 },
      playlist: 'event',
    });
    // Segment 12 (48 s in) takes far longer than the 2 s idle limit to appear: the request waits all along.
    const waiting = fetch(`${d.localUrl}/streams/patient/seg-12.ts`).then(
      (r) => r.status,
      () => 0,
    );
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal((await view(d, 'patient')).parked, false);
    await d.api('DELETE', '/jobs/patient');
    assert.ok([200, 404].includes(await waiting));
  });

  it('keepalive needs the bearer and a known job', async () => {
    const anonymous = await fetch(`${d.localUrl}/jobs/kept/keepalive`, { method: 'POST' });
    assert.equal(anonymous.status, 401);
    const unknown = await d.api('POST', '/jobs/nope/keepalive');
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'JOB_NOT_FOUND');
  });
});

describe('stopped streams and the disk', () => {
  let d: TestDaemon;
  let mount: string;
  before(async () => {
    mount = makeMountDir();
    copyFileSync(await makeMedia({ seconds: 6, width: 640, height: 360 }), path.join(mount, 'short.mp4'));
    // keep_minutes 0.05 = 3 s.
    d = await startTestDaemon(testConfig(mount, { streams: { keep_minutes: 0.05 } }), {
      measureSpeed: false,
    });
  });
  after(async () => {
    await d.stop();
  });

  it('deletes a finished stream keep_minutes after its last request; the job record stays', async () => {
    await d.api('POST', '/jobs', { id: 'brief', input: 'short.mp4', video: { codec: 'h264', height: 240 } });
    assert.equal((await waitForJobEnd(d, 'brief')).status, 'completed');
    const dir = path.join(d.config.workDir, 'streams', 'brief');
    assert.equal((await fetch(`${d.localUrl}/streams/brief/stream.m3u8`)).status, 200);
    assert.ok(existsSync(dir));
    await waitFor(() => !existsSync(dir), 10_000, 'the stream folder to be deleted');
    const gone = await fetch(`${d.localUrl}/streams/brief/seg-0.ts`);
    assert.equal(gone.status, 404);
    assert.equal(((await gone.json()) as { error: { code: string } }).error.code, 'STREAM_NOT_FOUND');
    assert.equal((await view(d, 'brief')).status, 'completed');
  });

  it('fails a job whose source is cut short while FFmpeg reads it, and the worker stays healthy', async () => {
    // 60 s of 720p takes several seconds to encode: truncate the file under FFmpeg's feet.
    const file = path.join(mount, 'doomed.mp4');
    writeFileSync(
      file,
      readFileSync(await makeMedia({ seconds: 60, width: 1280, height: 720, container: 'ts' })),
    );
    await d.api('POST', '/jobs', {
      id: 'doomed',
      input: 'doomed.mp4',
      video: { codec: 'h264', height: 720 },
    });
    await waitFor(async () => (await view(d, 'doomed')).status === 'running', 10_000, 'the job to run');
    truncateSync(file, Math.floor(readFileSync(file).length / 4));
    const v = await waitForJobEnd(d, 'doomed');
    assert.equal(v.status, 'failed');
    assert.match(v.error ?? '', /input ended after/);
    assert.equal((await fetch(`${d.localUrl}/health`)).status, 200);
  });
});

describe('a disk below its floor', () => {
  let d: TestDaemon;
  before(async () => {
    const mount = makeMountDir();
    copyFileSync(await makeMedia({ seconds: 6, width: 640, height: 360 }), path.join(mount, 'short.mp4'));
    // A floor no disk here meets: the situation of a full work_dir, without filling the machine's disk.
    d = await startTestDaemon(testConfig(mount, { streams: { min_free_disk_mb: 1_000_000_000 } }), {
      measureSpeed: false,
    });
  });
  after(async () => {
    await d.stop();
  });

  it('refuses new jobs with 507 and Retry-After, starts no FFmpeg, and reports busy (low_disk)', async () => {
    const res = await d.api('POST', '/jobs', { input: 'short.mp4', video: { codec: 'h264' } });
    assert.equal(res.status, 507);
    assert.equal(res.headers.get('retry-after'), '10');
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'DISK_FULL');
    assert.match(body.error.message, /min_free_disk_mb/);
    assert.deepEqual(d.jobs.pids(), {});
    const health = (await (await fetch(`${d.localUrl}/health`)).json()) as {
      status: string;
      statusReason: string;
    };
    assert.equal(health.status, 'busy');
    assert.equal(health.statusReason, 'low_disk');
  });
});
