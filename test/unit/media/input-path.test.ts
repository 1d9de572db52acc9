import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { WorkerError, type ErrorCode } from '../../../src/errors.js';
import { lexicalInputPath, resolveInputPath } from '../../../src/media/input-path.js';

async function codeOf(p: Promise<unknown>): Promise<ErrorCode | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof WorkerError, String(err));
    return err.code;
  }
}

describe('input path (lexical)', () => {
  const mount = '/mnt/media';
  const cases: [string, ErrorCode | 'ok'][] = [
    ['movies/film.mkv', 'ok'],
    ['a/../film.mkv', 'ok'],
    ['../etc/passwd', 'INPUT_OUTSIDE_MOUNT'],
    ['movies/../../etc/passwd', 'INPUT_OUTSIDE_MOUNT'],
    ['/etc/passwd', 'INPUT_INVALID'],
    ['http://evil/x.mp4', 'INPUT_PROTOCOL'],
    ['concat:a.ts|b.ts', 'INPUT_PROTOCOL'],
    ['file:/etc/passwd', 'INPUT_PROTOCOL'],
    ['pipe:0', 'INPUT_PROTOCOL'],
    ['subfile,,start,0,end,10,,:x', 'INPUT_PROTOCOL'],
    ['-i', 'INPUT_INVALID'],
    ['-', 'INPUT_INVALID'],
    ['a\0b', 'INPUT_INVALID'],
    ['', 'INPUT_INVALID'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected}`, async () => {
      assert.equal(await codeOf(Promise.resolve().then(() => lexicalInputPath(mount, input))), expected);
    });
  }
});

describe('input path (file system)', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tw-input-'));
  const mount = path.join(root, 'media');
  mkdirSync(path.join(mount, 'movies'), { recursive: true });
  writeFileSync(path.join(mount, 'movies', 'film.mkv'), 'x');
  writeFileSync(path.join(root, 'secret.mkv'), 'x');
  symlinkSync(path.join(root, 'secret.mkv'), path.join(mount, 'escape.mkv'));
  symlinkSync(root, path.join(mount, 'escape-dir'));
  symlinkSync(path.join(mount, 'movies', 'film.mkv'), path.join(mount, 'inside-link.mkv'));
  execFileSync('mkfifo', [path.join(mount, 'fifo.mkv')]);
  writeFileSync(path.join(mount, '..hidden.mkv'), 'x');

  it('resolves a real file to its real path', async () => {
    assert.equal(await resolveInputPath(mount, 'movies/film.mkv'), path.join(mount, 'movies', 'film.mkv'));
    assert.equal(await resolveInputPath(mount, 'inside-link.mkv'), path.join(mount, 'movies', 'film.mkv'));
  });
  it('accepts a file whose name merely starts with two dots', async () => {
    assert.equal(await resolveInputPath(mount, '..hidden.mkv'), path.join(mount, '..hidden.mkv'));
  });
  it('refuses symlinks that leave the mount', async () => {
    assert.equal(await codeOf(resolveInputPath(mount, 'escape.mkv')), 'INPUT_OUTSIDE_MOUNT');
    assert.equal(await codeOf(resolveInputPath(mount, 'escape-dir/secret.mkv')), 'INPUT_OUTSIDE_MOUNT');
  });
  it('404s a missing file and refuses folders and FIFOs', async () => {
    assert.equal(await codeOf(resolveInputPath(mount, 'movies/none.mkv')), 'INPUT_NOT_FOUND');
    assert.equal(await codeOf(resolveInputPath(mount, 'movies')), 'INPUT_NOT_FILE');
    assert.equal(await codeOf(resolveInputPath(mount, 'fifo.mkv')), 'INPUT_NOT_FILE');
    assert.equal(await codeOf(resolveInputPath(mount, '.')), 'INPUT_NOT_FILE');
  });
});
