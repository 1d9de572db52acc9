// Measurements at nice 19, with the fallbacks where `nice` is missing and on Windows; then the real `nice`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MEASUREMENT_NICE, nicedRunner } from '../../../src/hardware/niced.js';
import { runCommand } from '../../../src/process/run-command.js';
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
