// File access for the serving path. Metadata calls (stat, open, fstat, close) are synchronous: they hit the inode
// cache of files FFmpeg has just written and take microseconds, whereas each fs.promises call costs ~50 µs of
// main-thread CPU to hand over to the libuv thread pool (measured under 200 viewers). Data reads stay asynchronous,
// so a slow disk never blocks the event loop.
import { closeSync, fstatSync, openSync, read, statSync, type Stats } from 'node:fs';

/** The file's stat, or null when it is missing or not a regular file. */
export function statFile(file: string): Stats | null {
  const info = statSync(file, { throwIfNoEntry: false });
  return info?.isFile() === true ? info : null;
}

/** Opens a file for reading with its stat (of the open descriptor: the version that will be read). Throws like open(). */
export function openFile(file: string): { fd: number; info: Stats } {
  const fd = openSync(file, 'r');
  try {
    return { fd, info: fstatSync(fd) };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

export function closeFile(fd: number): void {
  closeSync(fd);
}

/** Reads up to `length` bytes at `position` into `buffer` at `offset`; resolves with the count read. */
export function readAt(
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, offset, length, position, (err, bytesRead) => {
      if (err === null) resolve(bytesRead);
      else reject(err);
    });
  });
}
