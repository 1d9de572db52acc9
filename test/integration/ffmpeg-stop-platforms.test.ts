// FFmpeg stopped the way each platform stops it, with the real FFmpeg on this machine: SIGTERM to the group (Linux,
// macOS) and "q" on stdin (the Windows path: stdin is a pipe, -nostdin dropped). The Windows force step runs
// `taskkill /T /F /PID`, which cannot exist here: a fake runner records the argument array and does what taskkill
// does (kills the process). A fixture that ignores "q" and SIGTERM proves the force paths.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { chooseLauncher, startFfmpeg, type Launcher } from '../../src/ffmpeg/process.js';
import type { RunCommand } from '../../src/process/run-command.js';
import { pidAlive, waitFor } from '../helpers/daemon.js';
import { makeMedia } from '../helpers/media.js';

const HANG = path.resolve(import.meta.dirname, '..', 'fixtures', 'platform', 'ignores-stop.mjs');
const noNice = (): boolean => false;

/** The named fields of an exit, compared exactly (Node 20 has no partialDeepStrictEqual). */
function assertFields(exit: unknown, expected: Record<string, unknown>): void {
  const actual = exit as Record<string, unknown>;
  assert.deepEqual(Object.fromEntries(Object.keys(expected).map((k) => [k, actual[k]])), expected);
}

/** A live HLS encode at real-time speed (-re), so it is still running when stopped. */
async function hlsArgs(out: string): Promise<string[]> {
  const input = await makeMedia({ seconds: 20, width: 320, height: 180 });
  // prettier-ignore
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-i', input,
    // A keyframe every 0.5 s: the first 1 s segment (and so the playlist) exists after about a second.
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '15', '-c:a', 'aac',
    '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', path.join(out, 'stream.m3u8'),
  ];
}

/** A taskkill stand-in: records the call and kills the pid as taskkill /F would. */
function fakeTaskkill(exitCode = 0): { run: RunCommand; calls: { file: string; args: readonly string[] }[] } {
  const calls: { file: string; args: readonly string[] }[] = [];
  const run: RunCommand = (file, args) => {
    calls.push({ file, args });
    if (exitCode === 0) process.kill(Number(args[args.length - 1]), 'SIGKILL');
    return Promise.resolve({ exitCode, signal: null, stdout: '', stderr: '', timedOut: false });
  };
  return { run, calls };
}

async function stopAfterFirstSegment(launcher: Launcher): Promise<{ out: string; exit: unknown }> {
  const out = mkdtempSync(path.join(tmpdir(), 'tw-stop-'));
  const run = startFfmpeg({ launcher, ffmpegPath: 'ffmpeg', args: await hlsArgs(out) });
  await waitFor(() => existsSync(path.join(out, 'stream.m3u8')), 10_000, 'first playlist');
  const exit = await run.stop(3000);
  assert.equal(pidAlive(run.pid), false);
  return { out, exit };
}

describe('stopping FFmpeg per platform', () => {
  for (const platform of ['linux', 'darwin'] as const) {
    it(`${platform}: SIGTERM to the group finalises the playlist, not forced`, async () => {
      const { out, exit } = await stopAfterFirstSegment(chooseLauncher(platform, 10, noNice));
      assertFields(exit, { cancelled: true, forced: false, exitCode: 255 });
      assert.match(readFileSync(path.join(out, 'stream.m3u8'), 'utf8'), /#EXT-X-ENDLIST/);
    });
  }

  it('win32: "q" on stdin (with -nostdin dropped) finalises the playlist; taskkill never runs', async () => {
    const taskkill = fakeTaskkill();
    const { out, exit } = await stopAfterFirstSegment(chooseLauncher('win32', 10, noNice, taskkill.run));
    assertFields(exit, { cancelled: true, forced: false, exitCode: 0, signal: null });
    assert.match(readFileSync(path.join(out, 'stream.m3u8'), 'utf8'), /#EXT-X-ENDLIST/);
    assert.deepEqual(taskkill.calls, []);
  });

  it('win32: a process that ignores "q" is forced with taskkill /T /F /PID after the grace period', async () => {
    const taskkill = fakeTaskkill();
    const launcher = chooseLauncher('win32', 10, noNice, taskkill.run);
    const run = startFfmpeg({ launcher, ffmpegPath: process.execPath, args: [HANG] });
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const exit = await run.stop(200);
    assert.ok(Date.now() - started >= 190, 'waited the grace period first');
    assertFields(exit, { cancelled: true, forced: true, signal: 'SIGKILL' });
    assert.deepEqual(taskkill.calls, [{ file: 'taskkill', args: ['/T', '/F', '/PID', String(run.pid)] }]);
  });

  it('win32: taskkill failing (access denied) still ends the process', async () => {
    const taskkill = fakeTaskkill(1);
    const run = startFfmpeg({
      launcher: chooseLauncher('win32', 10, noNice, taskkill.run),
      ffmpegPath: process.execPath,
      args: [HANG],
    });
    await new Promise((r) => setTimeout(r, 300));
    const exit = await run.stop(100);
    assertFields(exit, { forced: true, signal: 'SIGKILL' });
    assert.equal(taskkill.calls.length, 1);
  });

  it('win32: SIGSTOP is not sent (no such signal on Windows); linux: it is', async () => {
    const state = (pid: number): string => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '?';
    };
    for (const platform of ['win32', 'linux'] as const) {
      const run = startFfmpeg({
        launcher: chooseLauncher(platform, 10, noNice, fakeTaskkill().run),
        ffmpegPath: process.execPath,
        args: [HANG],
      });
      await new Promise((r) => setTimeout(r, 300));
      run.signalGroup('SIGSTOP');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(state(run.pid) === 'T', platform === 'linux', `${platform} stopped state`);
      await run.stop(100);
    }
  });

  it('linux: a process that ignores SIGTERM gets SIGKILL after the grace period', async () => {
    const run = startFfmpeg({
      launcher: chooseLauncher('linux', 10, noNice),
      ffmpegPath: process.execPath,
      args: [HANG],
    });
    await new Promise((r) => setTimeout(r, 300));
    const exit = await run.stop(200);
    assertFields(exit, { forced: true, signal: 'SIGKILL' });
  });
});
