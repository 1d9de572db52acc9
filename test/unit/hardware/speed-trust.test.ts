// Whether a speed figure is the encoder's speed: the readings' parsers and the decisions, with plain values.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  BUSY_RETRY_DELAYS_MS,
  cpuBetween,
  judgeSpeedRun,
  machineShares,
  nextStep,
  parseBench,
  parseProcStat,
  type SpeedRunFacts,
} from '../../../src/hardware/speed-trust.js';

test('/proc/stat: busy and total from the cpu line, in ms (10 ms ticks), guest inside user', () => {
  const text = [
    'cpu  5355 314 3402 33423 912 0 85 227 40 0',
    'cpu0 2700 150 1700 16700 456 0 40 110 20 0',
    'intr 1234',
  ].join('\n');
  // busy = 5355 + 314 + 3402 + 0 + 85 + 227; total adds idle 33423 and iowait 912.
  assert.deepEqual(parseProcStat(text), { busyMs: 93_830, totalMs: 437_180 });
  assert.equal(parseProcStat('intr 1\n'), null);
  assert.equal(parseProcStat('cpu  a b c d\n'), null);
  const real = parseProcStat(readFileSync('/proc/stat', 'utf8'));
  assert.ok(real !== null && real.totalMs > real.busyMs && real.busyMs > 0);
});

test('cpu between two readings', () => {
  assert.deepEqual(cpuBetween({ busyMs: 100, totalMs: 400 }, { busyMs: 1600, totalMs: 2400 }), {
    busyMs: 1500,
    totalMs: 2000,
  });
});

test("FFmpeg's bench line: user + system CPU, and the transcode's real time", () => {
  const stderr =
    '[libx264 @ 0x55] kb/s:5855.48\nbench: utime=1.234s stime=0.056s rtime=0.800s\nbench: maxrss=80836kB\n';
  assert.deepEqual(parseBench(stderr), { cpuMs: 1290, realMs: 800 });
  assert.equal(parseBench('Conversion failed!\n'), null);
});

test('shares: FFmpeg start-up before its transcode counts as its own; others and idle of the whole machine', () => {
  // 1 s wall, 2 CPUs; FFmpeg 1.2 s CPU in a 0.9 s transcode plus 0.1 s start-up; the machine was busy 1.5 s.
  assert.deepEqual(machineShares(1000, { busyMs: 1500, totalMs: 2000 }, { cpuMs: 1200, realMs: 900 }), {
    othersShare: 0.1,
    idleShare: 0.25,
  });
  assert.equal(machineShares(1000, null, { cpuMs: 1, realMs: 1 }), null);
  assert.equal(machineShares(1000, { busyMs: 1, totalMs: 2 }, null), null);
  assert.equal(machineShares(1000, { busyMs: 0, totalMs: 0 }, { cpuMs: 1, realMs: 1 }), null);
});

const quietRun: SpeedRunFacts = {
  ok: true,
  workBegan: false,
  wallMs: 1000,
  machine: { busyMs: 1900, totalMs: 2000 },
  bench: { cpuMs: 1850, realMs: 1000 },
};

test('trusted: the run had the machine (software encoder using every CPU)', () => {
  assert.deepEqual(judgeSpeedRun(quietRun), { kind: 'trusted' });
});

test('work: a job or the sample creation during the run, whatever else it says', () => {
  assert.deepEqual(judgeSpeedRun({ ...quietRun, workBegan: true, ok: false }), { kind: 'work' });
  assert.deepEqual(judgeSpeedRun({ ...quietRun, workBegan: true }), { kind: 'work' });
});

test('busy: others took a real share of a machine with no idle time left', () => {
  assert.deepEqual(
    judgeSpeedRun({
      ...quietRun,
      machine: { busyMs: 2000, totalMs: 2000 },
      bench: { cpuMs: 900, realMs: 1000 },
    }),
    { kind: 'busy', othersShare: 0.55, idleShare: 0 },
  );
});

test('trusted despite others when CPU sat idle (a GPU encoder that needed little), or with no readings', () => {
  assert.deepEqual(
    judgeSpeedRun({
      ...quietRun,
      machine: { busyMs: 1400, totalMs: 2000 },
      bench: { cpuMs: 300, realMs: 1000 },
    }),
    { kind: 'trusted' },
  );
  // macOS and Windows have no /proc/stat; an FFmpeg without the bench line: only the worker's own work is known.
  assert.deepEqual(judgeSpeedRun({ ...quietRun, machine: null }), { kind: 'trusted' });
  assert.deepEqual(judgeSpeedRun({ ...quietRun, bench: null }), { kind: 'trusted' });
});

test('failed: a non-zero exit or a timeout', () => {
  assert.deepEqual(judgeSpeedRun({ ...quietRun, ok: false }), { kind: 'failed' });
});

test('next step: publish, again when quiet (never counted), again after the delays, then left out', () => {
  const busy = { kind: 'busy', othersShare: 0.5, idleShare: 0 } as const;
  assert.deepEqual(nextStep({ kind: 'trusted' }, 0), { action: 'publish' });
  assert.deepEqual(nextStep({ kind: 'work' }, 99), { action: 'again-when-quiet' });
  assert.deepEqual(nextStep(busy, 0), { action: 'again-after', delayMs: BUSY_RETRY_DELAYS_MS[0] });
  assert.deepEqual(nextStep(busy, 1, [5, 7]), { action: 'again-after', delayMs: 7 });
  assert.deepEqual(nextStep(busy, 2, [5, 7]), { action: 'leave-out' });
  assert.deepEqual(nextStep({ kind: 'failed' }, 0), { action: 'leave-out' });
});
