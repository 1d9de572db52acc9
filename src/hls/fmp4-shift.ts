// Pure: moves an fMP4 media segment along the timeline by rewriting its decode times in place. FFmpeg 5.1 starts
// every run's fragments at decode time 0 (-output_ts_offset only reaches the edit list), so a seek head's segment k
// would claim to be at the start of the film; adding the head's first-frame time to each `tfdt` (and `sidx`) makes it
// the same as segment k from a head at 0.

interface Box {
  readonly type: string;
  readonly start: number;
  /** First byte of the box's payload (after size and type). */
  readonly body: number;
  readonly end: number;
}

function* boxes(data: Buffer, from: number, to: number): Generator<Box> {
  let at = from;
  while (at + 8 <= to) {
    let size = data.readUInt32BE(at);
    let body = at + 8;
    if (size === 1) {
      if (at + 16 > to) return;
      size = Number(data.readBigUInt64BE(at + 8));
      body = at + 16;
    } else if (size === 0) size = to - at;
    if (size < 8 || at + size > to) return;
    yield { type: data.toString('latin1', at + 4, at + 8), start: at, body, end: at + size };
    at += size;
  }
}

function child(data: Buffer, parent: Box, type: string): Box | undefined {
  for (const b of boxes(data, parent.body, parent.end)) if (b.type === type) return b;
  return undefined;
}

/** track_ID → timescale, from an init segment's moov/trak/{tkhd, mdia/mdhd}. */
export function trackTimescales(init: Buffer): Map<number, number> {
  const out = new Map<number, number>();
  for (const moov of boxes(init, 0, init.length)) {
    if (moov.type !== 'moov') continue;
    for (const trak of boxes(init, moov.body, moov.end)) {
      if (trak.type !== 'trak') continue;
      const tkhd = child(init, trak, 'tkhd');
      const mdia = child(init, trak, 'mdia');
      const mdhd = mdia === undefined ? undefined : child(init, mdia, 'mdhd');
      if (tkhd === undefined || mdhd === undefined) continue;
      // tkhd/mdhd version 1 carry 64-bit times before track_ID / timescale.
      const id = init.readUInt32BE(tkhd.body + (init[tkhd.body] === 1 ? 20 : 12));
      const timescale = init.readUInt32BE(mdhd.body + (init[mdhd.body] === 1 ? 20 : 12));
      out.set(id, timescale);
    }
  }
  return out;
}

/**
 * Adds `seconds` to every track fragment's decode time (tfdt) and every sidx's earliest presentation time in the
 * boxes found in `data` (the segment's head: styp, sidx, moof). Returns how many times were moved; 0 means the
 * buffer held no complete moof (read more of the file).
 */
export function shiftFragment(
  data: Buffer,
  seconds: number,
  timescales: ReadonlyMap<number, number>,
): number {
  let moved = 0;
  const add = (at: number, wide: boolean, timescale: number): void => {
    const delta = BigInt(Math.round(seconds * timescale));
    if (wide) data.writeBigUInt64BE(data.readBigUInt64BE(at) + delta, at);
    else data.writeUInt32BE(Number(BigInt(data.readUInt32BE(at)) + delta) >>> 0, at);
    moved++;
  };
  for (const top of boxes(data, 0, data.length)) {
    if (top.type === 'sidx') {
      // version, flags, reference_ID, timescale, earliest_presentation_time (32 or 64 bits).
      add(top.body + 12, data[top.body] === 1, data.readUInt32BE(top.body + 8));
    } else if (top.type === 'moof') {
      for (const traf of boxes(data, top.body, top.end)) {
        if (traf.type !== 'traf') continue;
        const tfhd = child(data, traf, 'tfhd');
        const tfdt = child(data, traf, 'tfdt');
        const timescale = tfhd === undefined ? undefined : timescales.get(data.readUInt32BE(tfhd.body + 4));
        if (tfdt !== undefined && timescale !== undefined)
          add(tfdt.body + 4, data[tfdt.body] === 1, timescale);
      }
      return moved;
    }
  }
  return 0;
}

/** The movie timescale an init segment's edit lists count in (moov/mvhd); null without one. */
function movieTimescale(init: Buffer, moov: Box): number | null {
  const mvhd = child(init, moov, 'mvhd');
  // mvhd version 1 carries 64-bit creation and modification times before the timescale.
  return mvhd === undefined ? null : init.readUInt32BE(mvhd.body + (init[mvhd.body] === 1 ? 20 : 12));
}

/**
 * Takes `seconds` off the leading empty edit (media_time −1) of every track's edit list, in a copy of `init`: a seek
 * head's init segment then puts its media where a head at 0 does. FFmpeg 5.1 writes a run's output offset (the 1 s
 * base plus the head's first-frame time) as that empty edit; its media edit (the B-frame delay, the audio priming)
 * stays. Returns the copy and how many edits moved; an edit shorter than `seconds` is left as it is (not ours).
 */
export function moveInitEdits(
  init: Buffer,
  seconds: number,
): { readonly data: Buffer; readonly moved: number } {
  const data = Buffer.from(init);
  let moved = 0;
  for (const moov of boxes(data, 0, data.length)) {
    if (moov.type !== 'moov') continue;
    const timescale = movieTimescale(data, moov);
    if (timescale === null) continue;
    const delta = BigInt(Math.round(seconds * timescale));
    for (const trak of boxes(data, moov.body, moov.end)) {
      if (trak.type !== 'trak') continue;
      const edts = child(data, trak, 'edts');
      const elst = edts === undefined ? undefined : child(data, edts, 'elst');
      if (elst === undefined || data.readUInt32BE(elst.body + 4) === 0) continue;
      // version, flags, entry_count, then the first entry: segment_duration, media_time (32 or 64 bits each).
      const wide = data[elst.body] === 1;
      const at = elst.body + 8;
      const mediaTime = wide ? data.readBigInt64BE(at + 8) : BigInt(data.readInt32BE(at + 4));
      const duration = wide ? data.readBigUInt64BE(at) : BigInt(data.readUInt32BE(at));
      if (mediaTime !== -1n || duration < delta) continue;
      if (wide) data.writeBigUInt64BE(duration - delta, at);
      else data.writeUInt32BE(Number(duration - delta), at);
      moved++;
    }
  }
  return { data, moved };
}
