// Memory pressure. Really exhausting memory on a shared CI machine would hit the other tests (or the OOM killer
// would pick something else), so the worker reads a /proc whose meminfo the test rewrites: the profiler reads
// MemAvailable from it on every check, as from the real one. Everything else is real: daemon, FFmpeg, heartbeats.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobView } from '../../src/contract/job-view.js';
import {
  pidAlive,
  startOrchestrator,
  startTestDaemon,
  testConfig,
  waitFor,
  type TestDaemon,
  type TestOrchestrator,
} from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';
import { fakeTree, type FakeTree } from '../unit/hardware/fake-tree.js';

const FLOOR_MB = 1000;

describe('memory pressure', () => {
  let tree: FakeTree;
  let d: TestDaemon;
  let orchestrator: TestOrchestrator;
  const realMeminfo = readFileSync('/proc/meminfo', 'utf8');

  /** MemAvailable as the worker will read it next (written whole, then renamed: never half a file). */
  function setAvailable(mb: number): void {
    const file = path.join(tree.procRoot, 'meminfo');
    const text = realMeminfo.replace(/^MemAvailable:.*$/m, `MemAvailable:   ${mb * 1024} kB`);
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  }

  before(async () => {
    tree = fakeTree();
    // The profiler reads the CPU from the same /proc: the real one. No /proc/self/cgroup here: no cgroup limit.
    tree.file('proc/cpuinfo', readFileSync('/proc/cpuinfo', 'utf8'));
    setAvailable(4 * FLOOR_MB);
    orchestrator = await startOrchestrator();
    const mount = makeMountDir();
    copyFileSync(await makeMedia({ seconds: 30, width: 640, height: 360 }), path.join(mount, 'film.mp4'));
    d = await startTestDaemon(
      testConfig(mount, {
        limits: { max_jobs: 3, min_free_memory_mb: FLOOR_MB },
        orchestrator: { url: orchestrator.url, token: 'o-token-0123456789', heartbeat_interval_seconds: 0.5 },
      }),
      {
        roots: { sysRoot: tree.sysRoot, devRoot: tree.devRoot, procRoot: tree.procRoot },
        measureSpeed: false,
      },
    );
  });
  after(async () => {
    await d.stop();
    await orchestrator.close();
    tree.remove();
  });

  async function view(id: string): Promise<JobView> {
    return (await (await d.api('GET', `/jobs/${id}`)).json()) as JobView;
  }

  /** Starts a job and pauses its FFmpeg (SIGSTOP to its group): it stays running without taking the shared CPU. */
  async function startPaused(id: string): Promise<number> {
    const res = await d.api('POST', '/jobs', {
      id,
      input: 'film.mp4',
      video: { codec: 'h264', height: 240 },
    });
    assert.equal(res.status, 202, await res.text());
    let pid = 0;
    await waitFor(() => (pid = d.jobs.pids()[id] ?? 0) > 0, 10_000, `FFmpeg of ${id}`);
    process.kill(-pid, 'SIGSTOP');
    return pid;
  }

  function lastBeat(): Record<string, unknown> {
    return orchestrator.beats.at(-1)?.body ?? {};
  }

  it('under half the floor the newest job is stopped, the older runs on; new jobs get 503 LOW_MEMORY; beats say busy (low_memory)', async () => {
    const olderPid = await startPaused('older');
    const newerPid = await startPaused('newer');
    await waitFor(() => lastBeat().status === 'ready', 5000, 'a ready beat with two jobs running');

    setAvailable(FLOOR_MB / 2 - 100);
    await waitFor(
      async () => (await view('newer')).status === 'cancelled',
      10_000,
      'the newest job to be stopped',
    );
    // Stopping it freed memory (what a real FFmpeg's exit does): above half the floor, still below the floor.
    setAvailable(FLOOR_MB - 300);
    const newer = await view('newer');
    assert.match(
      newer.cancelReason ?? '',
      /^low memory: 400 MB available, under half of min_free_memory_mb \(1000 MB\)/,
    );
    assert.ok(!pidAlive(newerPid), 'its FFmpeg is gone');
    assert.equal((await view('older')).status, 'running');

    const refused = await d.api('POST', '/jobs', { input: 'film.mp4', video: { codec: 'h264' } });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '10');
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'LOW_MEMORY');
    await waitFor(
      () => lastBeat().status === 'busy' && lastBeat().statusReason === 'low_memory',
      5000,
      'a busy (low_memory) beat',
    );
    // Two more sweeps (every 2 s) between the floor and its half: the older job is left alone.
    await new Promise((r) => setTimeout(r, 4500));
    assert.equal((await view('older')).status, 'running');
    assert.ok(pidAlive(olderPid));

    setAvailable(4 * FLOOR_MB);
    await waitFor(() => lastBeat().status === 'ready', 5000, 'a ready beat once memory is back');
    const again = await d.api('POST', '/jobs', {
      id: 'again',
      input: 'film.mp4',
      video: { codec: 'h264', height: 240 },
    });
    assert.equal(again.status, 202);
    await d.api('DELETE', '/jobs/again');
    await d.api('DELETE', '/jobs/older');
  });
});
