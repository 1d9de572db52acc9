// Pure: the X-TIMESTAMP-MAP that makes a cue extracted at time T (the source's time less its start time, which is
// what FFmpeg's extraction writes) show together with the video frame of time T.
//
// Measured with FFmpeg 5.1 and hls.js 1.7 in Chromium (test/integration/subtitles-browser.test.ts checks it against
// a marker square the source draws exactly while each cue is shown):
//
// MPEG-TS. Every head writes PTS = T + TIMESTAMP_BASE_SECONDS + 1.4 s: FFmpeg's mpegts muxer adds twice its
// default -muxdelay (0.7 s) to every timestamp (seg-0.ts of the 12 s test MKV starts at PTS 216000 = 2.4 s). The
// start of a seek head is the same, as its -output_ts_offset puts its frames at their source times. hls.js maps
// MPEGTS through the same clock as the video's PTS (whatever initPTS it chose), so MPEGTS = 2.4 s × 90 kHz =
// 216000, LOCAL 0, for every source: a source starting at 10 s gives seg-0 PTS 2.4 s and cues 10 s earlier alike.
//
// fMP4. FFmpeg 5.1 writes tfdt from 0 (the first frame's decode time) and puts the time offset only in the edit
// list: an empty edit of the first frame's output time (1 s + its time F0 on the extraction's timeline) and a media
// time of the first frame's composition offset (B-frames: 2 frames for x264). hls.js (and Chromium's MSE) ignore the
// edit list: the frame of time T shows at T − F0 + mediaTime. So the map is the shift mediaTime − F0, read from
// the init segment; for the x264 transcode of the test source 1024/15360 s = 0.0667 s → MPEGTS 6000 (with
// MPEGTS 0, cues showed 79 ms early). A negative shift (a copy whose first frame comes late) goes into LOCAL.
import { TIMESTAMP_BASE_SECONDS } from './stream-folder.js';

/** X-TIMESTAMP-MAP's two values: cue time `localSeconds` is shown at 90 kHz time `mpegts`. */
export interface TimestampMap {
  readonly mpegts: number;
  readonly localSeconds: number;
}

/** What FFmpeg's mpegts muxer adds to every timestamp: 2 × its default -muxdelay of 0.7 s. */
export const MPEGTS_MUXER_DELAY_SECONDS = 1.4;

/** The map for a stream whose video is shifted by `seconds` from the extraction's timeline. */
export function shiftMap(seconds: number): TimestampMap {
  return seconds >= 0
    ? { mpegts: Math.round(seconds * 90_000), localSeconds: 0 }
    : { mpegts: 0, localSeconds: Math.round(-seconds * 1000) / 1000 };
}

/** MPEG-TS segments: MPEGTS 216000 (2.4 s), LOCAL 0, whatever the source. */
export function tsTimestampMap(): TimestampMap {
  return shiftMap(TIMESTAMP_BASE_SECONDS + MPEGTS_MUXER_DELAY_SECONDS);
}

/** The video track's edit list as FFmpeg writes it into an fMP4 init segment. */
export interface VideoEdit {
  /** mvhd's timescale: the unit of edit durations. */
  readonly movieTimescale: number;
  /** mdhd's timescale: the unit of media times. */
  readonly mediaTimescale: number;
  /** Total duration of empty edits (media_time −1) before the first real one, in the movie timescale. */
  readonly emptyDuration: number;
  /** media_time of the first real edit, in the media timescale. */
  readonly mediaTime: number;
}

interface Box {
  readonly type: string;
  readonly body: Uint8Array;
}

function boxes(data: Uint8Array): Box[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: Box[] = [];
  let at = 0;
  while (at + 8 <= data.byteLength) {
    let size = view.getUint32(at);
    const type = String.fromCharCode(...data.subarray(at + 4, at + 8));
    let header = 8;
    if (size === 1) {
      if (at + 16 > data.byteLength) break;
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) size = data.byteLength - at;
    if (size < header || at + size > data.byteLength) break;
    out.push({ type, body: data.subarray(at + header, at + size) });
    at += size;
  }
  return out;
}

const child = (parent: Uint8Array, type: string): Uint8Array | null =>
  boxes(parent).find((b) => b.type === type)?.body ?? null;

/** mvhd or mdhd's timescale (a full box: version 1 has 64-bit times before it). */
function timescale(body: Uint8Array | null): number | null {
  const at = body?.[0] === 1 ? 20 : 12;
  if (body === null || body.byteLength < at + 4) return null;
  return new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(at);
}

function edits(elst: Uint8Array): { duration: number; mediaTime: number }[] {
  const view = new DataView(elst.buffer, elst.byteOffset, elst.byteLength);
  const v1 = elst[0] === 1;
  const entry = v1 ? 20 : 12;
  const out: { duration: number; mediaTime: number }[] = [];
  if (elst.byteLength < 8) return out;
  const count = view.getUint32(4);
  for (let i = 0, at = 8; i < count && at + entry <= elst.byteLength; i++, at += entry)
    out.push(
      v1
        ? { duration: Number(view.getBigUint64(at)), mediaTime: Number(view.getBigInt64(at + 8)) }
        : { duration: view.getUint32(at), mediaTime: view.getInt32(at + 4) },
    );
  return out;
}

/** The first video track's edit list in an init segment; null when it has none or the bytes are not MP4. */
export function videoEdit(init: Uint8Array): VideoEdit | null {
  const moov = child(init, 'moov');
  if (moov === null) return null;
  const movieTimescale = timescale(child(moov, 'mvhd'));
  for (const trak of boxes(moov).filter((b) => b.type === 'trak')) {
    const mdia = child(trak.body, 'mdia');
    const hdlr = mdia === null ? null : child(mdia, 'hdlr');
    if (mdia === null || hdlr === null || String.fromCharCode(...hdlr.subarray(8, 12)) !== 'vide') continue;
    const mediaTimescale = timescale(child(mdia, 'mdhd'));
    const edts = child(trak.body, 'edts');
    const elst = edts === null ? null : child(edts, 'elst');
    if (elst === null || !movieTimescale || !mediaTimescale) return null;
    let emptyDuration = 0;
    for (const e of edits(elst)) {
      if (e.mediaTime === -1) emptyDuration += e.duration;
      else return { movieTimescale, mediaTimescale, emptyDuration, mediaTime: e.mediaTime };
    }
    return null;
  }
  return null;
}

/**
 * fMP4 segments of a head at 0: the shift the edit list would apply and players do not (see the top of this file),
 * from the stream's init segment. Without an edit list the video starts at tfdt 0 = its first frame: shift 0.
 */
export function fmp4TimestampMap(init: Uint8Array): TimestampMap {
  const edit = videoEdit(init);
  if (edit === null) return shiftMap(0);
  const firstFrame = edit.emptyDuration / edit.movieTimescale - TIMESTAMP_BASE_SECONDS;
  return shiftMap(edit.mediaTime / edit.mediaTimescale - firstFrame);
}
