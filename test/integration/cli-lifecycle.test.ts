// The worker as an operator runs it: a separate process, signals, a crash, and the next start.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readProcStat } from '../../src/process/proc-stat.js';
import { runCli, writeConfig, type CliProcess } from '../helpers/cli.js';
import { pidAlive, startOrchestrator, waitFor, type TestOrchestrator } from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';

const TOKEN = 'cli-test-token-0123456789';

describe('command line', () => {
  it('prints the version', async () => {
    const p = runCli(['--version']);
    const { code } = await p.exited;
    assert.equal(code, 0);
    const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(p.lines[0]?.msg, pkg.version);
  });

  it('exits non-zero with one line per bad key', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-cli-'));
    const file = writeConfig(dir, {
      nas_mount_path: '/m',
      work_dir: dir,
      auth_token: 'x',
      limits: { max_jobs: 0 },
      listen: { port: 'x' },
      bogus: 1,
    });
    const p = runCli(['start', '--config', file]);
    const { code } = await p.exited;
    assert.notEqual(code, 0);
    const lines = p.stderr.trim().split('\n');
    assert.ok(
      lines.some((l) => l.startsWith('limits.max_jobs: ')),
      p.stderr,
    );
    assert.ok(
      lines.some((l) => l.startsWith('listen.port: ')),
      p.stderr,
    );
    assert.ok(lines.includes('bogus: unknown key'), p.stderr);
  });

  it('names the missing ffmpeg and the package to install', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-cli-'));
    const file = writeConfig(dir, {
      nas_mount_path: dir,
      work_dir: dir,
      auth_token: TOKEN,
      ffmpeg: { path: '/nonexistent/ffmpeg' },
    });
    const p = runCli(['start', '--config', file]);
    const { code } = await p.exited;
    assert.notEqual(code, 0);
    assert.match(p.stderr, /ffmpeg not found.*\/nonexistent\/ffmpeg.*apt-get install ffmpeg/);
  });
});

