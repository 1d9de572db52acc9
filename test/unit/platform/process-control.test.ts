// The per-platform process rules, called with every platform (this Linux machine runs them all as plain functions).
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { describe, it } from 'node:test';
import {
  canPause,
  canSignal,
  ffmpegArgsFor,
  ffmpegStdin,
  forceKillCommand,
  stopMethod,
  windowsPriorityClass,
} from '../../../src/platform/process-control.js';
import { chooseLauncher } from '../../../src/ffmpeg/process.js';

const PLATFORMS = ['linux', 'darwin', 'win32'] as const;

describe('process control per platform', () => {
  it('stops with SIGTERM to the group on POSIX, with "q" on a stdin pipe on Windows', () => {
    assert.deepEqual(
      PLATFORMS.map((p) => [p, stopMethod(p), ffmpegStdin(p)]),
      [
        ['linux', 'sigterm-group', 'ignore'],
        ['darwin', 'sigterm-group', 'ignore'],
        ['win32', 'stdin-q', 'pipe'],
      ],
    );
  });

  it('drops -nostdin on Windows only (FFmpeg would ignore the "q")', () => {
    const args = ['-hide_banner', '-nostdin', '-i', 'file:x.mkv'];
    assert.deepEqual(ffmpegArgsFor('linux', args), args);
    assert.deepEqual(ffmpegArgsFor('darwin', args), args);
    assert.deepEqual(ffmpegArgsFor('win32', args), ['-hide_banner', '-i', 'file:x.mkv']);
  });

  it('pauses (throttling) on Linux and macOS, not on Windows', () => {
    assert.deepEqual(
      PLATFORMS.map((p) => canPause(p)),
      [true, true, false],
    );
    assert.equal(canSignal('win32', 'SIGSTOP'), false);
    assert.equal(canSignal('win32', 'SIGCONT'), false);
    assert.equal(canSignal('win32', 'SIGKILL'), true);
    assert.equal(canSignal('darwin', 'SIGSTOP'), true);
  });

  it('forces with taskkill /T /F as an argument array on Windows, with SIGKILL elsewhere', () => {
    assert.deepEqual(forceKillCommand('win32', 4242), {
      file: 'taskkill',
      args: ['/T', '/F', '/PID', '4242'],
    });
    assert.equal(forceKillCommand('linux', 4242), null);
    assert.equal(forceKillCommand('darwin', 4242), null);
    assert.throws(() => forceKillCommand('win32', -1), RangeError);
    assert.throws(() => forceKillCommand('win32', 1.5), RangeError);
  });

  it("maps nice to Windows priority classes as libuv's uv_os_setpriority does", () => {
    const byNice = (n: number): string => windowsPriorityClass(n);
    assert.deepEqual([-20, -15, -14, -8, -7, -1, 0, 9, 10, 18, 19].map(byNice), [
      'REALTIME_PRIORITY_CLASS',
      'REALTIME_PRIORITY_CLASS',
      'HIGH_PRIORITY_CLASS',
      'HIGH_PRIORITY_CLASS',
      'ABOVE_NORMAL_PRIORITY_CLASS',
      'ABOVE_NORMAL_PRIORITY_CLASS',
      'NORMAL_PRIORITY_CLASS',
      'NORMAL_PRIORITY_CLASS',
      'BELOW_NORMAL_PRIORITY_CLASS',
      'BELOW_NORMAL_PRIORITY_CLASS',
      'IDLE_PRIORITY_CLASS',
    ]);
    // The range edges are Node's own os.constants.priority values.
    const p = constants.priority;
    assert.equal(byNice(p.PRIORITY_HIGH), 'HIGH_PRIORITY_CLASS');
    assert.equal(byNice(p.PRIORITY_ABOVE_NORMAL), 'ABOVE_NORMAL_PRIORITY_CLASS');
    assert.equal(byNice(p.PRIORITY_NORMAL), 'NORMAL_PRIORITY_CLASS');
    assert.equal(byNice(p.PRIORITY_BELOW_NORMAL), 'BELOW_NORMAL_PRIORITY_CLASS');
    assert.equal(byNice(p.PRIORITY_LOW), 'IDLE_PRIORITY_CLASS');
    assert.throws(() => windowsPriorityClass(20), RangeError);
  });

  it('launcher: nice wrapper and a process group on POSIX, os.setPriority and no group on Windows', () => {
    const has = (c: string): boolean => c === 'nice';
    const pick = (p: NodeJS.Platform, h = has): unknown => {
      const l = chooseLauncher(p, 10, h);
      return [l.prefix, l.niceAfterSpawn, l.processGroup, l.platform];
    };
    assert.deepEqual(pick('linux'), [['nice', '-n', '10'], null, true, 'linux']);
    assert.deepEqual(pick('darwin'), [['nice', '-n', '10'], null, true, 'darwin']);
    assert.deepEqual(
      pick('darwin', () => false),
      [[], 10, true, 'darwin'],
    );
    assert.deepEqual(pick('win32'), [[], 10, false, 'win32']);
  });
});
