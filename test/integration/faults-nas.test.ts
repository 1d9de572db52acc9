// The NAS path vanishing or unreadable mid-job. What really happens on Linux: FFmpeg holds its input open, so a
// running job reads on and completes whether the mount folder is renamed or a folder is chmod 000 (a NAS that
// really drops out fails reads instead: that case, a file cut short under FFmpeg, is in housekeeping.test.ts). New
// jobs meanwhile get a clear error and leave nothing behind, the worker stays healthy, and jobs work once the path
// is back. chmod stops no root process, so that part runs the worker as an unprivileged user, as a service does.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobView } from '../../src/contract/job-view.js';
import { runCli, writeConfig, type CliProcess } from '../helpers/cli.js';
import { pidAlive, startTestDaemon, testConfig, TOKEN, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';
import { ffmpegMentioning } from '../helpers/procs.js';

/** GET /jobs/{id} (open) and POST /jobs (bearer) against any worker. */
async function view(url: string, id: string): Promise<JobView> {
  return (await (await fetch(`${url}/jobs/${id}`)).json()) as JobView;
}

function post(url: string, id: string, input: string): Promise<Response> {
  return fetch(`${url}/jobs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id, input, video: { codec: 'h264', height: 240 } }),
  });
}

async function ended(url: string, id: string): Promise<JobView> {
  let v: JobView | undefined;
  await waitFor(
    async () => !['queued', 'running'].includes((v = await view(url, id)).status),
    60_000,
    `job ${id} to end`,
  );
  return v as JobView;
}

/** Waits until FFmpeg has written a segment: it has opened its input by then. */
async function reading(url: string, id: string): Promise<void> {
  await waitFor(async () => (await view(url, id)).segmentsReady > 0, 30_000, `job ${id} to write a segment`);
}

/** A refused job left nothing: no record, no stream folder, no FFmpeg. */
async function leftNothing(url: string, workDir: string, id: string): Promise<void> {
  assert.equal((await fetch(`${url}/jobs/${id}`)).status, 404);
  assert.ok(!existsSync(path.join(workDir, 'streams', id)), 'no stream folder');
  assert.deepEqual(ffmpegMentioning(path.join(workDir, 'streams', id)), [], 'no FFmpeg');
}

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe('the NAS mount folder renamed away mid-job', () => {
  let d: TestDaemon;
  let mount: string;
  before(async () => {
    mount = makeMountDir();
    copyFileSync(await makeMedia({ seconds: 30, width: 1280, height: 720 }), path.join(mount, 'film.mp4'));
    copyFileSync(await makeMedia({ seconds: 4, width: 640, height: 360 }), path.join(mount, 'short.mp4'));
    d = await startTestDaemon(testConfig(mount), { measureSpeed: false });
  });
  after(async () => {
    await d.stop();
  });

  it('running job completes on its open file; new jobs get 503 NAS_UNAVAILABLE and leave nothing; jobs work once it is back', async () => {
    assert.equal((await post(d.localUrl, 'during', 'film.mp4')).status, 202);
    await reading(d.localUrl, 'during');
    const pid = d.jobs.pids().during ?? 0;
    const away = `${mount}-away`;
    renameSync(mount, away);
    try {
      assert.ok(pidAlive(pid), 'the job was still running when the mount went away');
      const res = await post(d.localUrl, 'while-gone', 'short.mp4');
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '30');
      assert.equal(await errorCode(res), 'NAS_UNAVAILABLE');
      await leftNothing(d.localUrl, d.config.workDir, 'while-gone');
      assert.deepEqual(Object.keys(d.jobs.pids()), ['during']);
      const health = await fetch(`${d.localUrl}/health`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'ready');
      assert.equal((await ended(d.localUrl, 'during')).status, 'completed');
    } finally {
      renameSync(away, mount);
    }
    assert.equal((await post(d.localUrl, 'back', 'short.mp4')).status, 202);
    assert.equal((await ended(d.localUrl, 'back')).status, 'completed');
  });
});

const NOBODY = { uid: 65534, gid: 65534 };
const isRoot = process.getuid?.() === 0;

describe('a folder on the NAS made unreadable (chmod 000) mid-job', () => {
  let worker: CliProcess;
  let url: string;
  let workDir: string;
  let sub: string;
  before(async () => {
    const mount = makeMountDir();
    chmodSync(mount, 0o755);
    sub = path.join(mount, 'films');
    mkdirSync(sub, { mode: 0o755 });
    copyFileSync(await makeMedia({ seconds: 30, width: 1280, height: 720 }), path.join(sub, 'film.mp4'));
    copyFileSync(await makeMedia({ seconds: 4, width: 640, height: 360 }), path.join(sub, 'short.mp4'));
    workDir = mkdtempSync(path.join(tmpdir(), 'tw-nas-work-'));
    if (isRoot) chownSync(workDir, NOBODY.uid, NOBODY.gid);
    const config = writeConfig(workDir, {
      listen: { host: '127.0.0.1', port: 0 },
      auth_token: TOKEN,
      nas_mount_path: mount,
      work_dir: workDir,
    });
    // Root reads through any mode bits: the worker runs as nobody, like a service user.
    worker = runCli(['start', '--config', config], { HOME: workDir }, isRoot ? NOBODY : undefined);
    url = String((await worker.waitForLog('worker listening', 30_000)).url);
  });
  after(async () => {
    chmodSync(sub, 0o755);
    worker.child.kill('SIGTERM');
    // A worker that does not drain must not keep this file's process alive.
    const timer = setTimeout(() => worker.child.kill('SIGKILL'), 15_000);
    const exit = await worker.exited;
    clearTimeout(timer);
    assert.equal(exit.code, 0, worker.stderr);
  });

  it('running job completes; new jobs there get 403 INPUT_UNREADABLE and leave nothing; jobs work once readable', async () => {
    assert.equal((await post(url, 'reading', 'films/film.mp4')).status, 202);
    await reading(url, 'reading');
    chmodSync(sub, 0o000);
    assert.equal(
      (await view(url, 'reading')).status,
      'running',
      'the job was running when its folder was locked',
    );
    const res = await post(url, 'locked', 'films/short.mp4');
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), 'INPUT_UNREADABLE');
    await leftNothing(url, workDir, 'locked');
    assert.equal((await fetch(`${url}/health`)).status, 200);
    assert.equal((await ended(url, 'reading')).status, 'completed');

    chmodSync(sub, 0o755);
    assert.equal((await post(url, 'unlocked', 'films/short.mp4')).status, 202);
    assert.equal((await ended(url, 'unlocked')).status, 'completed');
  });
});
