// Process identity per platform: the Windows parser on output written in PowerShell's documented ConvertTo-Json
// formats (no Windows machine here; see test/fixtures/platform/README.md), and the macOS ps query run for real on
// this machine (etime and args are POSIX ps fields that Linux procps has too).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  parseCimDate,
  parseEtime,
  parsePsLine,
  parseWin32Process,
  psQuery,
  win32ProcessQuery,
} from '../../../src/platform/process-identity.js';
import { runCommand } from '../../../src/process/run-command.js';

const fixture = (name: string): string =>
  readFileSync(path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'platform', name), 'utf8');
const CREATED = Date.UTC(2024, 10, 24, 9, 20, 1, 234);

describe('windows: Win32_Process through PowerShell', () => {
  it('asks powershell.exe with an argument array; the filter holds only the checked integer pid', () => {
    assert.deepEqual(win32ProcessQuery(4242), {
      file: 'powershell.exe',
      args: [
        '-NoProfile',
        '-NonInteractive',
        '-Command',
        "Get-CimInstance Win32_Process -Filter 'ProcessId=4242' | Select-Object ProcessId,CreationDate,CommandLine | ConvertTo-Json -Compress",
      ],
    });
    assert.throws(() => win32ProcessQuery(0), RangeError);
    assert.throws(() => win32ProcessQuery(Number.NaN), RangeError);
  });

  it('reads Windows PowerShell 5.1 output ("\\/Date(ms)\\/")', () => {
    const live = parseWin32Process(fixture('win32-process-ps51.txt'), 4242);
    assert.equal(live?.startedAtMs, CREATED);
    assert.match(live.commandLine, /D:\\tw\\streams\\job-1\\run-0\.m3u8$/);
  });

  it('reads PowerShell 7 output (ISO 8601), an array form, and nothing for no process or another pid', () => {
    assert.equal(parseWin32Process(fixture('win32-process-ps7.txt'), 4242)?.startedAtMs, CREATED);
    const array = `[${fixture('win32-process-ps51.txt')},{"ProcessId":7,"CreationDate":"\\/Date(5)\\/","CommandLine":null}]`;
    assert.equal(parseWin32Process(array, 7)?.startedAtMs, 5);
    assert.equal(
      parseWin32Process(array, 7)?.commandLine,
      '',
      'null CommandLine (another user, not elevated)',
    );
    assert.equal(parseWin32Process('', 4242), null, 'ConvertTo-Json prints nothing for no process');
    assert.equal(parseWin32Process(fixture('win32-process-ps51.txt'), 4243), null);
    assert.equal(parseWin32Process('Get-CimInstance : Access denied', 4242), null);
    assert.equal(parseWin32Process('{"ProcessId":4242,"CreationDate":null}', 4242), null);
  });

  it('parses the DateTime forms ConvertTo-Json writes, and refuses the rest', () => {
    assert.equal(parseCimDate('/Date(1732440001234)/'), CREATED);
    assert.equal(parseCimDate('/Date(1732440001234+0100)/'), CREATED, 'the offset is informational');
    assert.equal(parseCimDate('2024-11-24T10:20:01.234+01:00'), CREATED);
    assert.equal(parseCimDate({ value: '/Date(1732440001234)/', DisplayHint: 2 }), CREATED);
    for (const bad of ['2024', 'yesterday', '/Date(abc)/', 17, null, undefined, {}]) {
      assert.equal(parseCimDate(bad), null, JSON.stringify(bad));
    }
  });
});

describe('macOS: ps etime and args', () => {
  it('parses etime in every documented form', () => {
    assert.equal(parseEtime('00:07'), 7);
    assert.equal(parseEtime('12:34'), 754);
    assert.equal(parseEtime('1:02:03'), 3723);
    assert.equal(parseEtime('2-01:02:03'), 2 * 86400 + 3723);
    assert.equal(parseEtime('  05:09\n'), 309);
    assert.equal(parseEtime('5'), null);
    assert.equal(parseEtime('a:bc'), null);
  });

  it('parses one line into a start time and the command line; nothing for no output', () => {
    assert.deepEqual(parsePsLine('   01:05 ffmpeg -i file:/m/a.mkv /w/streams/j/run-0.m3u8\n', 100_000), {
      startedAtMs: 35_000,
      commandLine: 'ffmpeg -i file:/m/a.mkv /w/streams/j/run-0.m3u8',
    });
    assert.equal(parsePsLine('', 1), null);
    assert.equal(parsePsLine('ps: illegal option', 1), null);
  });

  it('the real ps here names a process just started, within the tolerance, with its arguments', async () => {
    const marker = `/tmp/tw-marker-${process.pid}`;
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)', marker], { stdio: 'ignore' });
    const spawnedAt = Date.now();
    try {
      await new Promise((r) => setTimeout(r, 1200));
      const q = psQuery(child.pid ?? -1);
      const r = await runCommand(q.file, q.args, { timeoutMs: 3000 });
      assert.equal(r.exitCode, 0, r.stderr);
      const live = parsePsLine(r.stdout, Date.now());
      assert.ok(live?.startedAtMs !== undefined);
      assert.ok(Math.abs(live.startedAtMs - spawnedAt) <= 2000, `${live.startedAtMs} vs ${spawnedAt}`);
      assert.ok(live.commandLine.includes(marker), live.commandLine);
      const gone = await runCommand('ps', psQuery(999_999_99).args, { timeoutMs: 3000 });
      assert.equal(parsePsLine(gone.stdout, Date.now()), null);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
