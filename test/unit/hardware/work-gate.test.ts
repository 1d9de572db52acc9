// The gate that puts the worker's work before measurements: the decisions with plain values, then the gate.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import {
  isQuiet,
  workBegan,
  WorkGate,
  yieldingRunner,
  type WorkState,
} from '../../../src/hardware/work-gate.js';
import { fakeRun, result } from './fake-run.js';

const idle: WorkState = { liveJobs: 0, jobStarts: 3, sampling: false };

test('quiet: no live job and no sample being made', () => {
  assert.equal(isQuiet(idle), true);
  assert.equal(isQuiet({ ...idle, liveJobs: 1 }), false);
  assert.equal(isQuiet({ ...idle, sampling: true }), false);
});

test('work began: a job started (even one that ended since), or work is going on now', () => {
  assert.equal(workBegan(idle, idle), false);
  assert.equal(workBegan(idle, { ...idle, jobStarts: 4 }), true);
  assert.equal(workBegan(idle, { ...idle, liveJobs: 1 }), true);
  assert.equal(workBegan(idle, { ...idle, sampling: true }), true);
});

test('wait resolves at the change that makes the worker quiet, not before', async () => {
  let state: WorkState = { ...idle, liveJobs: 1 };
  const gate = new WorkGate(() => state);
  let resolved = false;
  const waiting = gate.wait(new AbortController().signal).then(() => {
    resolved = true;
  });
  gate.changed();
  await sleep(10);
  assert.equal(resolved, false, 'still a live job');
  state = idle;
  const at = performance.now();
  gate.changed();
  await waiting;
  assert.ok(performance.now() - at < 100, 'woken by the change, not by the 1 s look');
});

test('wait ends at abort; resolves at once when quiet', async () => {
  const gate = new WorkGate(() => ({ ...idle, sampling: true }));
  const controller = new AbortController();
  const waiting = gate.wait(controller.signal);
  controller.abort();
  await waiting;
  await new WorkGate(() => idle).wait(new AbortController().signal);
});

test('watch: aborted when work begins, already aborted when busy, untouched once released', () => {
  let state = idle;
  const gate = new WorkGate(() => state);
  const run = gate.watch();
  const released = gate.watch();
  released.release();
  gate.changed();
  assert.equal(run.signal.aborted, false, 'a change that leaves the worker quiet');
  state = { ...idle, liveJobs: 1, jobStarts: 4 };
  gate.changed();
  assert.equal(run.signal.aborted, true);
  assert.equal(released.signal.aborted, false);
  assert.equal(gate.watch().signal.aborted, true, 'busy now');
});

test('test encodes yield: wait while busy, killed and run again when a job starts, at once past the limit', async () => {
  let state: WorkState = { ...idle, liveJobs: 1 };
  const gate = new WorkGate(() => state);
  const log: string[] = [];
  const fake = fakeRun(async (file) => {
    log.push(`start ${file}`);
    if (file === 'second' && log.filter((l) => l === 'start second').length === 1) {
      // A job is accepted while this one runs: its signal must end it.
      const signal = fake.calls.at(-1)?.options.signal;
      setTimeout(() => {
        state = { ...idle, liveJobs: 1, jobStarts: 4 };
        gate.changed();
      }, 5);
      await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
      log.push('killed');
      setTimeout(() => {
        state = idle;
        gate.changed();
      }, 20);
      return result({ exitCode: null, signal: 'SIGKILL' });
    }
    return result();
  });
  const run = yieldingRunner(fake.run, gate, performance.now() + 10_000);
  const first = run('first', [], { timeoutMs: 1000 });
  await sleep(20);
  assert.deepEqual(log, [], 'waits while a job is live');
  state = idle;
  gate.changed();
  await first;
  assert.equal((await run('second', [], { timeoutMs: 1000 })).exitCode, 0, 'the run after the job');
  assert.deepEqual(log, ['start first', 'start second', 'killed', 'start second']);

  state = { ...idle, liveJobs: 1 };
  const late = yieldingRunner(fake.run, gate, performance.now() - 1);
  await late('late', [], { timeoutMs: 1000 });
  assert.equal(log[log.length - 1], 'start late', 'past the limit: runs beside the job');
});