describe('worker process lifecycle', () => {
  let orchestrator: TestOrchestrator;
  let mount: string;
  before(async () => {
    orchestrator = await startOrchestrator();
    mount = makeMountDir();
    copyFileSync(await makeMedia({ seconds: 60, width: 1280, height: 720 }), path.join(mount, 'long.mp4'));
  });
  // Workers a failed assertion left running would keep this file's process alive: kill them.
  const workers: CliProcess[] = [];
  after(async () => {
    for (const w of workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await orchestrator.close();
  });

  function startWorker(workDir: string): CliProcess {
    const p = runCli(['start', '--config', config(workDir)]);
    workers.push(p);
    return p;
  }

  function config(workDir: string): string {
    return writeConfig(workDir, {
      name: 'cli-test',
      listen: { host: '127.0.0.1', port: 0 },
      auth_token: TOKEN,
      nas_mount_path: mount,
      work_dir: workDir,
      orchestrator: { url: orchestrator.url, token: 'orch-token', heartbeat_interval_seconds: 0.5 },
    });
  }

  function api(url: string, method: string, route: string, body?: unknown): Promise<Response> {
    return fetch(`${url}${route}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async function startJob(url: string, id: string): Promise<void> {
    const res = await api(url, 'POST', '/jobs', {
      id,
      input: 'long.mp4',
      video: { codec: 'h264', height: 720 },
    });
    assert.equal(res.status, 202, await res.text());
  }

  async function waitRunning(url: string, id: string): Promise<void> {
    await waitFor(
      async () => {
        const view = (await (await fetch(`${url}/jobs/${id}`)).json()) as { status: string };
        return view.status === 'running';
      },
      10_000,
      'job running',
    );
  }

  it('drains on SIGTERM: draining beat, FFmpeg killed and reaped, exit 0', async () => {
    const workDir = mkdtempSync(path.join(tmpdir(), 'tw-cli-work-'));
    const p = startWorker(workDir);
    const listening = await p.waitForLog('worker listening');
    const url = String(listening.url);
    await startJob(url, 'term');
    await waitRunning(url, 'term');
    const pid = pidFromRecords(workDir, 'term');
    assert.ok(pidAlive(pid));
    p.child.kill('SIGTERM');
    const { code } = await p.exited;
    assert.equal(code, 0);
    assert.ok(!pidAlive(pid), 'ffmpeg gone when the worker exits');
    assert.ok(orchestrator.beats.some((b) => b.body.status === 'draining' && b.body.workerId !== undefined));
    const auth = orchestrator.beats.map((b) => b.headers.authorization);
    assert.ok(auth.every((a) => a === 'Bearer orch-token'));
  });

  it('after SIGKILL the next start reaps the orphaned FFmpeg, spares a reused pid and reports the job lost', async () => {
    const workDir = mkdtempSync(path.join(tmpdir(), 'tw-cli-work-'));
    const p = startWorker(workDir);
    const url = String((await p.waitForLog('worker listening')).url);
    await startJob(url, 'crash');
    await waitRunning(url, 'crash');
    const orphanPid = pidFromRecords(workDir, 'crash');
    const firstId = readFileSync(path.join(workDir, 'worker-id'), 'utf8').trim();
    p.child.kill('SIGKILL');
    await p.exited;
    // The worker is gone; its FFmpeg is an orphan now (adopted by init).
    assert.ok(pidAlive(orphanPid), 'orphan still running before the next start');
    assert.equal(readProcStat(orphanPid)?.comm, 'ffmpeg');

    // A stale record whose pid now belongs to another process (start time differs): must not be killed.
    const bystander = spawn('sleep', ['30'], { stdio: 'ignore' });
    const bystanderPid = bystander.pid ?? 0;
    writeFileSync(
      path.join(workDir, 'pids', `stale.${bystanderPid}.json`),
      JSON.stringify({
        jobId: 'stale',
        pid: bystanderPid,
        startTime: 1,
        outputDir: path.join(workDir, 'streams', 'stale'),
      }),
    );

    const again = startWorker(workDir);
    const reaped = await again.waitForLog('reaped ffmpeg left by an earlier run');
    await again.waitForLog('worker listening');
    await waitFor(() => !pidAlive(orphanPid), 2000, 'orphan to be killed');
    assert.ok(reaped.jobId === 'crash' || reaped.jobId === 'stale');
    assert.ok(
      again.lines.some((l) => l.jobId === 'crash' && l.killed === true),
      'orphan reaped',
    );
    assert.ok(!existsSync(path.join(workDir, 'streams', 'crash')), 'its partial stream removed');
    assert.ok(
      again.lines.some((l) => l.jobId === 'stale' && l.killed === false),
      'stale record not killed',
    );
    assert.ok(pidAlive(bystanderPid), 'the unrelated process survived');
    bystander.kill();

    // The job the crash interrupted is reported as lost; the old-format record (no request) is not a job.
    const againUrl = String((await again.waitForLog('worker listening')).url);
    const lost = (await (await fetch(`${againUrl}/jobs/crash`)).json()) as Record<string, unknown>;
    assert.equal(lost.status, 'failed');
    assert.equal(lost.error, 'worker restarted');
    assert.equal(lost.input, 'long.mp4');
    assert.deepEqual(lost.request, { id: 'crash', input: 'long.mp4', video: { codec: 'h264', height: 720 } });
    assert.equal(typeof lost.startedAt, 'string');
    const listed = (await (await api(againUrl, 'GET', '/jobs')).json()) as { jobs: { id: string }[] };
    assert.deepEqual(
      listed.jobs.map((j) => j.id),
      ['crash'],
    );
    assert.equal((await fetch(`${againUrl}/jobs/stale`)).status, 404);
    assert.equal((await fetch(`${againUrl}/streams/crash/stream.m3u8`)).status, 404);
    const reuse = await api(againUrl, 'POST', '/jobs', {
      id: 'crash',
      input: 'long.mp4',
      video: { codec: 'h264' },
    });
    assert.equal(reuse.status, 409);
    assert.equal(((await reuse.json()) as { error: { code: string } }).error.code, 'JOB_EXISTS');
    // Same identity across restarts.
    await waitFor(
      () => orchestrator.beats.some((b) => b.body.workerId === firstId && b.at > Date.now() - 5000),
      5000,
      'a beat after restart',
    );
    again.child.kill('SIGTERM');
    assert.equal((await again.exited).code, 0);

    // A drained stop leaves no records: the start after it has forgotten the lost job, like any finished one.
    assert.deepEqual(readdirSync(path.join(workDir, 'pids')), []);
    const third = startWorker(workDir);
    const thirdUrl = String((await third.waitForLog('worker listening')).url);
    assert.equal((await fetch(`${thirdUrl}/jobs/crash`)).status, 404);
    third.child.kill('SIGTERM');
    assert.equal((await third.exited).code, 0);
  });
});

/** The worker's own account of its FFmpeg: the pid record in work_dir. */
function pidFromRecords(workDir: string, jobId: string): number {
  const dir = path.join(workDir, 'pids');
  const name = readdirSync(dir).find((n) => n.startsWith(`${jobId}.`));
  assert.ok(name !== undefined, `pid record for ${jobId}`);
  return (JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { pid: number }).pid;
}
