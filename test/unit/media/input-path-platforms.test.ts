// Input confinement under each platform's path rules, run here with path.win32 and path.posix: hostile and benign
// inputs, each with the code it must get (or the path it resolves to).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkerError, type ErrorCode } from '../../../src/errors.js';
import { isInside, lexicalInputPath } from '../../../src/media/input-path.js';

type Expect = ErrorCode | { readonly ok: string };

function outcome(mount: string, input: string, platform: NodeJS.Platform): ErrorCode | { ok: string } {
  try {
    return { ok: lexicalInputPath(mount, input, platform) };
  } catch (err) {
    assert.ok(err instanceof WorkerError, String(err));
    return err.code;
  }
}

const DRIVE = 'D:\\Media';
const UNC = '\\\\nas\\media';

// [mount, input, expected]
const WIN32: readonly (readonly [string, string, Expect])[] = [
  // Benign: both separators, mixed, names with dots and spaces inside, non-ASCII, a UNC mount.
  [DRIVE, 'film.mkv', { ok: 'D:\\Media\\film.mkv' }],
  [DRIVE, 'movies/film.mkv', { ok: 'D:\\Media\\movies\\film.mkv' }],
  [DRIVE, 'movies\\film.mkv', { ok: 'D:\\Media\\movies\\film.mkv' }],
  [DRIVE, 'movies/2024\\Film Name (2024).mkv', { ok: 'D:\\Media\\movies\\2024\\Film Name (2024).mkv' }],
  [DRIVE, 'a/../film.mkv', { ok: 'D:\\Media\\film.mkv' }],
  [DRIVE, 'a\\.\\b\\..\\film.mkv', { ok: 'D:\\Media\\a\\film.mkv' }],
  [DRIVE, '..hidden.mkv', { ok: 'D:\\Media\\..hidden.mkv' }],
  [DRIVE, 'Séries/épisode 01.mkv', { ok: 'D:\\Media\\Séries\\épisode 01.mkv' }],
  [DRIVE, 'console.mkv', { ok: 'D:\\Media\\console.mkv' }],
  [DRIVE, 'CONFIG/nullable.mkv', { ok: 'D:\\Media\\CONFIG\\nullable.mkv' }],
  [DRIVE, 'com10.mkv', { ok: 'D:\\Media\\com10.mkv' }],
  [DRIVE, 'movies//film.mkv', { ok: 'D:\\Media\\movies\\film.mkv' }],
  [UNC, 'movies/film.mkv', { ok: '\\\\nas\\media\\movies\\film.mkv' }],
  [UNC, 'movies\\..\\film.mkv', { ok: '\\\\nas\\media\\film.mkv' }],
  [`${UNC}\\films`, 'a.mkv', { ok: '\\\\nas\\media\\films\\a.mkv' }],
  // Escapes with either separator, and case games on the way back in (case-insensitive: still inside).
  [DRIVE, '..\\Windows\\win.ini', 'INPUT_OUTSIDE_MOUNT'],
  [DRIVE, '../Windows/win.ini', 'INPUT_OUTSIDE_MOUNT'],
  [DRIVE, 'movies\\..\\..\\secret.mkv', 'INPUT_OUTSIDE_MOUNT'],
  [DRIVE, 'movies/..\\../secret.mkv', 'INPUT_OUTSIDE_MOUNT'],
  [DRIVE, '..\\MEDIA\\film.mkv', { ok: 'D:\\MEDIA\\film.mkv' }],
  [DRIVE, '..\\Media2\\film.mkv', 'INPUT_OUTSIDE_MOUNT'],
  [`${UNC}\\films`, '..\\private\\a.mkv', 'INPUT_OUTSIDE_MOUNT'],
  // Absolute, rooted, UNC, drive-absolute and drive-relative.
  [DRIVE, 'C:\\Windows\\win.ini', 'INPUT_INVALID'],
  [DRIVE, 'D:\\Media\\film.mkv', 'INPUT_INVALID'],
  [DRIVE, 'C:film.mkv', 'INPUT_INVALID'],
  [DRIVE, 'd:..\\film.mkv', 'INPUT_INVALID'],
  [DRIVE, '\\Windows\\win.ini', 'INPUT_INVALID'],
  [DRIVE, '/Windows/win.ini', 'INPUT_INVALID'],
  [DRIVE, '\\\\evil\\share\\film.mkv', 'INPUT_INVALID'],
  [DRIVE, '//evil/share/film.mkv', 'INPUT_INVALID'],
  // Device namespace prefixes.
  [DRIVE, '\\\\?\\C:\\Windows\\win.ini', 'INPUT_INVALID'],
  [DRIVE, '\\\\.\\PhysicalDrive0', 'INPUT_INVALID'],
  [DRIVE, '//?/C:/x.mkv', 'INPUT_INVALID'],
  [DRIVE, '\\\\?\\UNC\\nas\\media\\a.mkv', 'INPUT_INVALID'],
  // Reserved device names, with extensions, any case, trailing spaces, in any component.
  [DRIVE, 'CON', 'INPUT_INVALID'],
  [DRIVE, 'nul', 'INPUT_INVALID'],
  [DRIVE, 'NUL.mkv', 'INPUT_INVALID'],
  [DRIVE, 'movies/com1.mkv', 'INPUT_INVALID'],
  [DRIVE, 'LPT1.tar.gz', 'INPUT_INVALID'],
  [DRIVE, 'aux .mkv', 'INPUT_INVALID'],
  [DRIVE, 'prn/film.mkv', 'INPUT_INVALID'],
  [DRIVE, 'COM¹.mkv', 'INPUT_INVALID'],
  [DRIVE, 'CONIN$', 'INPUT_INVALID'],
  // Alternate data streams (a colon after the first component; the first is read as a protocol).
  [DRIVE, 'movies/film.mkv:evil', 'INPUT_INVALID'],
  [DRIVE, 'movies\\film.mkv::$DATA', 'INPUT_INVALID'],
  [DRIVE, 'my film.mkv:evil', 'INPUT_INVALID'],
  [DRIVE, 'film.mkv:evil', 'INPUT_PROTOCOL'],
  // Reserved characters and Windows' silent trimming of trailing dots and spaces.
  [DRIVE, 'movies/*.mkv', 'INPUT_INVALID'],
  [DRIVE, 'film?.mkv', 'INPUT_INVALID'],
  [DRIVE, 'a<b>.mkv', 'INPUT_INVALID'],
  [DRIVE, 'a|b.mkv', 'INPUT_INVALID'],
  [DRIVE, 'a"b.mkv', 'INPUT_INVALID'],
  [DRIVE, 'film.mkv.', 'INPUT_INVALID'],
  [DRIVE, 'film.mkv ', 'INPUT_INVALID'],
  [DRIVE, '.../film.mkv', 'INPUT_INVALID'],
  [DRIVE, 'tab\there.mkv', 'INPUT_INVALID'],
  // What every platform refuses.
  [DRIVE, 'http://evil/x.mp4', 'INPUT_PROTOCOL'],
  [DRIVE, 'concat:a.ts|b.ts', 'INPUT_PROTOCOL'],
  [DRIVE, 'file:C:/Windows/win.ini', 'INPUT_PROTOCOL'],
  [DRIVE, 'subfile,,start,0,end,10,,:x', 'INPUT_PROTOCOL'],
  [DRIVE, '-i', 'INPUT_INVALID'],
  [DRIVE, 'a\0b', 'INPUT_INVALID'],
  [DRIVE, '', 'INPUT_INVALID'],
];

