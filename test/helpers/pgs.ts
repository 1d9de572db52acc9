// Writes a Blu-ray PGS subtitle stream (.sup) of solid white rectangles: the image subtitles FFmpeg cannot make from
// text, built by hand from the format (segments PCS 0x16, WDS 0x17, PDS 0x14, ODS 0x15, END 0x80, each behind a "PG"
// header with 90 kHz PTS/DTS).
import { writeFileSync } from 'node:fs';

export interface PgsEvent {
  /** Seconds the rectangle is shown from and until. */
  readonly start: number;
  readonly end: number;
  readonly x: number;
  readonly y: number;
  /** At least 64 pixels wide (each line is one long run). */
  readonly width: number;
  readonly height: number;
}

function segment(type: number, pts: number, data: Buffer): Buffer {
  const head = Buffer.alloc(13);
  head.write('PG', 0, 'latin1');
  head.writeUInt32BE(Math.round(pts * 90_000), 2);
  head.writeUInt32BE(0, 6);
  head.writeUInt8(type, 10);
  head.writeUInt16BE(data.length, 11);
  return Buffer.concat([head, data]);
}

const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 255]);

function displaySet(
  pts: number,
  canvas: { width: number; height: number },
  n: number,
  e: PgsEvent | null,
): Buffer {
  const pcs = Buffer.concat([
    u16(canvas.width),
    u16(canvas.height),
    Buffer.from([0x10]), // frame rate code, unused by decoders
    u16(n), // composition number
    Buffer.from([e === null ? 0x00 : 0x80, 0, 0]), // normal (clear) / epoch start; no palette update; palette 0
    Buffer.from([e === null ? 0 : 1]),
    ...(e === null ? [] : [u16(0), Buffer.from([0, 0]), u16(e.x), u16(e.y)]), // object 0 in window 0, not cropped
  ]);
  const window = e ?? { x: 0, y: 0, width: 1, height: 1 };
  const wds = Buffer.concat([
    Buffer.from([1, 0]),
    u16(window.x),
    u16(window.y),
    u16(window.width),
    u16(window.height),
  ]);
  const parts = [segment(0x16, pts, pcs), segment(0x17, pts, wds)];
  if (e !== null) {
    // Palette 0: entry 1 is opaque white (Y 235, Cr/Cb 128); entry 0 stays transparent.
    parts.push(segment(0x14, pts, Buffer.from([0, 0, 1, 235, 128, 128, 255])));
    // RLE, one line at a time: 00 | (0xC0 | len >> 8), len & 255, colour 1, then end of line 00 00.
    const line = Buffer.from([0, 0xc0 | (e.width >> 8), e.width & 255, 1, 0, 0]);
    const rle = Buffer.concat(Array.from({ length: e.height }, () => line));
    const len = rle.length + 4;
    const ods = Buffer.concat([
      u16(0),
      Buffer.from([0, 0xc0]), // version 0, first and last fragment
      Buffer.from([len >> 16, (len >> 8) & 255, len & 255]),
      u16(e.width),
      u16(e.height),
      rle,
    ]);
    parts.push(segment(0x15, pts, ods));
  }
  parts.push(segment(0x80, pts, Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/** Each event as one display set that shows it and one that clears it. */
export function writePgs(
  file: string,
  canvas: { width: number; height: number },
  events: readonly PgsEvent[],
): void {
  const sets = events.flatMap((e, i) => [
    displaySet(e.start, canvas, 2 * i, e),
    displaySet(e.end, canvas, 2 * i + 1, null),
  ]);
  writeFileSync(file, Buffer.concat(sets));
}
