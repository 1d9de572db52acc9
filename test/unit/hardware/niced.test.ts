// Measurements at nice 19, with the fallbacks where `nice` is missing and on Windows; then the real `nice`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MEASUREMENT_NICE, nicedRunner } from '../../../src/hardware/niced.js';
import { readProcStat } from '../../../src/process/proc-stat.js';
import { runCommand, type RunCommand } from '../../../src/process/run-command.js';
import { childrenOf } from '../../helpers/procs.js';
import { fakeRun, result } from './fake-run.js';

const options = { timeoutMs: 1000 };

test('every command under nice -n 19', async () => {
  const fake = fakeRun(() => result());
  const run = nicedRunner(fake.run, 'linux');
  await run('/usr/bin/ffmpeg', ['-version'], options);
  assert.deepEqual(
    fake.calls.map((c) => [c.file, ...c.args]),
    [['nice', '-n', '19', '/usr/bin/ffmpeg', '-version']],
  );
});

test('no nice on the system: the command runs as it is, from then on without trying nice', async () => {
  const fake = fakeRun((file) =>
    file === 'nice' ? result({ exitCode: null, spawnError: 'spawn nice ENOENT' }) : result(),
  );
  const run = nicedRunner(fake.run, 'linux');
  assert.equal((await run('ffmpeg', ['-a'], options)).exitCode, 0);
  await run('ffmpeg', ['-b'], options);
  assert.deepEqual(
    fake.calls.map((c) => c.file),
    ['nice', 'ffmpeg', 'ffmpeg'],
  );
});

test('Windows runs the command directly', async () => {
  const fake = fakeRun(() => result());
  await nicedRunner(fake.run, 'win32')('ffmpeg.exe', [], options);
  assert.deepEqual(
    fake.calls.map((c) => c.file),
    ['ffmpeg.exe'],
  );
});

test('real nice: the command runs at nice 19', async () => {
  // /proc/self/stat's 19th field is the niceness of the process reading it: here `cat` under nice.
  const r = await nicedRunner(runCommand, 'linux')('cat', ['/proc/self/stat'], options);
  const fields = r.stdout.slice(r.stdout.lastIndexOf(')') + 2).split(' ');
  assert.equal(Number(fields[16]), MEASUREMENT_NICE);
});

test('Windows and a missing nice: the runner asks for nice 19 after spawn', async () => {
  const win = fakeRun(() => result());
  await nicedRunner(win.run, 'win32')('ffmpeg.exe', [], options);
  const noNice = fakeRun((file) =>
    file === 'nice' ? result({ exitCode: null, spawnError: 'ENOENT' }) : result(),
  );
  await nicedRunner(noNice.run, 'linux')('ffmpeg', [], options);
  assert.deepEqual(
    [...win.calls, ...noNice.calls].map((c) => [c.file, c.options.niceAfterSpawn]),
    [
      ['ffmpeg.exe', MEASUREMENT_NICE],
      ['nice', undefined],
      ['ffmpeg', MEASUREMENT_NICE],
    ],
  );
});

test('real os.setPriority where nice cannot start: the command runs at nice 19 all the same', async () => {
  // `nice` fails to start; everything else goes to the real runner, which sets the niceness after spawn.
  const missingNice: RunCommand = (file, args, opts) =>
    file === 'nice'
      ? Promise.resolve(result({ exitCode: null, spawnError: 'spawn nice ENOENT' }))
      : runCommand(file, args, opts);
  const running = nicedRunner(missingNice, 'linux')('sleep', ['1'], { timeoutMs: 5000 });
  // Read until the niceness is 19 or the command has ended: set just after spawn, it can be 0 for a moment.
  let nice: number | undefined;
  for (const end = Date.now() + 900; Date.now() < end && nice !== MEASUREMENT_NICE;) {
    const sleeper = childrenOf(process.pid).find((p) => p.comm === 'sleep');
    nice = sleeper === undefined ? undefined : readProcStat(sleeper.pid)?.nice;
    await sleep(10);
  }
  assert.equal(nice, MEASUREMENT_NICE);
  assert.equal((await running).exitCode, 0);
});
