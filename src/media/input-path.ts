// Resolves a job's input inside nas_mount_path. Syntax checks are pure; the file-system checks follow symlinks.
// Paths follow the platform's rules: POSIX, or Windows (both separators, case-insensitive, drive letters and UNC
// mounts such as D:\Media or \\nas\media, no device names, streams or \\?\ prefixes).
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { WorkerError } from '../errors.js';
import { windowsComponentProblem, windowsPathProblem } from '../platform/windows-names.js';

const PROTOCOL = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** The path module whose rules the platform's file system follows. */
export function pathFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

function invalid(message: string): WorkerError {
  return new WorkerError('INPUT_INVALID', `input ${message}`);
}

/** Pure check of the input string; returns the lexically resolved absolute path inside the mount. */
export function lexicalInputPath(
  mountPath: string,
  input: string,
  platform: NodeJS.Platform = process.platform,
): string {
  const p = pathFor(platform);
  const windows = platform === 'win32';
  if (input.length === 0 || input.length > 4096) {
    throw new WorkerError('INPUT_INVALID', 'input must be 1 to 4096 characters');
  }
  if (input.includes('\0')) throw new WorkerError('INPUT_INVALID', 'input contains a NUL byte');
  if (input.startsWith('-')) throw new WorkerError('INPUT_INVALID', 'input must not start with "-"');
  // Before the protocol check: on Windows "C:film.mkv" is a drive-relative path, not a protocol.
  const windowsProblem = windows ? windowsPathProblem(input) : null;
  if (windowsProblem !== null) throw invalid(windowsProblem);
  // subfile, is the one protocol FFmpeg recognises without a plain "name:" prefix.
  if (PROTOCOL.test(input) || input.includes('://') || /^subfile,/i.test(input)) {
    throw new WorkerError(
      'INPUT_PROTOCOL',
      'input must be a path inside nas_mount_path, not a URL or FFmpeg protocol',
    );
  }
  if (p.isAbsolute(input) || input.startsWith('\\')) {
    throw new WorkerError(
      'INPUT_INVALID',
      'input must be a path relative to nas_mount_path, not an absolute path',
    );
  }
  if (windows) {
    for (const component of input.split(/[\\/]/)) {
      const problem = windowsComponentProblem(component);
      if (problem !== null) throw invalid(`${JSON.stringify(component)} ${problem}`);
    }
  }
  const resolved = p.resolve(mountPath, input);
  if (!isInside(mountPath, resolved, platform)) {
    throw new WorkerError('INPUT_OUTSIDE_MOUNT', 'input escapes nas_mount_path');
  }
  return resolved;
}

/** True when `child` is `parent` itself or below it (on Windows compared case-insensitively, either separator). */
export function isInside(
  parent: string,
  child: string,
  platform: NodeJS.Platform = process.platform,
): boolean {
  const p = pathFor(platform);
  const fold = (s: string): string => (platform === 'win32' ? p.normalize(s).toLowerCase() : s);
  const rel = p.relative(fold(parent), fold(child));
  // "..hidden.mp4" is a name inside; only ".." itself or "../…" leaves.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${p.sep}`) && !p.isAbsolute(rel));
}

/** Full check: lexical rules, then the real path (symlinks followed) must stay inside the real mount and be a readable regular file. */
export async function resolveInputPath(
  mountPath: string,
  input: string,
  platform: NodeJS.Platform = process.platform,
): Promise<string> {
  const lexical = lexicalInputPath(mountPath, input, platform);
  let realMount: string;
  try {
    realMount = await realpath(mountPath);
  } catch (err) {
    throw new WorkerError('NAS_UNAVAILABLE', 'nas_mount_path is not available (is the NAS mounted?)', {
      cause: err,
      retryAfter: 30,
    });
  }
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES')
      throw new WorkerError('INPUT_UNREADABLE', `input ${input} is not readable`, { cause: err });
    if (code === 'ELOOP')
      throw new WorkerError('INPUT_INVALID', `input ${input} is a symlink loop`, { cause: err });
    if (code === 'ENAMETOOLONG')
      throw new WorkerError('INPUT_INVALID', 'input path is too long', { cause: err });
    throw new WorkerError('INPUT_NOT_FOUND', `input ${input} does not exist`, { cause: err });
  }
  if (!isInside(realMount, real, platform)) {
    throw new WorkerError('INPUT_OUTSIDE_MOUNT', 'input resolves outside nas_mount_path');
  }
  const info = await stat(real);
  if (!info.isFile()) throw new WorkerError('INPUT_NOT_FILE', `input ${input} is not a regular file`);
  try {
    await access(real, constants.R_OK);
  } catch (err) {
    throw new WorkerError('INPUT_UNREADABLE', `input ${input} is not readable`, { cause: err });
  }
  return real;
}
