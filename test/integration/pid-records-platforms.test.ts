// Orphan reaping per platform with real processes: Linux through /proc, macOS through the real `ps` (its POSIX
// fields exist here too), Windows through a fake runner, since PowerShell and taskkill cannot exist here: it answers
// the Win32_Process query in PowerShell 5.1's documented JSON form for the real pid, and its taskkill kills it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PidRecords } from '../../src/ffmpeg/pid-records.js';
import { runCommand, type CommandResult, type RunCommand } from '../../src/process/run-command.js';
import { pidAlive, waitFor } from '../helpers/daemon.js';

/** A stand-in FFmpeg whose command line names its output folder, leading its own group like FFmpeg does. */
function orphan(outputDir: string): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', `${outputDir}/run-0.m3u8`], {
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
  return child.pid ?? -1;
}

function workDir(): { work: string; out: string } {
  const work = mkdtempSync(path.join(tmpdir(), 'tw-reap-'));
  return { work, out: path.join(work, 'streams', 'job-1') };
}

const ok = (stdout = ''): CommandResult => ({
  exitCode: 0,
  signal: null,
  stdout,
  stderr: '',
  timedOut: false,
});

/** PowerShell and taskkill as a Windows machine would answer them, for one real pid. */
function fakeWindows(created: () => number, outputDir: string, powershell: 'answers' | 'times out') {
  const calls: string[] = [];
  const run: RunCommand = (file, args) => {
    calls.push(`${file} ${args.join(' ')}`);
    if (file === 'taskkill') {
      process.kill(Number(args[3]), 'SIGKILL');
      return Promise.resolve(ok('SUCCESS: The process with PID has been terminated.'));
    }
    if (powershell === 'times out')
      return Promise.resolve({ exitCode: null, signal: 'SIGKILL', stdout: '', stderr: '', timedOut: true });
    const pid = Number(/ProcessId=(\d+)/.exec(args.join(' '))?.[1]);
    const json = JSON.stringify({
      ProcessId: pid,
      CreationDate: `/Date(${created()})/`,
      CommandLine: `"C:\\ffmpeg\\ffmpeg.exe" -i file:x.mkv ${outputDir}\\run-0.m3u8`,
    });
    return Promise.resolve(ok(json));
  };
  return { run, calls };
}

describe('orphan reaping per platform', () => {
  for (const platform of ['linux', 'darwin'] as const) {
    it(`${platform}: a recorded process that is still the same one is killed; the record is cleared`, async () => {
      const { work, out } = workDir();
      const records = new PidRecords(work, { platform, runCommand });
      const pid = orphan(out);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(records.add('job-1', pid, out), null);
      const record = JSON.parse(readFileSync(path.join(work, 'pids', `job-1.${pid}.json`), 'utf8')) as {
        startTime: unknown;
        startedAtMs?: unknown;
      };
      assert.equal(typeof record.startTime, platform === 'linux' ? 'number' : 'object');
      assert.equal(typeof record.startedAtMs, platform === 'linux' ? 'undefined' : 'number');
      const reaped = await new PidRecords(work, { platform, runCommand }).reapOrphans();
      assert.deepEqual(
        reaped.map((r) => [r.pid, r.killed]),
        [[pid, true]],
      );
      await waitFor(() => !pidAlive(pid), 2000, 'orphan gone');
      assert.deepEqual(readdirSync(path.join(work, 'pids')), []);
    });

    it(`${platform}: a pid now used by another process (other folder) is left alone`, async () => {
      const { work, out } = workDir();
      const pid = orphan(path.join(work, 'streams', 'other-job'));
      await new Promise((r) => setTimeout(r, 300));
      new PidRecords(work, { platform, runCommand }).add('job-1', pid, out);
      const reaped = await new PidRecords(work, { platform, runCommand }).reapOrphans();
      assert.equal(reaped[0]?.killed, false);
      assert.equal(pidAlive(pid), true);
      process.kill(-pid, 'SIGKILL');
    });
  }

  it('darwin: a pid reused long after the record was written is left alone', async () => {
    const { work, out } = workDir();
    const pid = orphan(out);
    await new Promise((r) => setTimeout(r, 300));
    // The record says the worker spawned it an hour ago: the live process started now, so it is another one.
    new PidRecords(work, { platform: 'darwin', runCommand, now: () => Date.now() - 3_600_000 }).add(
      'job-1',
      pid,
      out,
    );
    const reaped = await new PidRecords(work, { platform: 'darwin', runCommand }).reapOrphans();
    assert.equal(reaped[0]?.killed, false);
    assert.equal(pidAlive(pid), true);
    process.kill(-pid, 'SIGKILL');
  });

  it('win32: CreationDate within the tolerance and the folder on the command line → taskkill /T /F', async () => {
    const { work, out } = workDir();
    const pid = orphan(out);
    const spawnedAt = Date.now();
    const win = fakeWindows(() => spawnedAt + 40, out, 'answers');
    new PidRecords(work, { platform: 'win32', runCommand: win.run }).add('job-1', pid, out);
    const reaped = await new PidRecords(work, { platform: 'win32', runCommand: win.run }).reapOrphans();
    assert.equal(reaped[0]?.killed, true);
    await waitFor(() => !pidAlive(pid), 2000, 'orphan gone');
    assert.equal(win.calls.length, 2);
    assert.match(win.calls[0] ?? '', /^powershell\.exe -NoProfile -NonInteractive -Command Get-CimInstance/);
    assert.equal(win.calls[1], `taskkill /T /F /PID ${pid}`);
  });

  it('win32: another creation time, or PowerShell timing out, kills nothing', async () => {
    for (const [created, powershell] of [
      [() => Date.now() - 3_600_000, 'answers'],
      [() => Date.now(), 'times out'],
    ] as const) {
      const { work, out } = workDir();
      const pid = orphan(out);
      const win = fakeWindows(created, out, powershell);
      new PidRecords(work, { platform: 'win32', runCommand: win.run }).add('job-1', pid, out);
      const reaped = await new PidRecords(work, { platform: 'win32', runCommand: win.run }).reapOrphans();
      assert.equal(reaped[0]?.killed, false, powershell);
      assert.equal(pidAlive(pid), true);
      assert.equal(win.calls.filter((c) => c.startsWith('taskkill')).length, 0);
      process.kill(-pid, 'SIGKILL');
    }
  });
});
