// work_dir full: an 8 MiB tmpfs as work_dir, filled by one job. FFmpeg 5.1 does not notice its failed writes (it
// exits 0 with nothing on stderr), so the worker names the full disk itself; nothing else breaks, the sweep deletes
// the failed job's partial stream, and a later job works.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  rmSync,
  statfsSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobView } from '../../src/contract/job-view.js';
import {
  startOrchestrator,
  startTestDaemon,
  testConfig,
  waitFor,
  type TestDaemon,
  type TestOrchestrator,
} from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';

const TMPFS_BYTES = 8 * 1024 * 1024;
const workDir = mkdtempSync(path.join(tmpdir(), 'tw-fullwork-'));

/** Mounts the small tmpfs on workDir; returns why it cannot (not root, or a container without CAP_SYS_ADMIN). */
function mountTmpfs(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_BYTES}`, 'tmpfs', workDir], { stdio: 'pipe' });
    return false;
  } catch (err) {
    return `cannot mount a tmpfs here: ${String((err as { stderr?: unknown }).stderr ?? err)}`;
  }
}
const skip = mountTmpfs();

async function view(d: TestDaemon, id: string): Promise<JobView> {
  return (await (await d.api('GET', `/jobs/${id}`)).json()) as JobView;
}

/** Writes `file` until the filesystem says ENOSPC. */
function fillUp(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(256 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
}

async function ended(d: TestDaemon, id: string): Promise<JobView> {
  let v: JobView | undefined;
  await waitFor(
    async () => {
      v = await view(d, id);
      return !['queued', 'running'].includes(v.status);
    },
    60_000,
    `job ${id} to end`,
  );
  return v as JobView;
}

function freeBytes(dir: string): number {
  const fs = statfsSync(dir);
  return fs.bavail * fs.bsize;
}

describe('work_dir full', { skip }, () => {
  let d: TestDaemon | undefined;
  let orchestrator: TestOrchestrator;
  before(async () => {
    orchestrator = await startOrchestrator();
    const mount = makeMountDir();
    // 40 s at 3 Mbit/s is ~15 MB of stream: about twice what the tmpfs holds.
    copyFileSync(await makeMedia({ seconds: 40, width: 640, height: 360 }), path.join(mount, 'big.mp4'));
    copyFileSync(await makeMedia({ seconds: 60, width: 1280, height: 720 }), path.join(mount, 'long.mp4'));
    copyFileSync(await makeMedia({ seconds: 4, width: 640, height: 360 }), path.join(mount, 'small.mp4'));
    d = await startTestDaemon(
      testConfig(mount, {
        work_dir: workDir,
        orchestrator: { url: orchestrator.url, token: 'o-token-0123456789', heartbeat_interval_seconds: 0.5 },
      }),
      { measureSpeed: false },
    );
  });
  after(async () => {
    try {
      await d?.stop();
      await orchestrator.close();
    } finally {
      execFileSync('umount', [workDir]);
    }
  });

  it('fails the job that fills it with "No space left on device", stays healthy and reclaims the space', async () => {
    const daemon = d as TestDaemon;
    const floor = TMPFS_BYTES / 10; // freeDiskFloor's default: 10 % of the filesystem
    const res = await daemon.api('POST', '/jobs', {
      id: 'big',
      input: 'big.mp4',
      video: { codec: 'h264', height: 360, bitrateKbps: 3000 },
    });
    assert.equal(res.status, 202, await res.text());
    const big = await ended(daemon, 'big');
    assert.equal(big.status, 'failed');
    assert.match(big.error ?? '', /^No space left on device: work_dir's filesystem has \d+ KiB free/);
    assert.deepEqual(daemon.jobs.pids(), {}, 'no FFmpeg left running');

    // Nothing else broke: health answers and the orchestrator keeps getting beats.
    assert.equal((await fetch(`${daemon.localUrl}/health`)).status, 200);
    const beatsBefore = orchestrator.beats.length;
    await waitFor(() => orchestrator.beats.length > beatsBefore, 5000, 'a heartbeat after the failure');

    // The sweep deletes the partial stream nobody fetched: free space is back above the floor.
    const dir = path.join(workDir, 'streams', 'big');
    await waitFor(() => !existsSync(dir), 10_000, 'the failed stream to be deleted');
    assert.ok(freeBytes(workDir) > floor, `free ${freeBytes(workDir)} B above the floor ${floor} B`);
    assert.equal((await fetch(`${daemon.localUrl}/streams/big/stream.m3u8`)).status, 404);
    assert.equal((await daemon.api('GET', '/jobs/big')).status, 200, 'the job record stays');
    await waitFor(
      async () =>
        ((await (await fetch(`${daemon.localUrl}/health`)).json()) as { status: string }).status === 'ready',
      5000,
      'status ready again',
    );
  });

  it('another writer fills it while a job runs: the sweep stops the job at once; later jobs work once space returns', async () => {
    const daemon = d as TestDaemon;
    const res = await daemon.api('POST', '/jobs', {
      id: 'long',
      input: 'long.mp4',
      video: { codec: 'h264', height: 720, bitrateKbps: 1000 },
    });
    assert.equal(res.status, 202, await res.text());
    await waitFor(async () => (await view(daemon, 'long')).segmentsReady > 0, 20_000, 'a first segment');
    const filler = path.join(workDir, 'filler');
    fillUp(filler);
    const long = await ended(daemon, 'long');
    assert.equal(long.status, 'failed');
    assert.match(long.error ?? '', /^No space left on device/);
    // Stopped by the sweep, not after FFmpeg had encoded the rest of the film into a full disk.
    assert.ok(long.progress < 0.8, `stopped early (progress ${long.progress})`);
    assert.deepEqual(daemon.jobs.pids(), {});
    assert.equal((await fetch(`${daemon.localUrl}/health`)).status, 200);

    rmSync(filler);
    const small = await daemon.api('POST', '/jobs', {
      id: 'small',
      input: 'small.mp4',
      video: { codec: 'h264', height: 240 },
    });
    assert.equal(small.status, 202, await small.text());
    assert.equal((await ended(daemon, 'small')).status, 'completed');
    assert.equal((await fetch(`${daemon.localUrl}/streams/small/stream.m3u8`)).status, 200);
  });
});