const POSIX: readonly (readonly [string, string, Expect])[] = [
  ['/mnt/media', 'film.mkv', { ok: '/mnt/media/film.mkv' }],
  ['/mnt/media', 'movies/film.mkv', { ok: '/mnt/media/movies/film.mkv' }],
  ['/mnt/media', 'a/../film.mkv', { ok: '/mnt/media/film.mkv' }],
  ['/mnt/media', './a/./b.mkv', { ok: '/mnt/media/a/b.mkv' }],
  ['/mnt/media', '..hidden.mkv', { ok: '/mnt/media/..hidden.mkv' }],
  ['/mnt/media', 'movies//film.mkv', { ok: '/mnt/media/movies/film.mkv' }],
  ['/mnt/media', 'Film Name (2024).mkv', { ok: '/mnt/media/Film Name (2024).mkv' }],
  ['/mnt/media', 'Séries/épisode 01.mkv', { ok: '/mnt/media/Séries/épisode 01.mkv' }],
  // Names that are special on Windows only are ordinary files here.
  ['/mnt/media', 'CON', { ok: '/mnt/media/CON' }],
  ['/mnt/media', 'nul.mkv', { ok: '/mnt/media/nul.mkv' }],
  ['/mnt/media', 'movies/film.mkv:extra', { ok: '/mnt/media/movies/film.mkv:extra' }],
  ['/mnt/media', 'film.mkv.', { ok: '/mnt/media/film.mkv.' }],
  ['/mnt/media', 'star*.mkv', { ok: '/mnt/media/star*.mkv' }],
  ['/mnt/media', 'what?.mkv', { ok: '/mnt/media/what?.mkv' }],
  ['/mnt/media', 'back\\slash.mkv', { ok: '/mnt/media/back\\slash.mkv' }],
  ['/mnt/media', '...', { ok: '/mnt/media/...' }],
  ['/mnt/media/', 'film.mkv', { ok: '/mnt/media/film.mkv' }],
  // Escapes. A backslash is a name character on POSIX, so "..\\x" is a file named that, inside.
  ['/mnt/media', '../etc/passwd', 'INPUT_OUTSIDE_MOUNT'],
  ['/mnt/media', 'movies/../../etc/passwd', 'INPUT_OUTSIDE_MOUNT'],
  ['/mnt/media', '..', 'INPUT_OUTSIDE_MOUNT'],
  ['/mnt/media', 'a/../..', 'INPUT_OUTSIDE_MOUNT'],
  ['/mnt/media', '../media2/film.mkv', 'INPUT_OUTSIDE_MOUNT'],
  ['/mnt/media', '../MEDIA/film.mkv', 'INPUT_OUTSIDE_MOUNT'],
  ['/mnt/media', '..\\etc\\passwd', { ok: '/mnt/media/..\\etc\\passwd' }],
  // Absolute paths, a leading backslash, and Windows forms that must not reach a Linux file system as such.
  ['/mnt/media', '/etc/passwd', 'INPUT_INVALID'],
  ['/mnt/media', '//etc/passwd', 'INPUT_INVALID'],
  ['/mnt/media', '\\etc\\passwd', 'INPUT_INVALID'],
  ['/mnt/media', '\\\\?\\C:\\x.mkv', 'INPUT_INVALID'],
  ['/mnt/media', 'C:film.mkv', 'INPUT_PROTOCOL'],
  ['/mnt/media', 'C:\\film.mkv', 'INPUT_PROTOCOL'],
  // Protocols and FFmpeg's special inputs.
  ['/mnt/media', 'http://evil/x.mp4', 'INPUT_PROTOCOL'],
  ['/mnt/media', 'https://evil/x.m3u8', 'INPUT_PROTOCOL'],
  ['/mnt/media', 'concat:a.ts|b.ts', 'INPUT_PROTOCOL'],
  ['/mnt/media', 'file:/etc/passwd', 'INPUT_PROTOCOL'],
  ['/mnt/media', 'pipe:0', 'INPUT_PROTOCOL'],
  ['/mnt/media', 'fd:3', 'INPUT_PROTOCOL'],
  ['/mnt/media', 'data:text/plain,x', 'INPUT_PROTOCOL'],
  ['/mnt/media', 'crypto+file:x', 'INPUT_PROTOCOL'],
  ['/mnt/media', 'subfile,,start,0,end,10,,:x', 'INPUT_PROTOCOL'],
  ['/mnt/media', 'SUBFILE,,start,0,,:x', 'INPUT_PROTOCOL'],
  ['/mnt/media', 'a/b://c', 'INPUT_PROTOCOL'],
  ['/mnt/media', 'film.mkv:evil', 'INPUT_PROTOCOL'],
  // Options and bytes.
  ['/mnt/media', '-i', 'INPUT_INVALID'],
  ['/mnt/media', '-', 'INPUT_INVALID'],
  ['/mnt/media', 'a\0b', 'INPUT_INVALID'],
  ['/mnt/media', '', 'INPUT_INVALID'],
  ['/mnt/media', 'x'.repeat(4097), 'INPUT_INVALID'],
];

