// The file side of fmp4-shift: a seek head's finished fMP4 segment gets its decode times moved in place before it is
// published (it is the head's own file, complete and not yet visible to any player).
import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { shiftFragment, trackTimescales } from '../hls/fmp4-shift.js';

/** Bytes read first: styp, sidx and moof of a segment are a few KB. */
const HEAD_BYTES = 64 * 1024;

/** Timescales of a head's tracks, read from its own init segment (written before its first media segment). */
export function readTimescales(initFile: string): Map<number, number> {
  return trackTimescales(readFileSync(initFile));
}

/** Adds `seconds` to the segment's decode times; throws when the file holds no fragment to move. */
export function shiftSegmentFile(
  file: string,
  seconds: number,
  timescales: ReadonlyMap<number, number>,
): void {
  const fd = openSync(file, 'r+');
  try {
    let data = Buffer.alloc(HEAD_BYTES);
    data = data.subarray(0, readSync(fd, data, 0, data.length, 0));
    if (shiftFragment(data, seconds, timescales) === 0) {
      // A moof larger than the first read (many samples): take the whole file.
      data = readFileSync(file);
      if (shiftFragment(data, seconds, timescales) === 0) throw new Error(`no movie fragment in ${file}`);
    }
    writeSync(fd, data, 0, data.length, 0);
  } finally {
    closeSync(fd);
  }
}