for (const [platform, table] of [
  ['win32', WIN32],
  ['linux', POSIX],
] as const) {
  describe(`input path on ${platform} (${table.length} inputs)`, () => {
    it('has at least 40 inputs, hostile and benign', () => {
      assert.ok(table.length >= 40);
      assert.ok(table.filter(([, , e]) => typeof e === 'object').length >= 10, 'benign ones');
      assert.ok(table.filter(([, , e]) => typeof e === 'string').length >= 25, 'hostile ones');
    });
    for (const [mount, input, expected] of table) {
      it(`${JSON.stringify(input.length > 60 ? `${input.slice(0, 20)}…` : input)} in ${mount} → ${JSON.stringify(expected)}`, () => {
        assert.deepEqual(outcome(mount, input, platform), expected);
      });
    }
  });
}

describe('isInside per platform', () => {
  it('win32 compares case-insensitively with either separator; posix exactly', () => {
    assert.equal(isInside('D:\\Media', 'd:/media/Movies/a.mkv', 'win32'), true);
    assert.equal(isInside('\\\\NAS\\Media', '\\\\nas\\media\\a.mkv', 'win32'), true);
    assert.equal(isInside('D:\\Media', 'D:\\Media2\\a.mkv', 'win32'), false);
    assert.equal(isInside('D:\\Media', 'E:\\Media\\a.mkv', 'win32'), false);
    assert.equal(isInside('/mnt/media', '/mnt/Media/a.mkv', 'linux'), false);
    assert.equal(isInside('/mnt/media', '/mnt/media/a.mkv', 'darwin'), true);
  });
});
